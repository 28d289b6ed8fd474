"""The soak's results: one outcome per fault, and the table of the issue."""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .kinds import Kind

# Recovery times at p99 must stay below this once the SmartServer answers again.
GOAL_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one fault went; times in seconds after the SmartServer answered again."""

    kind: str
    link_back: float | None
    all_right: float | None
    lost: int
    logins: int

    @property
    def recovered(self) -> bool:
        """Return True once the link was back and every entity right in time."""
        return self.link_back is not None and self.all_right is not None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Return the nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _spread(values: list[float]) -> str:
    return " / ".join(
        _seconds(v)
        for v in (
            percentile(values, 0.5),
            percentile(values, 0.99),
            max(values, default=None),
        )
    )


@dataclass(slots=True)
class Health:
    """What the Home Assistant process looked like at the start and at the end."""

    tasks: tuple[int, int] = (0, 0)
    integration_tasks: tuple[int, int] = (0, 0)
    fds: tuple[int, int] = (0, 0)
    error_lines: list[str] = field(default_factory=list)
    secrets_in_logs: bool = False
    final_wrong: int = 0

    @property
    def tracebacks(self) -> int:
        """Return the number of tracebacks in Home Assistant's log."""
        return sum(line.startswith("Traceback") for line in self.error_lines)


@dataclass(slots=True)
class Report:
    """Every outcome of one soak, by kind."""

    kinds: Sequence[Kind]
    outcomes: list[Outcome] = field(default_factory=list)
    health: Health = field(default_factory=Health)
    duration: float = 0.0
    # Kinds reported on their own and left out of the totals (see ``table``).
    apart: frozenset[str] = frozenset()

    def of(self, kind: str) -> list[Outcome]:
        """Return the outcomes of one kind."""
        return [o for o in self.outcomes if o.kind == kind]

    def counted(self) -> list[Outcome]:
        """Return the outcomes that count towards the totals."""
        return [o for o in self.outcomes if o.kind not in self.apart]

    @property
    def lost(self) -> int:
        """Return the values lost over the counted faults, and at the end."""
        return sum(o.lost for o in self.counted()) + self.health.final_wrong

    @property
    def unrecovered(self) -> list[Outcome]:
        """Return the counted faults that did not recover in time."""
        return [o for o in self.counted() if not o.recovered]

    def p99(self) -> tuple[float | None, float | None]:
        """Return the p99 of link back and of all entities right (counted faults)."""
        counted = [o for o in self.counted() if o.recovered]
        return (
            percentile([o.link_back for o in counted if o.link_back is not None], 0.99),
            percentile([o.all_right for o in counted if o.all_right is not None], 0.99),
        )

    def table(self) -> str:
        """Return the results as the issue's Markdown table, with the totals."""
        lines = [
            (
                "| fault | n | recovered | values lost | link back p50 / p99 / max (s) "
                "| all entities right p50 / p99 / max (s) | logins per fault |"
            ),
            "|---|---:|---:|---:|---|---|---:|",
        ]
        for kind in self.kinds:
            outcomes = self.of(kind.name)
            if not outcomes:
                continue
            recovered = [o for o in outcomes if o.recovered]
            label = kind.label + (" (apart)" if kind.name in self.apart else "")
            logins = sum(o.logins for o in outcomes) / len(outcomes)
            lines.append(
                f"| {label} | {len(outcomes)} | {len(recovered)} "
                f"| {sum(o.lost for o in outcomes)} "
                f"| {_spread([o.link_back for o in recovered if o.link_back is not None])} "
                f"| {_spread([o.all_right for o in recovered if o.all_right is not None])} "
                f"| {logins:.1f} |"
            )
        counted = self.counted()
        link_p99, right_p99 = self.p99()
        health = self.health
        logins = sum(o.logins for o in counted) / max(len(counted), 1)
        lines += [
            "",
            f"faults: {len(counted)} counted"
            + (f" (+{len(self.outcomes) - len(counted)} apart)" if self.apart else "")
            + f", recovered {len(counted) - len(self.unrecovered)},"
            f" values lost {self.lost} (at the end: {health.final_wrong}),"
            f" in {self.duration / 60:.1f} min",
            (
                f"p99 after the SmartServer answers again: link back {_seconds(link_p99)} s,"
                f" all entities right {_seconds(right_p99)} s (goal <= {GOAL_SECONDS:g} s)"
            ),
            (
                f"logins per fault: {logins:.2f}; tracebacks: {health.tracebacks};"
                f" ERROR lines: {len(health.error_lines) - health.tracebacks};"
                f" secrets in logs: {'yes' if health.secrets_in_logs else 'no'}"
            ),
            (
                f"tasks: {health.tasks[0]} -> {health.tasks[1]} (integration"
                f" {health.integration_tasks[0]} -> {health.integration_tasks[1]});"
                f" fds: {health.fds[0]} -> {health.fds[1]}"
            ),
        ]
        return "\n".join(lines)
