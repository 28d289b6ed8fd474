"""Automatic gap back-fill: import the hours Home Assistant missed, once the link is back.

While the live link is down, or Home Assistant is stopped, the sensors record nothing and
the hourly statistics get holes; the SmartServer kept logging. When the link comes back
after an outage longer than ``OUTAGE_THRESHOLD``, and at the first link after Home
Assistant started, every importable sensor whose newest hourly row is older than the
last complete hour is imported from the hour after that row: the same import as the
action's, queued behind any import that runs.
"""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import TYPE_CHECKING, Protocol

from homeassistant.core import callback
from homeassistant.helpers.recorder import DATA_INSTANCE
from homeassistant.util import dt as dt_util

from .const import CONF_HISTORY_BACKFILL, DOMAIN
from .history import ImportRequest, import_series, last_complete_hour
from .hourly import HOUR
from .owner import PartOwner
from .statistics import (
    UnitMismatchError,
    async_newest_hours,
    async_stored_metadata,
    is_importable,
)

if TYPE_CHECKING:
    import asyncio
    from datetime import datetime

    from .history import HistoryImporter

_LOGGER = logging.getLogger(__name__)

# A shorter outage leaves no hour without a row: the hours it touched are compiled
# from the states before and after it.
OUTAGE_THRESHOLD = timedelta(hours=1)


class BackfillOwner(PartOwner, Protocol):
    """What the back-fill needs of the coordinator that owns it."""

    history: HistoryImporter


class GapBackfill:
    """Watches the link and queues the import of the hours an outage left empty."""

    def __init__(self, coordinator: BackfillOwner) -> None:
        """Check once at the first link (Home Assistant may have been stopped)."""
        self.coordinator = coordinator
        self.enabled = bool(
            coordinator.config_entry.options.get(CONF_HISTORY_BACKFILL, True)
        )
        self.threshold = OUTAGE_THRESHOLD
        self._check_due = True
        self._down_since: datetime | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def tasks(self) -> list[asyncio.Task[None]]:
        """Return the running check, for shutdown."""
        return [] if self._task is None else [self._task]

    @callback
    def link_down(self) -> None:
        """Remember when the outage began."""
        if self._down_since is None:
            self._down_since = dt_util.utcnow()

    @callback
    def link_up(self) -> None:
        """Queue the back-fill when the link was down long enough, or at the first link."""
        down_since, self._down_since = self._down_since, None
        if down_since is not None and dt_util.utcnow() - down_since >= self.threshold:
            self._check_due = True
        if not (self._check_due and self.enabled):
            return
        self._check_due = False
        if self.coordinator.hass.data.get(DATA_INSTANCE) is None:
            _LOGGER.debug("No recorder: no gap back-fill")
            return
        self._task = self.coordinator.config_entry.async_create_background_task(
            self.coordinator.hass, self._async_queue(), f"{DOMAIN} gap back-fill"
        )

    async def _async_queue(self) -> None:
        """Queue an import of every sensor whose statistics stop before the last hour."""
        coordinator = self.coordinator
        hass = coordinator.hass
        sensors = {
            entity_id: sensor
            for entity_id, sensor in coordinator.history.sensors.items()
            if is_importable(sensor.state_class)
        }
        if not sensors:
            return
        newest = await async_newest_hours(hass, set(sensors))
        end = last_complete_hour()
        missing = {
            entity_id: hour + HOUR
            for entity_id, hour in newest.items()
            if hour + HOUR < end and entity_id in sensors
        }
        if not missing:
            return
        stored = await async_stored_metadata(hass, set(missing))
        series = []
        site = coordinator.site
        for entity_id, start in missing.items():
            sensor = sensors[entity_id]
            datapoint = site.datapoints.get(sensor.qualifier)
            if datapoint is None:
                continue
            try:
                series.append(
                    import_series(sensor, datapoint, stored.get(entity_id), start)
                )
            except UnitMismatchError as err:
                _LOGGER.debug("No gap back-fill for %s: %s", entity_id, err)
        if series:
            coordinator.history.submit(ImportRequest(series, end, "gap back-fill"))
