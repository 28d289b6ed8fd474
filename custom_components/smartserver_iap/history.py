"""Imports of one SmartServer's data logs into long-term statistics.

One import runs at a time per SmartServer; a request made while one runs waits in line
(the action's call returns when its own import is done), so imports never interleave.
Within an import the datapoints are read by two workers: at most two data-log queries
are open against the SmartServer, one per datapoint, each streamed into hourly buckets
(``logreader``) and then written as hours without a stored row (``statistics``).
Progress (percent, the datapoints being read) is kept here for the hub's sensor.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .hourly import HourlySeries, hour_of
from .iap.errors import IapError
from .listeners import CallbackRegistry
from .logreader import RETRY_DELAYS, read_datapoint
from .statistics import async_read_stored, async_write, statistic_rows, statistic_target

if TYPE_CHECKING:
    from collections.abc import Iterator

    from homeassistant.components.recorder.models import StatisticMetaData
    from homeassistant.core import HomeAssistant

    from .iap.models import Datapoint
    from .logreader import ReadStats
    from .owner import PartOwner
    from .statistics import ImportableSensor, StatisticTarget

_LOGGER = logging.getLogger(__name__)

# Data-log queries one SmartServer serves at a time for an import.
MAX_QUERIES = 2
_STORE_VERSION = 1

type ImportSummary = dict[str, dict[str, Any]]


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, dict[str, float]]]:
    return Store(hass, _STORE_VERSION, f"{DOMAIN}.{entry_id}.history")


def last_complete_hour() -> float:
    """Return the end (UNIX time) of the last complete hour: the current hour's start."""
    return hour_of(dt_util.utcnow().timestamp())


def iso_hour(t: float) -> str:
    """Return an hour's start as ISO 8601 UTC, for summaries and logs."""
    return datetime.fromtimestamp(t, UTC).isoformat()


@dataclass(frozen=True, slots=True)
class ImportSeries:
    """One sensor to import: its datapoint, its statistics and where it starts."""

    sensor_key: str  # the entity's unique id: remembers the last imported hour
    datapoint: Datapoint
    target: StatisticTarget
    start: float | None  # None: from the SmartServer's oldest entry


def import_series(
    sensor: ImportableSensor,
    datapoint: Datapoint,
    stored: StatisticMetaData | None,
    start: float | None,
) -> ImportSeries:
    """Return what importing one sensor needs.

    Raises:
        UnitMismatchError: its statistics are in a unit the SmartServer's cannot
            be converted to.
    """
    return ImportSeries(
        sensor.unique_id or sensor.entity_id,
        datapoint,
        statistic_target(sensor, stored),
        start,
    )


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """Sensors to import up to ``end``, and why (for the logs)."""

    series: list[ImportSeries]
    end: float
    reason: str


