"""Hourly aggregation of data-log entries and the rows built from it (pure)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from hypothesis import given, strategies as st
import pytest

from custom_components.smartserver_iap.datapoint_types import as_float, as_number
from custom_components.smartserver_iap.hourly import (
    HOUR,
    HourlySeries,
    MeanRow,
    StoredRow,
    SumRow,
    mean_rows,
    meter_rise,
    sum_rows,
)
from custom_components.smartserver_iap.statistics import _number_fn

if TYPE_CHECKING:
    import random

H0 = 1_790_000_000.0 - 1_790_000_000.0 % HOUR


def numbers(raw: object) -> float | None:
    value = as_number(raw)  # type: ignore[arg-type]
    return None if value is None else float(value)


def fed(entries: list[tuple[float, float]], *, meter: bool = True) -> HourlySeries:
    series = HourlySeries(numbers, meter=meter)
    for t, value in entries:
        series.add(t, value)
    return series


def sequential_consumption(values: list[float]) -> float:
    """Consumption of a meter's readings in time order, by the reset rule."""
    total = 0.0
    for before, after in itertools.pairwise(values):
        if after >= before:
            total += after - before
        elif after < 0.9 * before:
            total += after
    return total


@pytest.mark.parametrize(
    ("before", "after", "rise"),
    [(10.0, 12.5, 2.5), (10.0, 10.0, 0.0), (100.0, 95.0, 0.0), (100.0, 3.0, 3.0)],
    ids=["rise", "flat", "dip", "reset"],
)
def test_meter_rise(before: float, after: float, rise: float) -> None:
    assert meter_rise(before, after) == rise


readings = st.lists(
    st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=40
)


@given(readings, st.randoms(use_true_random=False))
def test_buckets_do_not_depend_on_the_order(
    values: list[float], rng: random.Random
) -> None:
    entries = [(H0 + 60.0 * i, v) for i, v in enumerate(values)]
    ascending = fed(entries)
    descending = fed(entries[::-1])
    shuffled_entries = entries[:]
    rng.shuffle(shuffled_entries)
    shuffled = fed(shuffled_entries)
    for series in (ascending, descending, shuffled):
        assert series.hours.keys() == ascending.hours.keys()
        for hour, bucket in series.hours.items():
            in_hour = [v for t, v in entries if hour <= t < hour + HOUR]
            assert bucket.count == len(in_hour)
            assert bucket.low == min(in_hour)
            assert bucket.high == max(in_hour)
            assert bucket.total == pytest.approx(sum(in_hour))
            assert (bucket.first, bucket.last) == (in_hour[0], in_hour[-1])
    # In time order either way, the consumption inside each hour is exact.
    for series in (ascending, descending):
        for hour, bucket in series.hours.items():
            in_hour = [v for t, v in entries if hour <= t < hour + HOUR]
            assert bucket.consumption == pytest.approx(sequential_consumption(in_hour))


def test_a_reading_between_two_others_falls_back_to_first_and_last() -> None:
    series = fed([(H0, 10.0), (H0 + 1200, 30.0), (H0 + 600, 1.0)])
    bucket = series.hours[H0]
    assert not bucket.exact
    # Out of order the reset at H0+600 is not seen: first to last only.
    assert bucket.consumption == 20.0


def test_duplicates_and_non_numbers() -> None:
    series = HourlySeries(numbers, meter=False)
    assert series.add(H0, 1.0)
    assert series.add(H0 + 60, 2.0)
    assert not series.add(H0 + 60, 2.0)
    assert not series.add(H0, 1.0)
    assert series.add(H0 + 120, "n/a")
    assert series.add(H0 + 180, True)
    assert series.not_numeric == 2
    assert series.hours[H0].count == 2
    assert series.hours[H0].rise == 0.0  # not a meter


def test_drop_keeps_what_is_asked() -> None:
    series = fed([(H0 + HOUR * n, float(n)) for n in range(5)])
    series.drop(lambda hour: hour < H0 + 2 * HOUR)
    assert sorted(series.hours) == [H0, H0 + HOUR]


def test_mean_rows_skip_stored_hours() -> None:
    series = fed([(H0, 1.0), (H0 + 1800, 3.0), (H0 + HOUR, 5.0)], meter=False)
    assert mean_rows(series.hours, [H0]) == [MeanRow(H0 + HOUR, 5.0, 5.0, 5.0)]
    assert mean_rows(series.hours, []) == [
        MeanRow(H0, 2.0, 1.0, 3.0),
        MeanRow(H0 + HOUR, 5.0, 5.0, 5.0),
    ]


