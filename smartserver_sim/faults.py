"""Request faults: latency, HTTP errors, odd bodies, cut responses and a black hole.

Every ``/iap`` request passes ``Faults.admit`` before its handler (the control API,
``/sim/``, never does). WebSocket frame faults live in ``frame_faults.py``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .errors import ApiError, SimError

if TYPE_CHECKING:
    from .clock import Clock, Timer
    from .counters import Counters

type CutMode = Literal["reset", "truncate"]
CUT_MODES: tuple[CutMode, ...] = ("reset", "truncate")


@dataclass(slots=True)
class Injection:
    """Something that happens to the next ``remaining`` requests under ``prefix``."""

    remaining: int
    prefix: str

    def matches(self, path: str) -> bool:
        """Return True for a path this injection is for."""
        return path.startswith(self.prefix)


@dataclass(slots=True)
class ErrorInjection(Injection):
    """Answer with ``status`` (and ``Retry-After``, when set)."""

    status: int
    retry_after: float | None = None


@dataclass(slots=True)
class BodyInjection(Injection):
    """Answer with this raw body: an HTML page, JSON of the wrong shape ..."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"


@dataclass(slots=True)
class CutInjection(Injection):
    """Break the connection: before the answer (reset) or halfway through its body."""

    mode: CutMode = "reset"


def _take[T: Injection](injections: list[T], path: str) -> T | None:
    for injection in injections:
        if injection.matches(path):
            injection.remaining -= 1
            if injection.remaining <= 0:
                injections.remove(injection)
            return injection
    return None


def _check_count(count: int) -> None:
    if count < 1:
        raise SimError("count must be >= 1")


class Faults:
    """The injected request faults, and the check every request passes."""

    def __init__(self, clock: Clock, counters: Counters) -> None:
        self._clock = clock
        self._counters = counters
        self.latency = 0.0
        # Latency of one path (prefix -> seconds), on top of ``latency``.
        self.path_latency: dict[str, float] = {}
        self.http_errors: list[ErrorInjection] = []
        self.bodies: list[BodyInjection] = []
        self.cuts: list[CutInjection] = []
        # Set while the simulator answers; cleared by a black hole.
        self.answering = asyncio.Event()
        self.answering.set()
        self._black_hole_end: Timer | None = None
        # Set (and replaced) when latency is removed: requests it holds go on at once.
        self._latency_removed = asyncio.Event()

    # -- injections --------------------------------------------------------------------

    def inject_latency(self, seconds: float, path_prefix: str | None = None) -> None:
        """Delay every /iap request (or those under ``path_prefix``); 0 = off."""
        if seconds < 0:
            raise SimError("latency must be >= 0")
        if path_prefix is None:
            self.latency = seconds
        elif seconds:
            self.path_latency[path_prefix] = seconds
        else:
            self.path_latency.pop(path_prefix, None)
        if not seconds:
            self._release_delayed()

    def _release_delayed(self) -> None:
        self._latency_removed.set()
        self._latency_removed = asyncio.Event()

    def inject_http_errors(
        self,
        status: int,
        count: int = 1,
        path_prefix: str = "/iap",
        retry_after: float | None = None,
    ) -> None:
        """Answer the next ``count`` requests under ``path_prefix`` with ``status``."""
        if not 400 <= status <= 599:
            raise SimError("status must be 4xx/5xx")
        _check_count(count)
        if retry_after is not None and retry_after < 0:
            raise SimError("retry_after must be >= 0")
        self.http_errors.append(ErrorInjection(count, path_prefix, status, retry_after))

    def inject_body(
        self,
        body: str | bytes,
        count: int = 1,
        path_prefix: str = "/iap",
        status: int = 200,
        content_type: str = "application/json",
    ) -> None:
        """Answer the next ``count`` requests under ``path_prefix`` with ``body``."""
        _check_count(count)
        raw = body.encode() if isinstance(body, str) else body
        self.bodies.append(BodyInjection(count, path_prefix, raw, status, content_type))

    def inject_cut(
        self, mode: CutMode = "reset", count: int = 1, path_prefix: str = "/iap"
    ) -> None:
        """Break the next ``count`` responses under ``path_prefix`` (see CutMode)."""
        if mode not in CUT_MODES:
            raise SimError(f"mode must be one of {', '.join(CUT_MODES)}")
        _check_count(count)
        self.cuts.append(CutInjection(count, path_prefix, mode))

    def black_hole(self, seconds: float | None = None) -> None:
        """Answer nothing for ``seconds`` (None: until ``end_black_hole``).

        Requests wait, WebSocket frames queue up and pings go unanswered; afterwards
        everything continues where it stopped, as after a network outage that TCP
        survived.
        """
        if seconds is not None and seconds <= 0:
            raise SimError("seconds must be > 0")
        self.answering.clear()
        if self._black_hole_end is not None:
            self._black_hole_end.cancel()
            self._black_hole_end = None
        if seconds is not None:
            self._black_hole_end = self._clock.call_later(seconds, self.end_black_hole)

    def end_black_hole(self) -> None:
        """Answer again."""
        if self._black_hole_end is not None:
            self._black_hole_end.cancel()
            self._black_hole_end = None
        self.answering.set()

    def clear(self) -> None:
        """Remove every injected fault."""
        self.latency = 0.0
        self.path_latency.clear()
        self._release_delayed()
        self.http_errors.clear()
        self.bodies.clear()
        self.cuts.clear()
        self.end_black_hole()

    # -- the check -----------------------------------------------------------------------

    def _delay(self, path: str) -> float:
        delay = self.latency
        for prefix, seconds in self.path_latency.items():
            if path.startswith(prefix):
                delay += seconds
        return delay

    async def admit(self, path: str) -> BodyInjection | None:
        """Wait out a black hole and the latency; raise ApiError when an error is due.

        Returns the body to answer instead of the handler's, if one is due. The
        control API (``/sim/``) is never delayed or failed.
        """
        if path.startswith("/sim/"):
            return None
        if not self.answering.is_set():
            await self.answering.wait()
        delay = self._delay(path)
        if delay:
            await self._wait(delay)
        error = _take(self.http_errors, path)
        if error is not None:
            self._served()
            headers = None
            if error.retry_after is not None:
                headers = {"Retry-After": f"{error.retry_after:g}"}
            raise ApiError(error.status, "injected fault", headers)
        body = _take(self.bodies, path)
        if body is not None:
            self._served()
        return body

    def _served(self) -> None:
        self._counters.injected_errors += 1
        self._counters.last_injected = self._clock.time()

    async def _wait(self, seconds: float) -> None:
        """Sleep ``seconds`` on the clock, or until latency is removed."""
        sleep = asyncio.ensure_future(self._clock.sleep(seconds))
        removed = asyncio.ensure_future(self._latency_removed.wait())
        try:
            await asyncio.wait((sleep, removed), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleep, removed):
                task.cancel()
            await asyncio.gather(sleep, removed, return_exceptions=True)

    def take_cut(self, path: str) -> CutMode | None:
        """Return how to break this response, if a cut is due for it."""
        if path.startswith("/sim/"):
            return None
        cut = _take(self.cuts, path)
        if cut is None:
            return None
        self._served()
        return cut.mode
