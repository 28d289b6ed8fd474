"""The soak's report on its own: percentiles, totals, the table, the goals."""

from __future__ import annotations

from .soak.__main__ import missed
from .soak.kinds import KINDS
from .soak.report import Health, Outcome, Report, percentile


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.99) is None
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([3.0, 1.0, 2.0], 0.99) == 3.0


def test_report_totals_table_and_goals() -> None:
    report = Report(KINDS, apart=frozenset({"steal"}))
    report.outcomes = [
        Outcome("ws_drop", 0.4, 0.6, 0, 0),
        Outcome("ws_drop", 0.2, 7.0, 0, 1),
        Outcome("kill9", None, None, 3, 1),
        Outcome("steal", 0.0, None, 12, 0),
    ]
    report.health = Health(error_lines=["Traceback (most recent call last):"])
    assert [o.kind for o in report.unrecovered] == ["kill9"]
    # The stolen subscription is reported apart: not in the totals.
    assert report.lost == 3
    assert report.p99() == (0.4, 7.0)
    table = report.table()
    assert (
        "| WebSocket drop | 2 | 2 | 0 | 0.2 / 0.4 / 0.4 | 0.6 / 7.0 / 7.0 | 0.5 |"
        in table
    )
    assert "| stolen subscription (apart) | 1 | 0 | 12 |" in table
    assert "tracebacks: 1" in table
    goals = missed(report)
    assert goals == [
        "3 values lost",
        "1 faults not recovered",
        "1 ERROR lines or tracebacks",
        "all entities right at p99: 7.0 s",
    ]
    assert not missed(Report(KINDS, [Outcome("ws_drop", 0.1, 0.2, 0, 0)]))
