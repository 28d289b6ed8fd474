"""Fixtures: a quiet simulator over loopback and clients pinned to its certificate."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.smartserver_iap.iap import (
    DatapointsUpdated,
    DatapointUpdate,
    IapClient,
    LiveEvent,
    LiveOptions,
    Resynced,
    TlsTrust,
)
from smartserver_sim import SmartServerSim
from tests.profile import sim_options

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
type Serve = Callable[[dict[str, Handler]], Awaitable[IapClient]]

QUIET: dict[str, Any] = {
    "auto_updates": False,
    "ntf_time_interval": None,
    "cpu_interval": None,
    "session_check_interval": 0.02,
    "live_read_delay": 0.001,
}


def fast_live(**overrides: Any) -> LiveOptions:
    """Live timings for tests: quick back-off, no probe unless asked."""
    values: dict[str, Any] = {
        "heartbeat": 1.0,
        "backoff_initial": 0.02,
        "backoff_cap": 0.1,
        "retry_interval": 0.05,
        "probe_interval": None,
        "probe_timeout": 0.3,
        "connect_timeout": 2.0,
        **overrides,
    }
    return LiveOptions(**values)


@contextlib.asynccontextmanager
async def running_sim(**options: Any) -> AsyncIterator[SmartServerSim]:
    """Run a simulator of the selected profile, quiet, with ``options``."""
    async with SmartServerSim(options=sim_options(**{**QUIET, **options})) as sim:
        yield sim


def outputs(sim: SmartServerSim, count: int = 3) -> list[str]:
    """Return the qualifiers of the first ``count`` output datapoints."""
    return [q for q, dp in sim.scenario.datapoints.items() if dp.direction == "out"][
        :count
    ]


def probing_client(sim: SmartServerSim, http: aiohttp.ClientSession) -> IapClient:
    """Return a client whose takeover probe runs every 50 ms, waiting 100 ms."""
    return make_client(
        sim, http, live=fast_live(probe_interval=0.05, probe_timeout=0.1)
    )


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncIterator[SmartServerSim]:
    async with running_sim() as server:
        yield server


@pytest.fixture
async def http(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    # unsafe=True lets the jar store cookies of IP hosts, as it would for a host name:
    # the client must still keep its session out of it.
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as session:
        yield session


def make_client(
    sim: SmartServerSim,
    http: aiohttp.ClientSession,
    user: str = "apollo",
    password: str = "apollo",  # noqa: S107
    **kwargs: Any,
) -> IapClient:
    """Return a client of ``sim`` pinned to its certificate."""
    kwargs.setdefault("live", fast_live())
    assert sim.fingerprint is not None
    return IapClient(
        http,
        sim.host,
        sim.port,
        user,
        password,
        TlsTrust.pinned(sim.fingerprint),
        **kwargs,
    )


@pytest.fixture
async def client(
    sim: SmartServerSim, http: aiohttp.ClientSession
) -> AsyncIterator[IapClient]:
    iap = make_client(sim, http)
    try:
        yield iap
    finally:
        await iap.close()


class Changes:
    """Something a test waits on: ``changed()`` wakes every ``until``."""

    def __init__(self) -> None:
        self._changed = asyncio.Event()

    def changed(self) -> None:
        self._changed.set()

    async def until[T](self, found: Callable[[], T | None], timeout: float) -> T:
        """Return ``found()`` once it is not None, re-checking after each change."""
        async with asyncio.timeout(timeout):
            while (result := found()) is None:
                self._changed.clear()
                await self._changed.wait()
            return result


class Recorder(Changes):
    """A live handler that keeps every event and lets a test wait for one."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[LiveEvent] = []

    def __call__(self, event: LiveEvent) -> None:
        self.events.append(event)
        self.changed()

    def of(self, kind: type[Any]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(
        self,
        kind: type[Any],
        predicate: Callable[[Any], bool] = lambda _: True,
        *,
        count: int = 1,
        timeout: float = 5.0,
    ) -> Any:
        def found() -> Any:
            matches = [e for e in self.of(kind) if predicate(e)]
            return matches[count - 1] if len(matches) >= count else None

        return await self.until(found, timeout)


class Reads(Changes):
    """Counts the client's value reads (resyncs, and probes: one qualifier each)."""

    def __init__(self, client: IapClient) -> None:
        super().__init__()
        self.qualifiers: list[list[str]] = []
        read_values = client.read_values

        async def counting(
            qualifiers: Iterable[str], max_age: float | None = None
        ) -> list[DatapointUpdate]:
            wanted = list(qualifiers)
            try:
                return await read_values(wanted, max_age)
            finally:
                self.qualifiers.append(wanted)
                self.changed()

        # The listener reads through the façade, so its probes are counted too.
        client.read_values = counting  # type: ignore[method-assign]

    async def wait_for(self, count: int, timeout: float = 5.0) -> None:
        """Wait until ``count`` reads have finished."""
        await self.until(lambda: len(self.qualifiers) >= count or None, timeout)


@contextlib.asynccontextmanager
async def live(
    client: IapClient, recorder: Recorder | None = None
) -> AsyncIterator[tuple[Recorder, asyncio.Task[None]]]:
    """Run ``client.run_live`` in a task for the duration of the block.

    Leaving the block cancels the task; whatever else ended it (a crash of the
    listener, an authentication error) is raised here, so no test passes over it.
    """
    rec = recorder or Recorder()
    task = asyncio.create_task(client.run_live(rec))
    try:
        yield rec, task
    finally:
        cancelled = task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            if not cancelled:
                raise


@contextlib.asynccontextmanager
async def live_synced(
    client: IapClient, qualifiers: list[str], recorder: Recorder | None = None
) -> AsyncIterator[tuple[Recorder, asyncio.Task[None]]]:
    """Subscribe ``qualifiers``, then run ``live`` from its first resync on."""
    await client.subscribe(qualifiers)
    async with live(client, recorder) as (rec, task):
        await rec.wait_for(Resynced)
        yield rec, task


async def relogin_while_live(sim: SmartServerSim, client: IapClient) -> None:
    """Expire the sessions under a live client; return once a change reaches it again."""
    qualifiers = outputs(sim)
    async with live_synced(client, qualifiers) as (rec, _):
        await sim.expire_sessions()
        await rec.wait_for(Resynced, count=2)
        await sim.set_value(qualifiers[0], 5)
        await rec.wait_for(
            DatapointsUpdated,
            lambda e: any(
                u.qualifier == qualifiers[0] and u.value == 5 for u in e.updates
            ),
        )


def json_handler(body: Any, status: int = 200) -> Handler:
    """Return a handler that answers ``body`` as JSON."""

    async def handler(request: web.Request) -> web.Response:
        return web.json_response(body, status=status)

    return handler


@pytest.fixture
async def serve(
    socket_enabled: None, http: aiohttp.ClientSession
) -> AsyncIterator[Serve]:
    """Start tiny loopback servers with the given routes; return a client of each.

    ``routes`` maps ``"METHOD /path"`` to a handler; ``"login"`` replaces the
    default login, which sets the cookie ``abc``.
    """
    runners: list[web.AppRunner] = []

    async def start(routes: dict[str, Handler]) -> IapClient:
        app = web.Application()

        async def login(request: web.Request) -> web.Response:
            response = web.json_response({"userName": "apollo"})
            response.set_cookie("cmsSID", "abc")
            return response

        app.router.add_post("/iap/auth/login", routes.pop("login", login))
        for spec, handler in routes.items():
            method, path = spec.split(" ", 1)
            app.router.add_route(method, path, handler)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return IapClient(http, "127.0.0.1", port, "apollo", "apollo", scheme="http")

    yield start
    for runner in runners:
        await runner.cleanup()
