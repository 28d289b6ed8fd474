"""``scripts/soak``: faults of every kind against a real Home Assistant; prints the table.

Exits with 1 when a goal is missed: a value lost, a fault not recovered, a traceback or
an ERROR line, the password in a log, a recovery time at p99 over the goal.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import sys
import tempfile

from .kinds import FULL, KIND_NAMES, QUICK
from .report import GOAL_SECONDS, Report
from .run import SoakSettings, run_soak


def missed(report: Report) -> list[str]:
    """Return the goals the report misses."""
    goals = []
    if report.lost:
        goals.append(f"{report.lost} values lost")
    if report.unrecovered:
        goals.append(f"{len(report.unrecovered)} faults not recovered")
    if report.health.error_lines:
        goals.append(f"{len(report.health.error_lines)} ERROR lines or tracebacks")
    if report.health.secrets_in_logs:
        goals.append("the password in a log")
    for name, value in zip(
        ("link back", "all entities right"), report.p99(), strict=True
    ):
        if value is None or value > GOAL_SECONDS:
            goals.append(f"{name} at p99: {value} s")
    return goals


def main() -> None:
    """Parse the command line, run the soak, print the table."""
    parser = argparse.ArgumentParser(prog="scripts/soak", description=__doc__)
    parser.add_argument("--faults", type=int, default=300)
    parser.add_argument("--profile", choices=("full", "quick"), default="full")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--kinds", default=",".join(KIND_NAMES), help="comma-separated fault kinds"
    )
    parser.add_argument(
        "--apart",
        default="steal",
        help="kinds reported on their own, outside the totals (comma-separated)",
    )
    parser.add_argument(
        "--rate", type=float, default=8.0, help="value changes per second"
    )
    parser.add_argument(
        "--workdir", type=Path, help="keep logs here (default: a temp dir)"
    )
    args = parser.parse_args()
    kinds = tuple(k for k in args.kinds.split(",") if k)
    unknown = set(kinds) - set(KIND_NAMES)
    if unknown:
        parser.error(f"unknown kinds {sorted(unknown)}; known: {', '.join(KIND_NAMES)}")
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        workdir = (args.workdir or Path(tmp)).resolve()
        settings = SoakSettings(
            workdir=workdir,
            faults=args.faults,
            profile=FULL if args.profile == "full" else QUICK,
            kinds=kinds,
            apart=frozenset(k for k in args.apart.split(",") if k),
            seed=args.seed,
            rate=args.rate,
        )
        report = asyncio.run(run_soak(settings))
        print(report.table())
        for line in report.health.error_lines[:20]:
            print(line)
        goals = missed(report)
        if goals:
            print(f"scripts/soak: missed: {'; '.join(goals)} (logs in {workdir})")
    sys.exit(1 if goals else 0)


if __name__ == "__main__":
    main()
