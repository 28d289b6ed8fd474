"""Read one datapoint's data log into hourly series, resuming a stream that was cut.

One query covers the whole window; its entries go into the series as they arrive. When
the stream breaks (the session expired, the network dropped) the hours already complete
are kept and the query starts again at the hour it broke in: from there onwards for an
oldest-first stream, up to there for a newest-first one, from the start only when the
entries came in no order at all.
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime
import logging
import math
from typing import TYPE_CHECKING

from .hourly import HOUR, hour_of
from .iap.errors import IapConnectionError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from .hourly import HourlySeries
    from .iap.client import IapClient
    from .iap.models import Datapoint

_LOGGER = logging.getLogger(__name__)

# The query's ``utc>start&utc<=end`` is open at the start: asking from one millisecond
# (the timestamps' resolution) before the hour includes an entry on the hour itself.
_MS = 0.001
# Seconds before a broken stream is asked again: the first after a break that made
# progress (a session expiring in a long stream), the others after the first, second,
# ... break in a row without progress; after as many such breaks as there are delays
# the datapoint fails.
RETRY_DELAYS: Sequence[float] = (0.0, 1.0, 5.0)
# Progress is reported every this many entries (not per entry: the loop is hot).
PROGRESS_EVERY = 2048


@dataclass(slots=True)
class ReadStats:
    """What one datapoint's stream delivered."""

    entries: int = 0
    outside_window: int = 0
    other_datapoint: int = 0
    duplicates: int = 0
    resumed: int = 0


def _query_time(t: float | None) -> datetime | None:
    return None if t is None else datetime.fromtimestamp(t - _MS, UTC)


class _Attempt:
    """Order and position of one query's stream, to know where to resume."""

    __slots__ = ("ascending", "descending", "last_t")

    def __init__(self) -> None:
        self.last_t: float | None = None
        self.ascending = True
        self.descending = True


async def read_datapoint(
    client: IapClient,
    datapoint: Datapoint,
    series: Sequence[HourlySeries],
    window: tuple[float | None, float],
    report: Callable[[float], None],
    *,
    retry_delays: Sequence[float] = RETRY_DELAYS,
) -> ReadStats:
    """Stream a window of a datapoint's log into ``series``; resume a cut stream.

    ``window`` is ``(start, end)`` in UNIX times on the hour, ``start`` None for the
    SmartServer's oldest entry. ``report`` gets the share read so far (0..1).

    Raises:
        IapError: the query failed, ``len(retry_delays)`` times in a row without
            progress (see RETRY_DELAYS).
    """
    stats = ReadStats()
    lo, hi = window
    progress = _Progress(report, window[0], hi)
    failures = 0
    while True:
        attempt = _Attempt()
        try:
            await _stream(client, datapoint, series, (lo, hi), attempt, stats, progress)
        except IapConnectionError as err:
            cut = attempt.last_t
            if cut is not None and attempt.ascending != attempt.descending:
                cut_hour = hour_of(cut)
                if attempt.ascending:
                    # Oldest first: the hours before the one it broke in are complete.
                    progressed = lo is None or cut_hour > lo
                    lo = cut_hour
                    keep = _before(cut_hour)
                else:
                    # Newest first: the hours after the one it broke in are complete.
                    progressed = cut_hour + HOUR < hi
                    hi = cut_hour + HOUR
                    keep = _after(hi)
            else:
                # Nothing read, or no order to resume by: read this window again.
                progressed = False
                keep = _outside(lo, hi)
            for one in series:
                one.drop(keep)
            failures = 0 if progressed else failures + 1
            if failures >= len(retry_delays):
                raise
            stats.resumed += 1
            _LOGGER.debug(
                "Data-log stream of %s broke (%s); resuming %s to %s",
                datapoint.qualifier,
                err,
                _query_time(lo),
                _query_time(hi),
            )
            await asyncio.sleep(retry_delays[failures])
        else:
            report(1.0)
            return stats


async def _stream(  # noqa: PLR0917
    client: IapClient,
    datapoint: Datapoint,
    series: Sequence[HourlySeries],
    window: tuple[float | None, float],
    attempt: _Attempt,
    stats: ReadStats,
    progress: _Progress,
) -> None:
    """Run one query of ``window`` and aggregate what it delivers (the hot loop)."""
    qualifier = datapoint.qualifier
    lo, hi = window
    low = -math.inf if lo is None else lo
    # Locals on the hot path; written back to ``attempt`` and ``stats`` at the end.
    # NaN compares false both ways, so the first entry sets no order.
    last_t = math.nan
    ascending = descending = True
    read = duplicates = 0
    countdown = PROGRESS_EVERY
    try:
        async with aclosing(
            client.iter_log(
                datapoint.device_id,
                datapoint.block_name,
                datapoint.block_index,
                datapoint.name,
                _query_time(lo),
                _query_time(hi),
            )
        ) as entries:
            async for entry in entries:
                if entry.qualifier != qualifier:
                    stats.other_datapoint += 1
                    continue
                t = entry.utc.timestamp()
                if t >= hi or t < low:
                    stats.outside_window += 1
                    continue
                if t > last_t:
                    descending = False
                elif t < last_t:
                    ascending = False
                last_t = t
                read += 1
                value = entry.value
                fresh = True
                for one in series:
                    fresh = one.add(t, value) and fresh
                if not fresh:
                    duplicates += 1
                countdown -= 1
                if not countdown:
                    countdown = PROGRESS_EVERY
                    progress.report(t, ascending=ascending)
    finally:
        if read:
            attempt.last_t = last_t
        attempt.ascending = ascending
        attempt.descending = descending
        stats.entries += read
        stats.duplicates += duplicates


class _Progress:
    """The share of a window read, from the position of the latest entry."""

    __slots__ = ("end", "report_fn", "start")

    def __init__(
        self, report: Callable[[float], None], start: float | None, end: float
    ) -> None:
        self.report_fn = report
        self.start = start
        self.end = end

    def report(self, t: float, *, ascending: bool) -> None:
        """Report the share read when the latest entry is at ``t``."""
        if self.start is None:
            # From the oldest entry: the first position seen stands for the start.
            self.start = t
        span = self.end - self.start
        done = t - self.start if ascending else self.end - t
        self.report_fn(min(max(done / span, 0.0), 0.99) if span > 0 else 0.0)


def _before(hour: float) -> Callable[[float], bool]:
    return lambda h: h < hour


def _after(end: float) -> Callable[[float], bool]:
    return lambda h: h >= end


def _outside(lo: float | None, hi: float) -> Callable[[float], bool]:
    return lambda h: h >= hi or (lo is not None and h < lo)
