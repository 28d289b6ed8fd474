"""The recorder side of a history import: metadata, the rows already stored, the write.

Imported hours go into the sensor's own long-term statistics (``source: recorder``,
the entity id as statistic id), so the entity's statistics graph and the Energy
dashboard show them without any extra series. Only hours without a row are written:
rows Home Assistant compiled (or an earlier import wrote) are never overwritten, and
the running sum of meters is anchored to them (``hourly.sum_rows``). Why not an
external ``smartserver_iap:`` series: see ``docs/history.md``.

The stored rows are read with small indexed queries (the last row before the window,
the rows inside it, the first row after it, hourly and 5-minute): the recorder's public
read helpers give either the newest rows or whole periods, converted to the display
unit, while the anchors must be in the statistics' own unit. An hour with 5-minute rows
counts as stored: the compiler turns them into its hourly row, and an imported row there
would make that insert fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from homeassistant.components.recorder.db_schema import Statistics, StatisticsShortTerm
from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    STATISTIC_UNIT_TO_UNIT_CONVERTER,
    UNIT_CLASS_TO_UNIT_CONVERTER,
    async_import_statistics,
    get_metadata,
)
from homeassistant.components.sensor import SensorStateClass
from homeassistant.components.sensor.const import UNIT_CONVERTERS
from homeassistant.helpers.recorder import get_instance, session_scope
from sqlalchemy import func, select

from .datapoint_types import FINITE, PLAIN_NUMBERS, ValueRange
from .hourly import HOUR, StoredRow, hour_of, mean_rows, sum_rows

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.components.sensor import SensorDeviceClass
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.typing import StateType

    from .datapoint_types import DatapointSensorDescription
    from .hourly import HourlySeries
    from .iap.models import Datapoint, JsonValue

RECORDER_SOURCE = "recorder"
# State classes whose history can be imported, and whether they keep a sum.
IMPORTABLE: dict[str | None, bool] = {
    SensorStateClass.MEASUREMENT: False,
    SensorStateClass.TOTAL_INCREASING: True,
}


class ImportableSensor(Protocol):
    """What an import needs of a sensor (``sensor.SmartServerSensor``)."""

    entity_id: str
    entity_description: DatapointSensorDescription

    @property
    def unique_id(self) -> str | None:
        """Return the entity's unique id."""

    @property
    def qualifier(self) -> str:
        """Return the qualifier of the datapoint the sensor shows."""

    @property
    def datapoint(self) -> Datapoint | None:
        """Return the datapoint the sensor shows, while the SmartServer has it."""

    @property
    def state_class(self) -> str | None:
        """Return the sensor's state class."""

    @property
    def device_class(self) -> SensorDeviceClass | None:
        """Return the sensor's device class."""

    @property
    def native_unit_of_measurement(self) -> str | None:
        """Return the unit the SmartServer's values are in."""

    @property
    def unit_of_measurement(self) -> str | None:
        """Return the unit the sensor shows (after the user's choice)."""


class UnitMismatchError(Exception):
    """The statistics' unit cannot be reached from the SmartServer's unit."""

    def __init__(self, native: str | None, stored: str | None) -> None:
        """Remember both units for the message."""
        super().__init__(f"cannot convert {native} to {stored}")
        self.native = native
        self.stored = stored


@dataclass(frozen=True, slots=True)
class StatisticTarget:
    """What one sensor's statistics need: metadata, kind and the value conversion."""

    metadata: StatisticMetaData
    meter: bool
    # An entry's raw value -> the number in the statistics' unit (None: not a
    # number); None when the raw value is the number (``HourlySeries``).
    to_number: Callable[[JsonValue], float | None] | None
    # The values the sensor's type can carry (``HourlySeries`` checks them inline).
    valid: ValueRange

    @property
    def statistic_id(self) -> str:
        """Return the statistic id (the entity id)."""
        return self.metadata["statistic_id"]


@dataclass(frozen=True, slots=True)
class StoredRows:
    """The rows of one statistic inside a window and its neighbours outside it."""

    inside: dict[float, StoredRow]
    before: StoredRow | None = None
    after: StoredRow | None = None


def is_importable(state_class: str | None) -> bool:
    """Return True for the state classes whose history can be imported."""
    return state_class in IMPORTABLE


def unit_class_of(device_class: str | None, unit: str | None) -> str | None:
    """Return the unit class Home Assistant's compiler gives a sensor's statistics."""
    converter = UNIT_CONVERTERS.get(device_class) if device_class else None
    if converter is not None and unit in converter.VALID_UNITS:
        return converter.UNIT_CLASS
    converter = STATISTIC_UNIT_TO_UNIT_CONVERTER.get(unit)
    return None if converter is None else converter.UNIT_CLASS


def _number_fn(
    value_fn: Callable[[JsonValue], StateType],
    convert: Callable[[float], float] | None,
    valid: ValueRange,
) -> Callable[[JsonValue], float | None] | None:
    """Return the raw value -> number function; None when the value is the number.

    A value the sensor's type cannot carry (``valid``) is no number: the sensor shows
    it as unknown, and the statistics leave it out too.
    """
    if value_fn in PLAIN_NUMBERS and convert is None:
        # The common case, checked inline for each entry (``HourlySeries.add``).
        return None
    low, high = valid

    def to_number(raw: JsonValue) -> float | None:
        value = value_fn(raw)
        if (type(value) is float or type(value) is int) and low <= value <= high:
            return value if convert is None else convert(value)
        return None

    return to_number


