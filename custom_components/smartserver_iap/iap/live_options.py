"""``LiveOptions``: the live listener's timings (seconds)."""

from __future__ import annotations

from dataclasses import dataclass, field
import random
from typing import TYPE_CHECKING

from .backoff import Backoff

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(slots=True)
class LiveOptions:
    """Timings of the live listener (seconds)."""

    heartbeat: float | None = 30.0
    max_msg_size: int = 4 * 1024 * 1024
    backoff_initial: float = 1.0
    backoff_cap: float = 60.0
    backoff_factor: float = 2.0
    backoff_jitter: float = 0.5
    # A takeover check starts every probe_interval (None: never); with probe_timeout
    # for the updates to arrive, any takeover is found within about 55 s.
    probe_interval: float | None = 45.0
    probe_timeout: float = 10.0
    # max_age of the check's bulk read: the SmartServer answers from its cache and
    # reads nothing on the device network (None reads every candidate on the wire).
    probe_max_age: float | None = 365 * 86400.0
    connect_timeout: float = 10.0
    # max_age of the read-back after a reconnect: the SmartServer answers from its
    # cache when the value is that young (None reads every datapoint on the wire).
    resync_max_age: float | None = 30.0
    # The back-off resets (and an outage ends) only once a link stayed up this long.
    stable_after: float = 30.0
    # After an alarm frame, the alarms are read again this much later (one read for a
    # burst of frames).
    alarm_debounce: float = 1.0
    rand: Callable[[], float] = field(default=random.random, repr=False)

    def backoff(self) -> Backoff:
        """Return a fresh back-off with these settings."""
        return Backoff(
            self.backoff_initial,
            self.backoff_cap,
            self.backoff_factor,
            self.backoff_jitter,
            self.rand,
        )
