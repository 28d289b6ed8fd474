"""Counters the client keeps for diagnostics (shown by the integration)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(slots=True)
class ClientStats:
    """What the client has seen since it was created."""

    frames: int = 0
    updates: int = 0
    malformed_frames: int = 0
    oversized_frames: int = 0
    unknown_actions: int = 0
    ignored_frames: int = 0
    skipped_updates: int = 0
    connects: int = 0
    reconnects: int = 0
    connection_losses: int = 0
    resyncs: int = 0
    takeovers: int = 0
    probe_errors: int = 0
    logins: int = 0
    session_renewals: int = 0
    requests: int = 0

    def as_dict(self) -> dict[str, int]:
        """Return the counters as a plain dict (for diagnostics)."""
        return asdict(self)
