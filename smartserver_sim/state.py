"""``SimState``: the one object every route works on.

It owns the site model (scenario), the sessions (auth), the WebSocket hub, the injected
faults, the counters, the paging snapshots and the simulator's clock and background work.
Routes and the modules below them receive it; none of them knows the server's lifecycle.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
import itertools
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .auth import Auth
from .counters import Counters
from .faults import ErrorInjection, Faults
from .render import ws_item
from .selection import find_datapoint, find_device
from .websocket import Hub

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from aiohttp import web

    from .clock import Clock, Timer
    from .model import Datapoint, Device, Scenario
    from .options import SimOptions


class SimState:
    """The simulated SmartServer's state, shared by its routes."""

    def __init__(
        self,
        scenario: Scenario,
        options: SimOptions,
        users: dict[str, str] | None,
        clock: Clock,
        *,
        tls: bool = True,
    ) -> None:
        self.scenario = scenario
        self.options = options
        self.clock = clock
        # Served over HTTPS: session cookies are Secure.
        self.tls = tls
        self.counters = Counters()
        self.auth = Auth(
            users or scenario.users or {"apollo": "apollo"}, options, clock.monotonic
        )
        self.faults = Faults(clock, self.counters)
        self.hub = Hub(options, self.counters, clock, self.faults.answering)
        self.zone = ZoneInfo(scenario.timezone or options.timezone)
        self.snapshots: OrderedDict[int, list[Any]] = OrderedDict()
        self._snapshot_ids = itertools.count(1)
        self.started_at = clock.time()
        self.retention_start = self.started_at - options.history_days * 86400.0
        # When each monitored datapoint was last polled (uid -> time).
        self.last_poll: dict[int, float] = {}
        # Data-log sockets kept open after "end" (SimOptions.log_close_after_end).
        self.log_sockets: set[web.WebSocketResponse] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._timers: set[Timer] = set()

    @property
    def latency(self) -> float:
        """Return the injected request latency (s)."""
        return self.faults.latency

    @property
    def http_errors(self) -> list[ErrorInjection]:
        """Return the pending injected HTTP errors."""
        return self.faults.http_errors

    # --- lookup -----------------------------------------------------------------------

    def datapoint(self, qualifier: str) -> Datapoint:
        """Return a datapoint by qualifier or raise NotFoundError."""
        return find_datapoint(self.scenario, qualifier)

    def device(self, device_id: str) -> Device:
        """Return a device by id, deviceId (``scId.n``) or name; raise NotFoundError."""
        return find_device(self.scenario, device_id)

    # --- publishing ---------------------------------------------------------------------

    def publish(self, dp: Datapoint, only_user: str | None = None) -> None:
        """Push the current value of ``dp`` to its subscribers."""
        self.hub.publish(ws_item(self, dp), only_user)

    # --- paging snapshots ---------------------------------------------------------------

    def new_snapshot(self, items: list[Any]) -> int:
        """Store a result list for later pages (``xs``); return its id."""
        snapshot = next(self._snapshot_ids)
        self.snapshots[snapshot] = items
        while len(self.snapshots) > self.options.snapshot_limit:
            self.snapshots.popitem(last=False)
        return snapshot

    def reset_counters(self) -> None:
        """Zero the counters."""
        self.counters.reset()

    # --- background work ------------------------------------------------------------------

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        """Run ``coro`` in a task that ``cancel_background`` ends."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def call_later(self, delay: float, callback: Callable[[], None]) -> None:
        """Run ``callback`` after ``delay`` (on the clock) unless the simulator stops."""
        timer: Timer

        def run() -> None:
            self._timers.discard(timer)
            callback()

        timer = self.clock.call_later(delay, run)
        self._timers.add(timer)

    async def cancel_background(self) -> None:
        """Cancel every spawned task and pending timer; wait for the tasks to end."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()

    async def close_log_sockets(self) -> None:
        """Close the data-log sockets still open after their "end"."""
        for ws in list(self.log_sockets):
            await ws.close(code=1001, message=b"server shutdown")
