"""Fixtures: a running simulator and a logged-in HTTPS client."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson
import pytest

from smartserver_sim import SimOptions, SmartServerSim, SystemClock

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from smartserver_sim.clock import Clock

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
def sim_overrides() -> dict[str, Any]:
    """Return the SimOptions fields a test changes (parametrize this name to change)."""
    return {}


@pytest.fixture
def sim_users() -> dict[str, str] | None:
    """Return the simulator's users (None: apollo/apollo; parametrize to change)."""
    return None


@pytest.fixture
def clock() -> Clock:
    """Return the simulator's clock (a module overrides this with a ManualClock)."""
    return SystemClock()


@pytest.fixture
async def sim(
    socket_enabled: None,
    sim_overrides: dict[str, Any],
    sim_users: dict[str, str] | None,
    clock: Clock,
) -> AsyncIterator[SmartServerSim]:
    async with SmartServerSim(
        options=quiet_options(**sim_overrides), users=sim_users, clock=clock
    ) as server:
        yield server


@contextlib.asynccontextmanager
async def client(sim: SmartServerSim) -> AsyncIterator[Api]:
    """Return a client of ``sim`` with its own cookie jar, not logged in."""
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        yield Api(sim, session)
    finally:
        await session.close()


@pytest.fixture
async def anon(sim: SmartServerSim) -> AsyncIterator[Api]:
    async with client(sim) as api:
        yield api


@pytest.fixture
async def api(anon: Api) -> Api:
    resp = await anon.login()
    assert resp.status == 200
    return anon


@pytest.fixture
async def other(sim: SmartServerSim) -> AsyncIterator[Api]:
    """A second client, not logged in."""
    async with client(sim) as api:
        yield api


async def next_frame(
    ws: aiohttp.ClientWebSocketResponse, action: str | None = None, timeout: float = 2.0
) -> Any:
    """Return the next JSON frame (with ``action``), skipping others."""

    async def find() -> Any:
        while True:
            msg = await ws.receive()
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"socket ended: {msg.type} {msg.data}")
            frame = orjson.loads(msg.data)
            if action is None or frame.get("action") == action:
                return frame

    return await asyncio.wait_for(find(), timeout)


async def no_frame(sim: SmartServerSim, ws: aiohttp.ClientWebSocketResponse) -> None:
    """Assert that nothing is on its way to ``ws``: a marker sent now arrives first.

    The hub writes frames in order, so once pending updates are flushed, a marker
    queued behind them is the next frame exactly when nothing was pending.
    """
    await sim.hub.drain()
    sim.hub.broadcast("TEST:MARK", None)
    frame = await next_frame(ws)
    assert frame == {"action": "TEST:MARK", "payload": None}, frame