class HistoryImporter:
    """The import queue of one SmartServer, its progress and its importable sensors."""

    def __init__(self, coordinator: PartOwner) -> None:
        """Bind to the coordinator's client and entry; nothing runs until a request."""
        self.coordinator = coordinator
        self.hass = coordinator.hass
        # Every sensor of the entry by entity id; the action checks which it can import.
        self.sensors: dict[str, ImportableSensor] = {}
        self.progress: int | None = None
        self.reading: dict[str, str] = {}
        self.listeners: CallbackRegistry[str] = CallbackRegistry()
        self.retry_delays = RETRY_DELAYS
        self._pending: deque[tuple[ImportRequest, asyncio.Future[ImportSummary]]] = (
            deque()
        )
        self._runner: asyncio.Task[None] | None = None
        self._shares: dict[str, float] = {}
        self._done = 0
        self._total = 0
        self._store = _store(self.hass, coordinator.config_entry.entry_id)
        self._imported_until: dict[str, float] | None = None

    @property
    def queued(self) -> int:
        """Return the number of requests waiting behind the running one."""
        return max(len(self._pending) - 1, 0)

    @property
    def tasks(self) -> list[asyncio.Task[None]]:
        """Return the running import task, for shutdown."""
        return [] if self._runner is None else [self._runner]

    @callback
    def add_sensor(self, sensor: ImportableSensor) -> CALLBACK_TYPE:
        """Know a sensor of this entry by its entity id; return the remover."""
        entity_id = sensor.entity_id
        self.sensors[entity_id] = sensor

        @callback
        def remove() -> None:
            if self.sensors.get(entity_id) is sensor:
                del self.sensors[entity_id]

        return remove

    async def async_imported_until(self) -> dict[str, float]:
        """Return the end of the last import of each sensor (by unique id)."""
        if self._imported_until is None:
            stored = await self._store.async_load() or {}
            self._imported_until = dict(stored.get("imported_until", {}))
        return self._imported_until

    @staticmethod
    async def async_remove_store(hass: HomeAssistant, entry_id: str) -> None:
        """Forget the remembered imports of an entry (it is removed)."""
        await _store(hass, entry_id).async_remove()

    # -- the queue ---------------------------------------------------------------------

    @callback
    def submit(self, request: ImportRequest) -> asyncio.Future[ImportSummary]:
        """Queue a request; the future resolves with its summary once it ran."""
        future: asyncio.Future[ImportSummary] = self.hass.loop.create_future()
        self._pending.append((request, future))
        if self._runner is None or self._runner.done():
            self._runner = self.coordinator.config_entry.async_create_background_task(
                self.hass, self._run(), f"{DOMAIN} history import"
            )
        self.listeners.notify("progress")
        return future

    async def _run(self) -> None:
        while self._pending:
            request, future = self._pending[0]
            try:
                summary = await self._import(request)
            except asyncio.CancelledError:
                self._stop_pending()
                raise
            except Exception as err:
                _LOGGER.exception("History import (%s) failed", request.reason)
                if not future.done():
                    future.set_exception(err)
            else:
                if not future.done():
                    future.set_result(summary)
            self._pending.popleft()
            self.listeners.notify("progress")

    def _stop_pending(self) -> None:
        """Fail every waiting request: the entry unloads."""
        for _, future in self._pending:
            if not future.done():
                future.set_exception(
                    HomeAssistantError(
                        translation_domain=DOMAIN, translation_key="history_stopped"
                    )
                )
                # Nobody may be waiting (the call did not ask for a response).
                future.exception()
        self._pending.clear()

    # -- one import --------------------------------------------------------------------

    async def _import(self, request: ImportRequest) -> ImportSummary:
        groups: dict[str, list[ImportSeries]] = {}
        for one in request.series:
            groups.setdefault(one.datapoint.qualifier, []).append(one)
        label = self.coordinator.label
        _LOGGER.info(
            "Importing history (%s) of %d sensors, %d datapoints, from %s",
            request.reason,
            len(request.series),
            len(groups),
            label,
        )
        self._total = len(groups)
        self._done = 0
        self._shares.clear()
        self._set_progress()
        summary: ImportSummary = {}
        queue: Iterator[list[ImportSeries]] = iter(groups.values())

        async def worker() -> None:
            for group in queue:
                summary.update(await self._import_datapoint(group, request.end))

        try:
            async with asyncio.TaskGroup() as workers:
                for _ in range(min(MAX_QUERIES, len(groups))):
                    workers.create_task(worker())
            await self._store.async_save(
                {"imported_until": await self.async_imported_until()}
            )
        finally:
            self.reading.clear()
            self.progress = 100
            self.listeners.notify("progress")
        _log_summary(label, request.reason, summary)
        return summary

    async def _import_datapoint(
        self, group: list[ImportSeries], end: float
    ) -> ImportSummary:
        datapoint = group[0].datapoint
        qualifier = datapoint.qualifier
        starts = [one.start for one in group]
        start = None if None in starts else min(s for s in starts if s is not None)
        series = [
            HourlySeries(
                one.target.to_number, meter=one.target.meter, valid=one.target.valid
            )
            for one in group
        ]
        self.reading[qualifier] = (
            f"{datapoint.device_name}: {datapoint.instance_name or datapoint.name}"
        )
        self._set_progress()
        try:
            stats = await read_datapoint(
                self.coordinator.client,
                datapoint,
                series,
                (start, end),
                lambda share: self._advance(qualifier, share),
                retry_delays=self.retry_delays,
            )
        except IapError as err:
            return {
                one.target.statistic_id: {"datapoint": qualifier, "error": str(err)}
                for one in group
            }
        finally:
            del self.reading[qualifier]
            self._shares.pop(qualifier, None)
            self._done += 1
            self._set_progress()
        imported = await self.async_imported_until()
        summary: ImportSummary = {}
        for one, hourly in zip(group, series, strict=True):
            summary[one.target.statistic_id] = await self._write(
                one, hourly, stats, end
            )
            imported[one.sensor_key] = max(end, imported.get(one.sensor_key, end))
        return summary

    async def _write(
        self, one: ImportSeries, hourly: HourlySeries, stats: ReadStats, end: float
    ) -> dict[str, Any]:
        rows = []
        if hourly.hours:
            stored = await async_read_stored(
                self.hass, one.target.statistic_id, min(hourly.hours), end
            )
            rows = statistic_rows(one.target, hourly, stored)
            await async_write(self.hass, one.target, rows)
        return {
            "datapoint": one.datapoint.qualifier,
            "entries": stats.entries,
            "hours_written": len(rows),
            "hours_kept": len(hourly.hours) - len(rows),
            "first_hour": rows[0]["start"].isoformat() if rows else None,
            "last_hour": rows[-1]["start"].isoformat() if rows else None,
            "skipped": {
                "not_numeric": hourly.not_numeric,
                "duplicate": stats.duplicates,
                "outside_window": stats.outside_window,
                "other_datapoint": stats.other_datapoint,
            },
            "resumed": stats.resumed,
        }

    # -- progress ----------------------------------------------------------------------

    @callback
    def _advance(self, qualifier: str, share: float) -> None:
        self._shares[qualifier] = share
        self._set_progress(changed=False)

    @callback
    def _set_progress(self, *, changed: bool = True) -> None:
        """Recompute the percentage; tell the sensor when it or ``reading`` changed."""
        done = self._done + sum(self._shares.values())
        percent = min(int(100 * done / self._total), 99) if self._total else 0
        if changed or percent != self.progress:
            self.progress = percent
            self.listeners.notify("progress")


def _log_summary(label: str, reason: str, summary: ImportSummary) -> None:
    failed = {k: v["error"] for k, v in summary.items() if "error" in v}
    done = [v for v in summary.values() if "error" not in v]
    _LOGGER.info(
        "Imported history (%s) from %s: %d sensors, %d entries read, "
        "%d hours written, %d hours already stored, %d failed",
        reason,
        label,
        len(done),
        sum(v["entries"] for v in done),
        sum(v["hours_written"] for v in done),
        sum(v["hours_kept"] for v in done),
        len(failed),
    )
    for entity_id, error in failed.items():
        _LOGGER.warning(
            "History import of %s from %s failed: %s", entity_id, label, error
        )
