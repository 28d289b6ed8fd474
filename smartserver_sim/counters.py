"""Counters the tests read: requests by path, logins, frames and updates sent."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Counters:
    """Plain counters; ``as_dict`` is what the ``counters`` control op returns."""

    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    logins: int = 0
    login_failures: int = 0
    lockouts: int = 0
    frames_sent: int = 0
    updates_sent: int = 0
    bytes_sent: int = 0
    ws_opened: int = 0
    ws_refused: int = 0
    log_queries: int = 0
    log_entries_sent: int = 0
    subscribes: int = 0
    writes: int = 0
    # Reads "on the wire" (the device network): a value GET past its max_age.
    wire_reads: int = 0
    injected_errors: int = 0
    # When the last injected error, body or cut was served (clock time; 0: never).
    last_injected: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready copy."""
        return {
            "requests": dict(self.requests),
            "statuses": {str(k): v for k, v in self.statuses.items()},
            "logins": self.logins,
            "login_failures": self.login_failures,
            "lockouts": self.lockouts,
            "frames_sent": self.frames_sent,
            "updates_sent": self.updates_sent,
            "bytes_sent": self.bytes_sent,
            "ws_opened": self.ws_opened,
            "ws_refused": self.ws_refused,
            "log_queries": self.log_queries,
            "log_entries_sent": self.log_entries_sent,
            "subscribes": self.subscribes,
            "writes": self.writes,
            "wire_reads": self.wire_reads,
            "injected_errors": self.injected_errors,
            "last_injected": self.last_injected,
        }

    def reset(self) -> None:
        """Zero every counter."""
        fresh = Counters()
        for name in self.__slots__:
            setattr(self, name, getattr(fresh, name))
