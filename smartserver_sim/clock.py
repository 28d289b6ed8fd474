"""Where the simulator's time comes from: the system clock, or a manual one for tests.

Everything that waits or stamps in the simulator (session expiry, lockout, periodic frames,
generators, injected latency, restarts, batching windows) asks its ``Clock``. With a
``ManualClock`` a test moves time itself, so time is a subject it controls rather than
something it waits for.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import heapq
import itertools
import time
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable


class Timer(Protocol):
    """A scheduled callback that can be called off."""

    def cancel(self) -> None:
        """Do not run the callback."""


class Clock(Protocol):
    """Time as the simulator sees it."""

    def time(self) -> float:
        """Return the wall-clock time (UNIX seconds)."""

    def monotonic(self) -> float:
        """Return a time that never goes back (sessions, lockout, rates)."""

    async def sleep(self, seconds: float) -> None:
        """Return after ``seconds``."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        """Run ``callback`` after ``delay`` seconds."""


class SystemClock:
    """The real clock and the event loop's timers."""

    def time(self) -> float:
        """Return ``time.time()``."""
        return time.time()

    def monotonic(self) -> float:
        """Return ``time.monotonic()``."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep on the event loop."""
        await asyncio.sleep(seconds)

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        """Schedule on the event loop."""
        return asyncio.get_running_loop().call_later(delay, callback)


@dataclass(slots=True, eq=False)
class _ManualTimer:
    deadline: float
    delay: float
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """Time that moves only when ``advance`` is called; due timers and sleeps fire then.

    ``time()`` and ``monotonic()`` return the same manual instant (by default the real
    time at construction, so histories and retention windows look as usual).
    """

    def __init__(self, start: float | None = None, wait_limit: float = 5.0) -> None:
        self._now = time.time() if start is None else start
        self._wait_limit = wait_limit
        self._timers: list[tuple[float, int, _ManualTimer]] = []  # a heap
        self._seq = itertools.count()
        self._watchers: list[asyncio.Future[None]] = []

    def time(self) -> float:
        """Return the manual instant."""
        return self._now

    def monotonic(self) -> float:
        """Return the manual instant."""
        return self._now

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        """Run ``callback`` when time has been advanced by ``delay``."""
        delay = max(delay, 0.0)
        timer = _ManualTimer(self._now + delay, delay, callback)
        heapq.heappush(self._timers, (timer.deadline, next(self._seq), timer))
        watchers, self._watchers = self._watchers, []
        for watcher in watchers:
            if not watcher.done():
                watcher.set_result(None)
        return timer

    async def sleep(self, seconds: float) -> None:
        """Return once time has been advanced by ``seconds`` (0 just yields)."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not woken.done():
                woken.set_result(None)

        timer = self.call_later(seconds, wake)
        try:
            await woken
        finally:
            timer.cancel()

    def advance(self, seconds: float) -> int:
        """Move time forward; run every timer that falls due, in order; return how many.

        A sleeper woken here resumes when the test next yields to the event loop.
        """
        target = self._now + seconds
        ran = 0
        while self._timers and self._timers[0][0] <= target:
            timer = heapq.heappop(self._timers)[2]
            if timer.cancelled:
                continue
            self._now = max(self._now, timer.deadline)
            timer.callback()
            ran += 1
        self._now = target
        return ran

    def pending(self) -> list[float]:
        """Return the delays (as scheduled) of the timers not yet run, soonest first."""
        return [t.delay for *_, t in sorted(self._timers) if not t.cancelled]

    async def wait_for_timer(self, delay: float) -> None:
        """Return once a timer of exactly ``delay`` seconds is pending.

        How a test knows the simulator is now waiting on the clock (a delayed request, a
        restart's downtime) before it advances time. Raises TimeoutError when no such
        timer appears within ``wait_limit`` real seconds (so a test fails, not hangs).
        """
        async with asyncio.timeout(self._wait_limit):
            while delay not in self.pending():
                loop = asyncio.get_running_loop()
                watcher: asyncio.Future[None] = loop.create_future()
                self._watchers.append(watcher)
                await watcher
