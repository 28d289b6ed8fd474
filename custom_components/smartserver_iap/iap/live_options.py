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
    # The back-off of a SmartServer that answers but fails (5xx, 429, refused
    # credentials, a link dropped right after it came up). The first retry after a
    # lost link waits backoff_initial.
    backoff_initial: float = 0.5
    backoff_cap: float = 60.0
    backoff_factor: float = 2.0
    backoff_jitter: float = 0.5
    # A SmartServer that does not answer at all (the port refuses, nothing answers in
    # time, a connection reset, another certificate) is tried again this often
    # (jittered like the back-off): trying costs it nothing, and the link is back
    # within this long once it answers again.
    retry_interval: float = 1.0
    # A link lost within this many seconds of coming up was a flap: the back-off
    # goes on growing, so a SmartServer that accepts and drops at once is not hammered.
    flap_after: float = 2.0
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
    # An outage ends (a later loss is reported as a new one) only once a link stayed
    # up this long.
    stable_after: float = 30.0
    # Connect attempts in a row the SmartServer must refuse on the credentials before
    # run_live raises IapAuthenticationError: one stray 401 is an outage, not a reauth.
    auth_attempts: int = 3
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
