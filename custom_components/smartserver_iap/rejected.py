"""Values shown as unknown because their type cannot carry them, kept for diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field
import logging

_LOGGER = logging.getLogger(__name__)


@dataclass(slots=True)
class RejectedValues:
    """How many updates were out of their type's range, and the latest of each.

    ``latest`` holds the ``repr`` of the value (NaN and infinities are not JSON).
    """

    count: int = 0
    latest: dict[str, str] = field(default_factory=dict)

    def record(self, qualifier: str, value: object) -> None:
        """Count one rejected update of ``qualifier``."""
        self.count += 1
        self.latest[qualifier] = repr(value)
        _LOGGER.debug("Implausible value of %s shown as unknown: %r", qualifier, value)

    def as_dict(self) -> dict[str, object]:
        """Return the counts for diagnostics."""
        return {"count": self.count, "latest": dict(sorted(self.latest.items()))}
