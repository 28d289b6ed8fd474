"""The one reconnect back-off: exponential, capped, with full jitter."""

from __future__ import annotations

from dataclasses import dataclass, field
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(slots=True)
class Backoff:
    """Delays for successive reconnect attempts.

    The n-th delay (n from 0) is drawn uniformly from
    ``[base * (1 - jitter), base]`` where ``base = min(cap, initial * factor**n)``,
    so many clients that lost the same SmartServer do not come back in lock step, yet
    the first retry is still quick. ``rand`` is injectable so tests are deterministic.
    """

    initial: float = 1.0
    cap: float = 60.0
    factor: float = 2.0
    jitter: float = 0.5
    rand: Callable[[], float] = field(default=random.random, repr=False)
    attempts: int = 0

    def __post_init__(self) -> None:
        """Reject settings that would never wait or never grow."""
        if self.initial <= 0 or self.cap < self.initial:
            raise ValueError("need 0 < initial <= cap")
        if self.factor < 1 or not 0 <= self.jitter <= 1:
            raise ValueError("need factor >= 1 and 0 <= jitter <= 1")

    def peek_base(self) -> float:
        """Return the un-jittered delay of the next attempt."""
        # Bound the exponent: factor**attempts overflows long after the cap is reached.
        exponent = min(self.attempts, 64)
        return min(self.cap, self.initial * self.factor**exponent)

    def next_delay(self) -> float:
        """Return the delay before the next attempt and count the attempt."""
        base = self.peek_base()
        self.attempts += 1
        return base * (1 - self.jitter * self.rand())

    def reset(self, attempts: int = 0) -> None:
        """Start again from the initial delay, or as if ``attempts`` had failed."""
        self.attempts = attempts


@dataclass(slots=True)
class ReconnectDelays:
    """How long the live listener waits before its next connect attempt.

    - A link that came up and was lost: the back-off starts again from its first
      delay, unless the link was a flap (lost within ``flap_after`` seconds): then it
      goes on from the number of flaps in a row (links with no failed attempt in
      between), so a SmartServer that accepts the link and drops it at once gets
      ever slower retries.
    - An attempt the SmartServer answered with an error: the next back-off delay.
    - An attempt it did not answer at all (a refused port, a time-out, a reset, an
      unexpected certificate): ``retry_interval``, jittered like the back-off, which
      stays where it was. Trying costs a silent SmartServer nothing, and the link is
      back within about ``retry_interval`` once it answers again.
    """

    backoff: Backoff
    retry_interval: float
    flap_after: float
    flaps: int = 0

    def after_link(self, lasted: float) -> float:
        """Return the delay after losing a link that was up for ``lasted`` seconds."""
        self.flaps = self.flaps + 1 if lasted < self.flap_after else 0
        self.backoff.reset(max(self.flaps - 1, 0))
        return self.backoff.next_delay()

    def after_attempt(self, *, answered: bool) -> float:
        """Return the delay after a connect attempt that failed."""
        # An outage between two short links: they were not flaps in a row.
        self.flaps = 0
        if answered:
            return self.backoff.next_delay()
        backoff = self.backoff
        return self.retry_interval * (1 - backoff.jitter * backoff.rand())