def hours(*readings: tuple[int, float]) -> HourlySeries:
    """A meter with one reading in each of some hours: (hour number, value)."""
    return fed([(H0 + n * HOUR + 600, value) for n, value in readings])


def test_sums_start_at_zero_without_stored_rows() -> None:
    series = fed([(H0, 100.0), (H0 + 1800, 101.0), (H0 + HOUR, 103.0)])
    assert sum_rows(series.hours, {}, None, None) == [
        SumRow(H0, 101.0, 1.0),
        SumRow(H0 + HOUR, 103.0, 3.0),
    ]


def test_sums_continue_from_the_row_before() -> None:
    series = hours((1, 105.0), (2, 108.0))
    before = StoredRow(H0, state=100.0, sum=40.0)
    assert sum_rows(series.hours, {}, before, None) == [
        SumRow(H0 + HOUR, 105.0, 45.0),
        SumRow(H0 + 2 * HOUR, 108.0, 48.0),
    ]


def test_a_reset_after_the_row_before_counts_from_zero() -> None:
    series = hours((1, 2.0))
    before = StoredRow(H0, state=100.0, sum=40.0)
    assert sum_rows(series.hours, {}, before, None) == [SumRow(H0 + HOUR, 2.0, 42.0)]


def test_older_history_ends_where_the_stored_rows_begin() -> None:
    # Stored: hour 3 (state 120, sum 0: where Home Assistant's compiler started).
    series = hours((0, 100.0), (1, 104.0), (2, 110.0))
    after = StoredRow(H0 + 3 * HOUR, state=120.0, sum=0.0)
    rows = sum_rows(series.hours, {}, None, after)
    # 110 -> 120 is the consumption in hour 3, which the stored row's sum ends.
    assert rows == [
        SumRow(H0, 100.0, -20.0),
        SumRow(H0 + HOUR, 104.0, -16.0),
        SumRow(H0 + 2 * HOUR, 110.0, -10.0),
    ]


def test_stored_rows_inside_the_window_are_kept_and_anchor_the_sums() -> None:
    series = hours((0, 100.0), (1, 104.0), (2, 110.0), (3, 111.0))
    stored = {H0 + HOUR: StoredRow(H0 + HOUR, state=104.0, sum=500.0)}
    rows = sum_rows(series.hours, stored, None, None)
    assert rows == [
        SumRow(H0, 100.0, 496.0),
        SumRow(H0 + 2 * HOUR, 110.0, 506.0),
        SumRow(H0 + 3 * HOUR, 111.0, 507.0),
    ]


def test_sums_never_pass_the_stored_row_after() -> None:
    # The row after was compiled from a reset the import sees differently.
    series = hours((1, 150.0), (2, 160.0))
    before = StoredRow(H0, state=100.0, sum=0.0)
    after = StoredRow(H0 + 3 * HOUR, state=5.0, sum=55.0)
    assert sum_rows(series.hours, {}, before, after) == [
        SumRow(H0 + HOUR, 150.0, 50.0),
        SumRow(H0 + 2 * HOUR, 160.0, 55.0),
    ]


def test_rows_without_a_sum_or_state_do_not_anchor() -> None:
    series = hours((0, 100.0), (2, 103.0))
    stored = {H0 + HOUR: StoredRow(H0 + HOUR, state=None, sum=None)}
    after = StoredRow(H0 + 3 * HOUR, state=None, sum=10.0)
    # No usable row before: anchored backwards to the row after, no rise assumed.
    assert sum_rows(series.hours, stored, None, after) == [
        SumRow(H0, 100.0, 7.0),
        SumRow(H0 + 2 * HOUR, 103.0, 10.0),
    ]


@pytest.mark.parametrize("inline", [True, False])
def test_values_the_type_cannot_carry_stay_out(inline: bool) -> None:
    """A logged 150 % level, NaN or 1e308 °C is no number, as the sensor shows it.

    ``inline``: the raw value is the number (checked in ``HourlySeries.add``); else the
    sensor's value function and the unit conversion run first.
    """
    valid = (0.0, 100.0)
    to_number = _number_fn(as_float, None if inline else float, valid)
    assert (to_number is None) is inline
    series = HourlySeries(to_number, meter=False, valid=valid)
    for t, raw in enumerate((50, 150.0, float("nan"), float("inf"), -1, 100)):
        series.add(H0 + t, raw)
    assert series.not_numeric == 4
    bucket = series.hours[H0]
    assert (bucket.first, bucket.last) == (50, 100)
