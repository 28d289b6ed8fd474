"""Fault injection: delayed and failing requests, and broken WebSocket frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import ApiError, SimError

if TYPE_CHECKING:
    from .clock import Clock
    from .counters import Counters
    from .websocket import Hub


@dataclass(slots=True)
class ErrorInjection:
    """Answer the next ``remaining`` requests under ``prefix`` with ``status``."""

    status: int
    remaining: int
    prefix: str


class Faults:
    """The injected faults, and the check every request passes before its handler."""

    def __init__(self, clock: Clock, counters: Counters) -> None:
        self._clock = clock
        self._counters = counters
        self.latency = 0.0
        self.http_errors: list[ErrorInjection] = []

    def inject_latency(self, seconds: float) -> None:
        """Delay every /iap request (and WS upgrade) by ``seconds`` (0 = off)."""
        if seconds < 0:
            raise SimError("latency must be >= 0")
        self.latency = seconds

    def inject_http_errors(
        self, status: int, count: int = 1, path_prefix: str = "/iap"
    ) -> None:
        """Answer the next ``count`` requests under ``path_prefix`` with ``status``."""
        if not 400 <= status <= 599 or count < 1:
            raise SimError("status must be 4xx/5xx and count >= 1")
        self.http_errors.append(ErrorInjection(status, count, path_prefix))

    async def admit(self, path: str) -> None:
        """Delay a request by the latency; raise ApiError when an error is due for it.

        The control API (``/sim/``) is never delayed or failed.
        """
        if path.startswith("/sim/"):
            return
        if self.latency:
            await self._clock.sleep(self.latency)
        status = self._take_error(path)
        if status is not None:
            self._counters.injected_errors += 1
            raise ApiError(status, "injected fault")

    def _take_error(self, path: str) -> int | None:
        for injection in self.http_errors:
            if path.startswith(injection.prefix):
                injection.remaining -= 1
                if injection.remaining <= 0:
                    self.http_errors.remove(injection)
                return injection.status
        return None


async def send_malformed_frame(hub: Hub) -> None:
    """Send a text frame that is not JSON to every general WebSocket."""
    hub.send_raw(b'{"action": "UPD:DATAPOINT", "payload": [{"datapointQ')
    await hub.drain()


async def send_oversized_frame(hub: Hub, size: int) -> None:
    """Send one valid JSON frame of ``size`` bytes to every general WebSocket."""
    head = b'{"action":"CRT:NOTIFICATION","payload":{"message":"'
    tail = b'"}}'
    pad = max(size - len(head) - len(tail), 0)
    hub.send_raw(head + b"x" * pad + tail)
    await hub.drain()
