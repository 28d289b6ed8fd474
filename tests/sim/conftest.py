"""Fixtures: a running simulator and a logged-in HTTPS client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from smartserver_sim import SimOptions, SmartServerSim

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

QUIET = {
    "auto_updates": False,
    "ntf_time_interval": None,
    "cpu_interval": None,
    "session_check_interval": 0.02,
    "live_read_delay": 0.001,
}


def quiet_options(**overrides: Any) -> SimOptions:
    """Options for deterministic tests: no periodic frames, frozen values."""
    return SimOptions(**{**QUIET, **overrides})


class Api:
    """A thin client over one aiohttp session."""

    def __init__(self, sim: SmartServerSim, session: aiohttp.ClientSession) -> None:
        self.sim = sim
        self.session = session
        self.ssl = sim.client_ssl_context()

    def url(self, path: str) -> str:
        return self.sim.base_url + path

    async def login(
        self,
        user: str = "apollo",
        password: str = "apollo",  # noqa: S107
    ) -> aiohttp.ClientResponse:
        async with self.session.post(
            self.url("/iap/auth/login"),
            json={"username": user, "password": password},
            ssl=self.ssl,
        ) as resp:
            await resp.read()
            return resp

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        **kw: Any,
    ) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {"ssl": self.ssl, **kw}
        if raw is not None:
            kwargs["data"] = raw
        elif body is not None:
            kwargs["json"] = body
        async with self.session.request(method, self.url(path), **kwargs) as resp:
            text = await resp.text()
            data: Any = None
            if text:
                try:
                    data = await resp.json(content_type=None)
                except ValueError:
                    data = text
            return resp.status, data

    async def get(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.call("GET", path, **kw)

    async def put(self, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.call("PUT", path, body, **kw)

    async def control(self, op: str, **args: Any) -> tuple[int, Any]:
        return await self.call("POST", "/sim/control", {"op": op, **args})

    async def ws(self, query: str = "") -> aiohttp.ClientWebSocketResponse:
        return await self.session.ws_connect(self.url("/iap/ws" + query), ssl=self.ssl)


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncIterator[SmartServerSim]:
    async with SmartServerSim(options=quiet_options()) as server:
        yield server


async def make_api(sim: SmartServerSim) -> Api:
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    return Api(sim, session)


@pytest.fixture
async def anon(sim: SmartServerSim) -> AsyncIterator[Api]:
    api = await make_api(sim)
    try:
        yield api
    finally:
        await api.session.close()


@pytest.fixture
async def api(anon: Api) -> Api:
    resp = await anon.login()
    assert resp.status == 200
    return anon


async def next_frame(
    ws: aiohttp.ClientWebSocketResponse, action: str | None = None, timeout: float = 2.0
) -> Any:
    """Return the next JSON frame (with ``action``), skipping others."""
    import asyncio

    import orjson

    async def find() -> Any:
        while True:
            msg = await ws.receive()
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"socket ended: {msg.type} {msg.data}")
            frame = orjson.loads(msg.data)
            if action is None or frame.get("action") == action:
                return frame

    return await asyncio.wait_for(find(), timeout)


async def no_frame(ws: aiohttp.ClientWebSocketResponse, wait: float = 0.05) -> None:
    """Assert that nothing arrives within ``wait`` seconds."""
    import asyncio

    try:
        msg = await asyncio.wait_for(ws.receive(), wait)
    except TimeoutError:
        return
    raise AssertionError(f"unexpected frame {msg.data!r}")