def statistic_target(
    sensor: ImportableSensor, stored: StatisticMetaData | None
) -> StatisticTarget:
    """Return the statistics of one sensor, matching what its compiler writes.

    Statistics that exist keep their unit (the SmartServer's values are converted to
    it); new ones take the sensor's display unit, as the compiler would.

    Raises:
        UnitMismatchError: the SmartServer's unit cannot be converted to that unit.
    """
    meter = IMPORTABLE[sensor.state_class]
    description = sensor.entity_description
    valid = description.valid_range or FINITE
    native = sensor.native_unit_of_measurement
    if stored is not None:
        unit = stored["unit_of_measurement"]
        unit_class = stored["unit_class"]
    else:
        unit = sensor.unit_of_measurement
        unit_class = unit_class_of(sensor.device_class, unit)
    convert: Callable[[float], float] | None = None
    if native != unit:
        converter = UNIT_CLASS_TO_UNIT_CONVERTER.get(unit_class)
        if converter is None or not {native, unit} <= converter.VALID_UNITS:
            raise UnitMismatchError(native, unit)
        convert = converter.converter_factory(native, unit)
    metadata = StatisticMetaData(
        has_sum=meter,
        mean_type=StatisticMeanType.NONE if meter else StatisticMeanType.ARITHMETIC,
        name=None,
        source=RECORDER_SOURCE,
        statistic_id=sensor.entity_id,
        unit_class=unit_class,
        unit_of_measurement=unit,
    )
    return StatisticTarget(
        metadata,
        meter,
        _number_fn(description.value_fn, convert, valid),
        valid,
    )


async def async_stored_metadata(
    hass: HomeAssistant, statistic_ids: set[str]
) -> dict[str, StatisticMetaData]:
    """Return the metadata of those statistics that exist."""
    found = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_ids=statistic_ids)
    )
    return {statistic_id: meta for statistic_id, (_, meta) in found.items()}


# What an hourly and a 5-minute row cover, to tell which of two rows ends later.
_SPANS = ((Statistics, HOUR), (StatisticsShortTerm, 300.0))


def _read_stored(
    hass: HomeAssistant, statistic_id: str, start: float, end: float
) -> StoredRows:
    instance = get_instance(hass)
    with session_scope(hass=hass, read_only=True) as session:
        meta = instance.statistics_meta_manager.get(session, statistic_id)
        if meta is None:
            return StoredRows({})
        inside: dict[float, StoredRow] = {}
        before: tuple[float, StoredRow] | None = None
        after: tuple[float, StoredRow] | None = None
        # 5-minute rows first: an hour that has them gets its hourly row from them
        # soon (or has it already, which then wins), so it counts as stored too.
        for table, span in reversed(_SPANS):
            columns = select(table.start_ts, table.state, table.sum).where(
                table.metadata_id == meta[0]
            )
            for ts, state, total in session.execute(
                columns.where(table.start_ts >= start, table.start_ts < end).order_by(
                    table.start_ts
                )
            ):
                inside[hour_of(ts)] = StoredRow(hour_of(ts), state, total)
            found = session.execute(
                columns.where(table.start_ts < start)
                .order_by(table.start_ts.desc())
                .limit(1)
            ).first()
            if found is not None and (before is None or found[0] + span > before[0]):
                before = (
                    found[0] + span,
                    StoredRow(hour_of(found[0]), found[1], found[2]),
                )
            found = session.execute(
                columns.where(table.start_ts >= end).order_by(table.start_ts).limit(1)
            ).first()
            if found is not None and (after is None or found[0] < after[0]):
                after = (found[0], StoredRow(hour_of(found[0]), found[1], found[2]))
    return StoredRows(
        inside,
        None if before is None else before[1],
        None if after is None else after[1],
    )


async def async_read_stored(
    hass: HomeAssistant, statistic_id: str, start: float, end: float
) -> StoredRows:
    """Return the rows stored for ``[start, end)`` (UNIX times) and the neighbours."""
    return await get_instance(hass).async_add_executor_job(
        _read_stored, hass, statistic_id, start, end
    )


def _newest_hours(hass: HomeAssistant, statistic_ids: set[str]) -> dict[str, float]:
    instance = get_instance(hass)
    with session_scope(hass=hass, read_only=True) as session:
        metas = instance.statistics_meta_manager.get_many(
            session, statistic_ids=statistic_ids
        )
        ids = {meta_id: statistic_id for statistic_id, (meta_id, _) in metas.items()}
        if not ids:
            return {}
        newest = session.execute(
            select(Statistics.metadata_id, func.max(Statistics.start_ts))
            .where(Statistics.metadata_id.in_(ids))
            .group_by(Statistics.metadata_id)
        ).all()
    return {ids[meta_id]: start for meta_id, start in newest if start is not None}


async def async_newest_hours(
    hass: HomeAssistant, statistic_ids: set[str]
) -> dict[str, float]:
    """Return the start (UNIX time) of each statistic's newest hourly row."""
    return await get_instance(hass).async_add_executor_job(
        _newest_hours, hass, statistic_ids
    )


def _start(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def statistic_rows(
    target: StatisticTarget, series: HourlySeries, stored: StoredRows
) -> list[StatisticData]:
    """Return the rows to write: the hours with readings and no stored row."""
    if target.meter:
        return [
            StatisticData(start=_start(row.start), state=row.state, sum=row.sum)
            for row in sum_rows(
                series.hours, stored.inside, stored.before, stored.after
            )
        ]
    return [
        StatisticData(start=_start(row.start), mean=row.mean, min=row.min, max=row.max)
        for row in mean_rows(series.hours, stored.inside)
    ]


async def async_write(
    hass: HomeAssistant, target: StatisticTarget, rows: list[StatisticData]
) -> None:
    """Queue the rows in the recorder and wait until they are committed.

    Waiting makes the next read (a later import of the same sensor) see them, so an
    import never anchors to rows that are about to change.
    """
    if rows:
        async_import_statistics(hass, target.metadata, rows)
    await get_instance(hass).async_block_till_done()
