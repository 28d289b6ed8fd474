"""The ``import_history`` action: check the request, queue the import, sum it up.

Everything is checked before anything is queued: a request with one bad target or a
bad window imports nothing. Whole hours only: the start rounds down and the end up to a
full hour, and the end is at most the last complete hour. Without a start each sensor
continues after its last import, or starts at the SmartServer's oldest entry.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.core import ServiceCall, SupportsResponse, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.target import (
    TargetSelection,
    async_extract_referenced_entity_ids,
)
from homeassistant.util import dt as dt_util
import probatio as vol

from .const import DOMAIN
from .history import ImportRequest, import_series, iso_hour, last_complete_hour
from .hourly import HOUR, hour_of
from .statistics import UnitMismatchError, async_stored_metadata, is_importable

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.core import HomeAssistant, ServiceResponse

    from .history import HistoryImporter, ImportSeries, ImportSummary
    from .iap.models import Datapoint
    from .statistics import ImportableSensor

SERVICE_IMPORT_HISTORY = "import_history"
ATTR_START = "start"
ATTR_END = "end"

IMPORT_HISTORY_SCHEMA = cv.make_entity_service_schema(
    {vol.Optional(ATTR_START): cv.datetime, vol.Optional(ATTR_END): cv.datetime}
)


@callback
def async_register_history_action(hass: HomeAssistant) -> None:
    """Register the ``import_history`` action."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_IMPORT_HISTORY,
        _async_import_history,
        schema=IMPORT_HISTORY_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def _utc_ts(value: datetime) -> float:
    """Return a time of the call as a UNIX time (without a zone: Home Assistant's)."""
    return dt_util.as_utc(value).timestamp()


type _Sensor = tuple[ImportableSensor, Datapoint]


@dataclass(slots=True)
class _Selection:
    """The targeted sensors, by the SmartServer that imports them."""

    by_importer: dict[int, tuple[HistoryImporter, list[_Sensor]]] = field(
        default_factory=dict
    )

    def add(self, importer: HistoryImporter, sensor: _Sensor) -> None:
        self.by_importer.setdefault(id(importer), (importer, []))[1].append(sensor)


def _select(hass: HomeAssistant, call: ServiceCall) -> _Selection:
    """Return the targeted sensors; a named entity that cannot be imported is an error.

    Devices, areas and labels contribute their importable sensors and nothing else.
    """
    selected = async_extract_referenced_entity_ids(hass, TargetSelection(call.data))
    owners = {
        entity_id: entry.runtime_data.history
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        for entity_id in entry.runtime_data.history.sensors
    }
    selection = _Selection()
    for entity_id in sorted(selected.referenced | selected.indirectly_referenced):
        named = entity_id in selected.referenced
        importer = owners.get(entity_id)
        if importer is None:
            if named:
                raise _invalid("history_not_smartserver", entity_id=entity_id)
            continue
        sensor = importer.sensors[entity_id]
        datapoint = sensor.datapoint
        if datapoint is None or not is_importable(sensor.state_class):
            if named:
                raise _invalid("history_not_numeric", entity_id=entity_id)
            continue
        selection.add(importer, (sensor, datapoint))
    if not selection.by_importer:
        raise _invalid("history_no_sensors")
    return selection


def _window(call: ServiceCall) -> tuple[float | None, float]:
    """Return the requested window as whole hours, the end at most the last one."""
    latest = last_complete_hour()
    start: datetime | None = call.data.get(ATTR_START)
    end: datetime | None = call.data.get(ATTR_END)
    if start is not None and end is not None and _utc_ts(end) <= _utc_ts(start):
        raise _invalid(
            "history_end_before_start", start=start.isoformat(), end=end.isoformat()
        )
    # Whole hours: the start rounds down, the end up (and to the last complete hour).
    end_ts = latest if end is None else min(-hour_of(-_utc_ts(end)), latest)
    if start is None:
        return None, end_ts
    start_ts = hour_of(_utc_ts(start))
    if start_ts >= end_ts:
        raise _invalid(
            "history_nothing_to_import", start=iso_hour(start_ts), end=iso_hour(end_ts)
        )
    return start_ts, end_ts


def _check_retention(sensor: _Sensor, start: float | None) -> None:
    """Refuse a start older than the SmartServer keeps the sensor's data log."""
    days = sensor[1].log_retention_days
    if start is None or days is None:
        return
    earliest = hour_of(dt_util.utcnow().timestamp() - days * 86400.0) + HOUR
    if start < earliest:
        raise _invalid(
            "history_before_retention",
            entity_id=sensor[0].entity_id,
            days=f"{days:g}",
            earliest=iso_hour(earliest),
        )


async def _async_requests(
    hass: HomeAssistant, selection: _Selection, start: float | None, end: float
) -> list[tuple[HistoryImporter, ImportRequest]]:
    """Return one request per SmartServer, or raise before anything is queued."""
    targeted = [one for _, group in selection.by_importer.values() for one in group]
    for one in targeted:
        _check_retention(one, start)
    stored = await async_stored_metadata(hass, {s.entity_id for s, _ in targeted})
    requests = []
    for importer, group in selection.by_importer.values():
        imported = await importer.async_imported_until()
        series: list[ImportSeries] = []
        for sensor, datapoint in group:
            first = start
            if first is None:
                first = imported.get(sensor.unique_id or sensor.entity_id)
            try:
                series.append(
                    import_series(
                        sensor,
                        datapoint,
                        stored.get(sensor.entity_id),
                        None if first is None else min(first, end - HOUR),
                    )
                )
            except UnitMismatchError as err:
                raise _invalid(
                    "history_unit_mismatch",
                    entity_id=sensor.entity_id,
                    unit=str(err.native),
                    statistics_unit=str(err.stored),
                ) from err
        requests.append((importer, ImportRequest(series, end, "action")))
    return requests


async def _async_import_history(call: ServiceCall) -> ServiceResponse:
    """Import the data logs of the targeted sensors into their statistics."""
    hass = call.hass
    selection = _select(hass, call)
    start, end = _window(call)
    requests = await _async_requests(hass, selection, start, end)
    futures = [importer.submit(request) for importer, request in requests]
    if not call.return_response:
        # The import runs on; its progress shows on the hub's sensor and in the log.
        for future in futures:
            future.add_done_callback(_retrieve)
        return None
    summaries: list[ImportSummary] = await asyncio.gather(*futures)
    entities: dict[str, Any] = {}
    for summary in summaries:
        entities.update(summary)
    if all("error" in one for one in entities.values()):
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="history_failed",
            translation_placeholders={"error": next(iter(entities.values()))["error"]},
        )
    return {"entities": entities}


def _retrieve(future: asyncio.Future[ImportSummary]) -> None:
    """Mark a failure nobody waits for as seen (the importer logged it)."""
    if not future.cancelled():
        future.exception()
