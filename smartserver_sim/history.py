"""Deterministic data-log history, generated lazily from each datapoint's generator.

A datapoint with a log interval has one entry at every multiple of that interval (UNIX
time) within the retention window; its value is the generator's value at that instant.
Nothing is stored, so a year of 1-minute data streams in constant memory.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .options import SimOptions
from .timefmt import UTC_FORMATS, HourlyTimes, iso_z, parse_time, zoned_local

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .model import Datapoint, Scenario


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A half-open or closed interval of UNIX times; None means unbounded."""

    lo: float | None = None
    lo_inclusive: bool = False
    hi: float | None = None
    hi_inclusive: bool = True

    def clip(self, retention_start: float, now: float) -> TimeRange:
        """Return the range limited to [retention_start, now]."""
        lo, lo_inc = self.lo, self.lo_inclusive
        if lo is None or lo < retention_start:
            lo, lo_inc = retention_start, True
        hi, hi_inc = self.hi, self.hi_inclusive
        if hi is None or hi > now:
            hi, hi_inc = now, True
        return TimeRange(lo, lo_inc, hi, hi_inc)


def log_steps(interval: float, rng: TimeRange) -> range:
    """Return the step numbers k (entry at k*interval) inside a bounded range."""
    assert rng.lo is not None and rng.hi is not None
    lo_k = rng.lo / interval
    first = math.ceil(lo_k) if rng.lo_inclusive else math.floor(lo_k) + 1
    hi_k = rng.hi / interval
    last = math.floor(hi_k) if rng.hi_inclusive else math.ceil(hi_k) - 1
    return range(first, max(last + 1, first))


def history_value(dp: Datapoint, t: float) -> Any:
    """Return the logged value of ``dp`` at ``t``."""
    if dp.generator is None:
        return dp.default
    return dp.generator.value_at(t, dp.seed)


def iter_entries(
    dp: Datapoint, rng: TimeRange, options: SimOptions, zone: ZoneInfo
) -> Iterator[dict[str, Any]]:
    """Yield the data-log entries of one datapoint within a bounded range."""
    interval = dp.log_interval
    if not interval:
        return
    steps = log_steps(interval, rng)
    if options.log_order == "desc":
        steps = steps[::-1]
    utc_form = options.log_utc_format
    times = HourlyTimes(zone)
    device = dp.device
    base = {
        "dpQualifier": dp.qualifier,
        "deviceId": f"{_sc_id(dp)}.{device.num}",
        "deviceName": device.name,
        "blockName": dp.block,
        "blockIndex": str(dp.index),
        "datapointName": dp.name,
        "name": dp.instance_name,
        "deviceHealth": device.health,
        "tags": [1],
    }
    for k in steps:
        t = k * interval
        texts = times.texts(t)
        iso, local = (iso_z(t), zoned_local(t, zone)) if texts is None else texts
        if utc_form == "zoned":
            utc = iso + "[UTC]"
        elif utc_form == "z":
            utc = iso
        else:
            utc = UTC_FORMATS[utc_form](t)
        yield {
            "id": dp.uid * 100_000_000 + k % 100_000_000,
            "local": local,
            "utc": utc,
            **base,
            "value": history_value(dp, t),
        }


def _sc_id(dp: Datapoint) -> str:
    return dp.qualifier.split("/", 1)[0]


def expected_log_entries(
    scenario: Scenario,
    qualifier: str,
    start: float,
    end: float,
    *,
    options: SimOptions | None = None,
) -> list[dict[str, Any]]:
    """Return the entries a data-log query ``utc>start&utc<=end`` yields for a datapoint.

    Pure: the same scenario (seed) gives the same entries; retention and "now" clipping
    are the caller's business (pick a window inside the last ``history_days``).
    """
    opts = options or SimOptions()
    zone = ZoneInfo(scenario.timezone or opts.timezone)
    dp = scenario.datapoints[qualifier]
    return list(iter_entries(dp, TimeRange(start, False, end, True), opts, zone))


def hourly_means(entries: list[dict[str, Any]]) -> dict[int, float]:
    """Return the mean value per UTC hour (hour start as UNIX time) of numeric entries."""
    sums: dict[int, list[float]] = {}
    for entry in entries:
        t = parse_time(entry["utc"])
        sums.setdefault(int(t // 3600) * 3600, []).append(float(entry["value"]))
    return {h: sum(v) / len(v) for h, v in sums.items()}
