"""Hourly aggregates of data-log entries, built while the entries stream in.

A data-log query may deliver its entries oldest-first, newest-first or in no order at
all, and may be cut and resumed; a year of 1-minute entries must never be held. So each
entry goes straight into the bucket of its UTC hour (count, total, min, max, its first
and last reading and, for meters, the consumption inside the hour) and is dropped.
Memory grows with the hours of the window, not with the entries.

Rows for Home Assistant's long-term statistics are built from the buckets: mean, min
and max of measurements; state and a running sum of meters, anchored to the rows that
are already stored so the sum continues across them without a negative step.
"""

from __future__ import annotations

from dataclasses import dataclass
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from .iap.models import JsonValue

HOUR = 3600.0
# A meter reading below 90 % of the one before it is a reset to zero: Home Assistant's
# own rule for total_increasing sensors (sensor/recorder.py ``reset_detected``).
RESET_RATIO = 0.9


def hour_of(t: float) -> float:
    """Return the start of the UTC hour of a UNIX time."""
    return t - t % HOUR


def meter_rise(before: float, after: float) -> float:
    """Return the consumption between two consecutive readings of a meter.

    A drop below ``RESET_RATIO`` of the reading before is a reset: the meter counted
    ``after`` since it restarted from zero. A smaller drop is a glitch and counts
    nothing, so a running sum never decreases.
    """
    if after >= before:
        return after - before
    if after < RESET_RATIO * before:
        return after
    return 0.0


class HourBucket:
    """The readings of one series within one UTC hour."""

    __slots__ = (
        "count",
        "exact",
        "first",
        "first_t",
        "high",
        "last",
        "last_t",
        "low",
        "rise",
        "total",
    )

    def __init__(self, t: float, value: float) -> None:
        self.count = 1
        self.total = value
        self.low = value
        self.high = value
        self.first_t = t
        self.first = value
        self.last_t = t
        self.last = value
        # Consumption between consecutive readings inside the hour (meters only).
        self.rise = 0.0
        # False once a reading arrived between two others: the pairs summed into
        # ``rise`` were then not neighbours, and first-to-last is used instead.
        self.exact = True

    @property
    def mean(self) -> float:
        """Return the mean of the hour's readings."""
        return self.total / self.count

    @property
    def consumption(self) -> float:
        """Return the meter's consumption from the first to the last reading."""
        return self.rise if self.exact else meter_rise(self.first, self.last)


class HourlySeries:
    """The hourly buckets of one series (one entity) of a data-log query.

    ``value_fn`` turns an entry's raw value into the number to aggregate, already in
    the statistics' unit, or None when the entry holds no number (or one its type
    cannot carry); without one, the raw value is the number when it is an int or
    float inside ``valid`` (NaN never is).
    """

    __slots__ = ("high", "hours", "low", "meter", "not_numeric", "value_fn")

    def __init__(
        self,
        value_fn: Callable[[JsonValue], float | None] | None,
        *,
        meter: bool,
        valid: tuple[float, float] = (-sys.float_info.max, sys.float_info.max),
    ) -> None:
        self.value_fn = value_fn
        self.low, self.high = valid
        self.meter = meter
        self.hours: dict[float, HourBucket] = {}
        self.not_numeric = 0

    def add(self, t: float, raw: JsonValue) -> bool:
        """Aggregate one entry; return False when it repeats a reading's time."""
        value_fn = self.value_fn
        kind = type(raw)
        # NaN fails both comparisons; the default bounds leave out the infinities.
        if value_fn is None and (kind is int or kind is float):
            value: float | None = raw if self.low <= raw <= self.high else None  # type: ignore[assignment,operator]
        else:
            value = None if value_fn is None else value_fn(raw)
        if value is None:
            self.not_numeric += 1
            return True
        hour = t - t % HOUR
        bucket = self.hours.get(hour)
        if bucket is None:
            self.hours[hour] = HourBucket(t, value)
            return True
        if t > bucket.last_t:
            if self.meter:
                bucket.rise += meter_rise(bucket.last, value)
            bucket.last_t = t
            bucket.last = value
        elif t < bucket.first_t:
            if self.meter:
                bucket.rise += meter_rise(value, bucket.first)
            bucket.first_t = t
            bucket.first = value
        elif t in (bucket.first_t, bucket.last_t):
            return False
        else:
            bucket.exact = False
        bucket.count += 1
        bucket.total += value
        if value < bucket.low:
            bucket.low = value
        elif value > bucket.high:
            bucket.high = value
        return True

    def drop(self, keep: Callable[[float], bool]) -> None:
        """Forget the buckets of hours ``keep`` rejects (a stream cut mid-hour)."""
        for hour in [h for h in self.hours if not keep(h)]:
            del self.hours[hour]


@dataclass(frozen=True, slots=True)
class StoredRow:
    """An hourly statistics row already in the database (state and sum of meters)."""

    start: float
    state: float | None = None
    sum: float | None = None


@dataclass(frozen=True, slots=True)
class MeanRow:
    """An hourly row of a measurement."""

    start: float
    mean: float
    min: float
    max: float


@dataclass(frozen=True, slots=True)
class SumRow:
    """An hourly row of a meter: its last reading and the running sum."""

    start: float
    state: float
    sum: float


def mean_rows(hours: dict[float, HourBucket], stored: Iterable[float]) -> list[MeanRow]:
    """Return the rows of the hours that have readings and no stored row, in order."""
    taken = set(stored)
    return [
        MeanRow(hour, bucket.mean, bucket.low, bucket.high)
        for hour, bucket in sorted(hours.items())
        if hour not in taken
    ]


def sum_rows(
    hours: dict[float, HourBucket],
    stored: dict[float, StoredRow],
    before: StoredRow | None,
    after: StoredRow | None,
) -> list[SumRow]:
    """Return the rows of the hours that have readings and no stored row, in order.

    ``stored`` holds the rows inside the window, ``before`` the last row before it and
    ``after`` the first row after it. Each run of new hours continues the sum of the
    stored row before it. A run with no stored row before it (history older than
    anything stored) is anchored backwards: it ends where the stored row after it
    begins, so the consumption between them lands in that row's hour and no later sum
    changes. Sums never exceed the stored row that follows, so the dashboard never
    sees a negative step; with no stored row at all the sum starts at zero, as Home
    Assistant's own compiler starts it.
    """
    rows: list[SumRow] = []
    run: list[SumRow] = []
    anchored = False
    total = 0.0
    reading: float | None = None
    if before is not None and before.sum is not None:
        anchored, total, reading = True, before.sum, before.state

    def close_run(state: float | None, ceiling: float) -> None:
        nonlocal run
        if anchored:
            run = [
                r if r.sum <= ceiling else SumRow(r.start, r.state, ceiling)
                for r in run
            ]
        elif run:
            rise = 0.0 if state is None else meter_rise(run[-1].state, state)
            shift = ceiling - rise - run[-1].sum
            run = [SumRow(r.start, r.state, r.sum + shift) for r in run]
        rows.extend(run)
        run = []

    for hour in sorted(hours.keys() | stored.keys()):
        row = stored.get(hour)
        if row is not None:
            if row.sum is not None:
                close_run(row.state, row.sum)
                anchored, total, reading = True, row.sum, row.state
            continue
        bucket = hours[hour]
        if reading is not None:
            total += meter_rise(reading, bucket.first)
        total += bucket.consumption
        reading = bucket.last
        run.append(SumRow(hour, bucket.last, total))
    if after is not None and after.sum is not None:
        close_run(after.state, after.sum)
    rows.extend(run)
    return rows
