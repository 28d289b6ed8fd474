"""The one place that maps SmartServer datapoint types to Home Assistant entities.

A datapoint's type (``SNVT_temp_p``, ``SNVT_switch``, ``UCPT…``) decides which entities
it becomes: device class, native unit, state class, suggested display precision (from the
type's resolution), value function and, for enums, the option list. Structured values are split into one entity per meaningful field instead of
being dumped into attributes. Unknown types still become plain sensors with the unit the
SmartServer reports, if any.

Descriptions are frozen and cached, so 5,000 datapoints of a few types share a handful of
description objects and nothing here runs per update except the ``value_fn``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
import json
import math
from typing import TYPE_CHECKING, Final

from homeassistant.components.binary_sensor import BinarySensorEntityDescription
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    LIGHT_LUX,
    PERCENTAGE,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfFrequency,
    UnitOfPower,
    UnitOfPressure,
    UnitOfRatio,
    UnitOfSpeed,
    UnitOfTemperature,
    UnitOfTime,
    UnitOfVolume,
    UnitOfVolumeFlowRate,
)

from .naming import name_words

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.helpers.typing import StateType

    from .iap.models import Datapoint, JsonValue

MAX_STATE_LENGTH: Final = 255


# --- value functions -------------------------------------------------------------------


def as_number(value: JsonValue) -> float | int | None:
    """Return a finite number, or None for anything else (unknown)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def as_integer(value: JsonValue) -> float | int | None:
    """Return a number of a whole-number type: ``565.0`` and ``565`` both give 565."""
    number = as_number(value)
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def as_float(value: JsonValue) -> float | None:
    """Return a number of a fractional type as a float: ``21`` gives 21.0."""
    number = as_number(value)
    return None if number is None else float(number)


def as_text(value: JsonValue) -> str | None:
    """Return a value as a state string, at most 255 characters."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "on" if value else "off"
    elif isinstance(value, (int, float)):
        text = str(value)
    else:
        text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    return text[:MAX_STATE_LENGTH]


def as_state(value: JsonValue) -> StateType:
    """Return numbers as numbers and everything else as text (unknown types)."""
    number = as_number(value)
    if number is not None:
        return number
    return as_text(value)


def _field(
    value_fn: Callable[[JsonValue], StateType], name: str, value: JsonValue
) -> StateType:
    """Apply ``value_fn`` to one field of a structured value."""
    if not isinstance(value, dict):
        return None
    return value_fn(value.get(name))


def _enum(prefix: str, options: frozenset[str], value: JsonValue) -> str | None:
    """Map ``OC_OCCUPIED`` style enum names to the lower-case option ``occupied``."""
    if not isinstance(value, str):
        return None
    key = value.strip().lower().removeprefix(prefix)
    return key if key in options else None


def _switch_state(value: JsonValue) -> bool | None:
    """Return the on/off half of a SNVT_switch (``state`` -1 is invalid: unknown)."""
    if not isinstance(value, dict):
        return None
    state = value.get("state")
    if isinstance(state, bool):
        return state
    if isinstance(state, (int, float)):
        if state < 0:
            return None
        return state != 0
    if isinstance(state, str):
        text = state.strip().lower()
        if text in ("1", "on", "st_on", "true"):
            return True
        if text in ("0", "off", "st_off", "false"):
            return False
    return None


# --- descriptions ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DatapointSensorDescription(SensorEntityDescription):
    """How one datapoint (or one field of it) becomes a sensor.

    ``key`` is the unique-id suffix: empty for the datapoint itself, the field name for
    one field of a structured value.
    """

    value_fn: Callable[[JsonValue], StateType] = as_state


@dataclass(frozen=True, kw_only=True)
class DatapointBinarySensorDescription(BinarySensorEntityDescription):
    """How one datapoint (or one field of it) becomes a binary sensor."""

    value_fn: Callable[[JsonValue], bool | None]


@dataclass(frozen=True, slots=True)
class DatapointEntities:
    """Every entity description one datapoint produces, per platform."""

    sensors: tuple[DatapointSensorDescription, ...] = ()
    binary_sensors: tuple[DatapointBinarySensorDescription, ...] = ()

    @property
    def device_class(self) -> str | None:
        """Return the device class of a datapoint that is one sensor, else None.

        Enumerations have none to speak of: Home Assistant names no entity "Enum".
        """
        if len(self.sensors) != 1 or self.binary_sensors or self.sensors[0].key:
            return None
        device_class = self.sensors[0].device_class
        if device_class in (None, SensorDeviceClass.ENUM):
            return None
        return str(device_class)


@dataclass(frozen=True, slots=True)
class _Numeric:
    """How a number is measured: device class, unit, state class and display.

    ``precision`` is the suggested display precision (decimals), from the type's
    resolution; ``integer`` marks whole-number types, whose values are shown as
    integers whatever the JSON form (``565.0`` or ``565``).
    """

    device_class: SensorDeviceClass | None
    unit: str | None
    state_class: SensorStateClass = SensorStateClass.MEASUREMENT
    precision: int | None = None
    integer: bool = False


_MEASUREMENT = SensorStateClass.MEASUREMENT
_TOTAL_INCREASING = SensorStateClass.TOTAL_INCREASING

_TEMPERATURE = _Numeric(
    SensorDeviceClass.TEMPERATURE, UnitOfTemperature.CELSIUS, precision=1
)
_PERCENT = _Numeric(None, PERCENTAGE, precision=1)
_HUMIDITY = _Numeric(SensorDeviceClass.HUMIDITY, PERCENTAGE, precision=0)
_VOLUME_LITERS = _Numeric(
    SensorDeviceClass.VOLUME, UnitOfVolume.LITERS, _TOTAL_INCREASING, 1
)
_VOLUME_CUBIC_METERS = _Numeric(
    SensorDeviceClass.VOLUME, UnitOfVolume.CUBIC_METERS, _TOTAL_INCREASING, 1
)
_VOLUME_MILLILITERS = _Numeric(
    SensorDeviceClass.VOLUME, UnitOfVolume.MILLILITERS, _TOTAL_INCREASING, 1
)


def _energy(unit: str, precision: int, *, integer: bool = False) -> _Numeric:
    return _Numeric(
        SensorDeviceClass.ENERGY, unit, _TOTAL_INCREASING, precision, integer
    )


def _count(state_class: SensorStateClass, *, integer: bool = True) -> _Numeric:
    return _Numeric(None, None, state_class, 0, integer)


# Resolutions are those of the LonMark SNVT master list: SNVT_temp_p counts in 0.01 °C
# (shown with one decimal), SNVT_ppm in whole ppm, and so on. SNVT_flow counts whole
# L/s, but SmartServers report water flows such as 0.384 L/s: two decimals show them.
NUMERIC_TYPES: Final[dict[str, _Numeric]] = {
    # temperature
    "SNVT_temp": _TEMPERATURE,
    "SNVT_temp_p": _TEMPERATURE,
    "SNVT_temp_f": _TEMPERATURE,
    "SNVT_temp_diff_p": _Numeric(SensorDeviceClass.TEMPERATURE_DELTA, UnitOfTemperature.CELSIUS, precision=1),
    # levels and percentages (humidity is decided by the datapoint's names)
    "SNVT_lev_percent": _PERCENT,
    "SNVT_lev_cont": _PERCENT,
    "SNVT_lev_cont_f": _PERCENT,
    # power and energy: meter readings only grow (a reset starts a new cycle)
    "SNVT_power": _Numeric(SensorDeviceClass.POWER, UnitOfPower.WATT, precision=0),
    "SNVT_power_f": _Numeric(SensorDeviceClass.POWER, UnitOfPower.WATT, precision=0),
    "SNVT_power_kilo": _Numeric(SensorDeviceClass.POWER, UnitOfPower.KILO_WATT, precision=1),
    "SNVT_elec_kwh": _energy(UnitOfEnergy.KILO_WATT_HOUR, 0, integer=True),
    "SNVT_elec_kwh_l": _energy(UnitOfEnergy.KILO_WATT_HOUR, 1),
    "SNVT_elec_whr": _energy(UnitOfEnergy.WATT_HOUR, 1),
    "SNVT_elec_whr_f": _energy(UnitOfEnergy.WATT_HOUR, 0),
    # electricity
    "SNVT_volt": _Numeric(SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.VOLT, precision=1),
    "SNVT_volt_f": _Numeric(SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.VOLT, precision=1),
    "SNVT_volt_kilo": _Numeric(SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.KILOVOLT, precision=1),
    "SNVT_volt_mil": _Numeric(SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.MILLIVOLT, precision=1),
    "SNVT_amp": _Numeric(SensorDeviceClass.CURRENT, UnitOfElectricCurrent.AMPERE, precision=1),
    "SNVT_amp_f": _Numeric(SensorDeviceClass.CURRENT, UnitOfElectricCurrent.AMPERE, precision=2),
    "SNVT_amp_mil": _Numeric(SensorDeviceClass.CURRENT, UnitOfElectricCurrent.MILLIAMPERE, precision=1),
    "SNVT_freq_hz": _Numeric(SensorDeviceClass.FREQUENCY, UnitOfFrequency.HERTZ, precision=1),
    "SNVT_freq_f": _Numeric(SensorDeviceClass.FREQUENCY, UnitOfFrequency.HERTZ, precision=2),
    # light and air
    "SNVT_lux": _Numeric(SensorDeviceClass.ILLUMINANCE, LIGHT_LUX, precision=0, integer=True),
    "SNVT_ppm": _Numeric(SensorDeviceClass.CO2, UnitOfRatio.PARTS_PER_MILLION, precision=0, integer=True),
    "SNVT_ppm_f": _Numeric(SensorDeviceClass.CO2, UnitOfRatio.PARTS_PER_MILLION, precision=0),
    # flow and volume (water or gas when the datapoint's names say so)
    "SNVT_flow": _Numeric(SensorDeviceClass.VOLUME_FLOW_RATE, UnitOfVolumeFlowRate.LITERS_PER_SECOND, precision=2),
    "SNVT_flow_f": _Numeric(SensorDeviceClass.VOLUME_FLOW_RATE, UnitOfVolumeFlowRate.LITERS_PER_SECOND, precision=2),
    "SNVT_flow_mil": _Numeric(SensorDeviceClass.VOLUME_FLOW_RATE, UnitOfVolumeFlowRate.MILLILITERS_PER_SECOND, precision=0, integer=True),
    "SNVT_flow_p": _Numeric(SensorDeviceClass.VOLUME_FLOW_RATE, UnitOfVolumeFlowRate.CUBIC_METERS_PER_HOUR, precision=1),
    "SNVT_vol": _VOLUME_LITERS,
    "SNVT_vol_f": _VOLUME_LITERS,
    "SNVT_vol_kilo": _VOLUME_CUBIC_METERS,  # kilolitres
    "SNVT_vol_mil": _VOLUME_MILLILITERS,
    # pressure and speed
    "SNVT_press": _Numeric(SensorDeviceClass.PRESSURE, UnitOfPressure.KPA, precision=1),
    "SNVT_press_f": _Numeric(SensorDeviceClass.PRESSURE, UnitOfPressure.PA, precision=0),
    "SNVT_press_p": _Numeric(SensorDeviceClass.PRESSURE, UnitOfPressure.PA, precision=0, integer=True),
    "SNVT_speed": _Numeric(SensorDeviceClass.SPEED, UnitOfSpeed.METERS_PER_SECOND, precision=1),
    "SNVT_speed_f": _Numeric(SensorDeviceClass.SPEED, UnitOfSpeed.METERS_PER_SECOND, precision=2),
    "SNVT_speed_mil": _Numeric(SensorDeviceClass.SPEED, UnitOfSpeed.MILLIMETERS_PER_SECOND, precision=0, integer=True),
    # time: seconds and minutes are delays and intervals; hours count run time
    "SNVT_time_sec": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.SECONDS, precision=1),
    "SNVT_time_f": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.SECONDS, precision=1),
    "SNVT_time_min": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.MINUTES, precision=0, integer=True),
    "SNVT_time_hour": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.HOURS, _TOTAL_INCREASING, 0, integer=True),
    "UCPTmaxSendTime": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.SECONDS, precision=1),
    "UCPTminSendTime": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.SECONDS, precision=1),
    "UCPTheartbeat": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.SECONDS, precision=1),
    # counts: a count may go down (occupants); one whose names say it counts events
    # (pulses, switchings) only grows, see COUNTERS; *_inc are signed increments
    "SNVT_count": _count(_MEASUREMENT),
    "SNVT_count_32": _count(_MEASUREMENT),
    "SNVT_count_f": _count(_MEASUREMENT, integer=False),
    "SNVT_count_inc": _count(_MEASUREMENT),
    "SNVT_count_inc_f": _count(_MEASUREMENT, integer=False),
    # setpoints and limits reported as configuration properties
    "UCPTsetpoint": _TEMPERATURE,
    "UCPTlowLimit1": _Numeric(None, None),
    "UCPThighLimit1": _Numeric(None, None),
}  # fmt: skip

# A volume whose datapoint, block or device names say water or gas: the device class
# the Energy dashboard takes (it accepts litres and cubic metres, not millilitres).
WATER_VOLUMES: Final[dict[_Numeric, _Numeric]] = {
    volume: _Numeric(SensorDeviceClass.WATER, volume.unit, _TOTAL_INCREASING, volume.precision)
    for volume in (_VOLUME_LITERS, _VOLUME_CUBIC_METERS)
}  # fmt: skip
GAS_VOLUMES: Final[dict[_Numeric, _Numeric]] = {
    volume: _Numeric(SensorDeviceClass.GAS, volume.unit, _TOTAL_INCREASING, volume.precision)
    for volume in (_VOLUME_LITERS, _VOLUME_CUBIC_METERS)
}  # fmt: skip

# A count whose datapoint or block names say it counts events (pulses, switchings,
# starts, cycles) or totals something: it only grows, and a drop is a meter reset.
COUNTERS: Final[dict[_Numeric, _Numeric]] = {
    count: _count(_TOTAL_INCREASING, integer=count.integer)
    for count in (NUMERIC_TYPES["SNVT_count"], NUMERIC_TYPES["SNVT_count_f"])
}
COUNTER_WORDS: Final = ("pulse", "switch", "start", "cycle", "total", "meter", "consum")

# Units a SmartServer may report for a type this module does not know, and what they
# mean. Anything else is passed through as the unit, without a device class.
UNIT_CLASSES: Final[dict[str, _Numeric]] = {
    "°C": _TEMPERATURE,
    "°F": _Numeric(SensorDeviceClass.TEMPERATURE, UnitOfTemperature.FAHRENHEIT),
    "K": _Numeric(SensorDeviceClass.TEMPERATURE, UnitOfTemperature.KELVIN),
    "W": _Numeric(SensorDeviceClass.POWER, UnitOfPower.WATT),
    "kW": _Numeric(SensorDeviceClass.POWER, UnitOfPower.KILO_WATT),
    "kWh": NUMERIC_TYPES["SNVT_elec_kwh"],
    "Wh": NUMERIC_TYPES["SNVT_elec_whr"],
    "V": NUMERIC_TYPES["SNVT_volt"],
    "A": NUMERIC_TYPES["SNVT_amp"],
    "mA": NUMERIC_TYPES["SNVT_amp_mil"],
    "lx": NUMERIC_TYPES["SNVT_lux"],
    "lux": NUMERIC_TYPES["SNVT_lux"],
    "Pa": NUMERIC_TYPES["SNVT_press_p"],
    "kPa": NUMERIC_TYPES["SNVT_press"],
    "hPa": _Numeric(SensorDeviceClass.PRESSURE, UnitOfPressure.HPA),
    "bar": _Numeric(SensorDeviceClass.PRESSURE, UnitOfPressure.BAR),
    "L/s": NUMERIC_TYPES["SNVT_flow"],
    "l/s": NUMERIC_TYPES["SNVT_flow"],
    "m³/h": NUMERIC_TYPES["SNVT_flow_p"],
    "L": _VOLUME_LITERS,
    "l": _VOLUME_LITERS,
    "m³": _VOLUME_CUBIC_METERS,
    "m/s": NUMERIC_TYPES["SNVT_speed"],
    "Hz": NUMERIC_TYPES["SNVT_freq_hz"],
    "s": NUMERIC_TYPES["SNVT_time_sec"],
    "%": _PERCENT,
}

OCCUPANCY_OPTIONS: Final = ("occupied", "unoccupied", "bypass", "standby")
HVAC_MODE_OPTIONS: Final = (
    "auto",
    "heat",
    "mrng_wrmup",
    "cool",
    "night_purge",
    "pre_cool",
    "off",
    "test",
    "emerg_heat",
    "fan_only",
    "free_cool",
    "ice",
    "max_heat",
    "economy",
    "dehumid",
    "calibrate",
    "emerg_cool",
    "emerg_steam",
    "max_cool",
    "hvc_load",
    "no_load",
)
LEVEL_OPTIONS: Final = ("off", "low", "med", "high", "on")


def _enum_description(
    translation_key: str, prefix: str, options: tuple[str, ...]
) -> DatapointSensorDescription:
    return DatapointSensorDescription(
        key="",
        translation_key=translation_key,
        device_class=SensorDeviceClass.ENUM,
        options=list(options),
        value_fn=partial(_enum, prefix, frozenset(options)),
    )


ENUM_TYPES: Final[dict[str, DatapointSensorDescription]] = {
    "SNVT_occupancy": _enum_description("occupancy", "oc_", OCCUPANCY_OPTIONS),
    "SNVT_hvac_mode": _enum_description("hvac_mode", "hvac_", HVAC_MODE_OPTIONS),
    "SNVT_lev_disc": _enum_description("level", "st_", LEVEL_OPTIONS),
}

# Structured types whose fields are known: field -> how that field is measured.
STRUCTURED_TYPES: Final[dict[str, dict[str, _Numeric]]] = {
    "SNVT_temp_setpt": {
        "occupied_cool": _TEMPERATURE,
        "standby_cool": _TEMPERATURE,
        "unoccupied_cool": _TEMPERATURE,
        "occupied_heat": _TEMPERATURE,
        "standby_heat": _TEMPERATURE,
        "unoccupied_heat": _TEMPERATURE,
    },
}

SWITCH_TYPES: Final = frozenset({"SNVT_switch", "SNVT_switch_2"})

_SWITCH = DatapointEntities(
    sensors=(
        DatapointSensorDescription(
            key="level",
            translation_key="switch_level",
            native_unit_of_measurement=PERCENTAGE,
            state_class=SensorStateClass.MEASUREMENT,
            suggested_display_precision=0,
            value_fn=partial(_field, as_float, "value"),
        ),
    ),
    binary_sensors=(
        DatapointBinarySensorDescription(
            key="state",
            translation_key="switch_state",
            value_fn=_switch_state,
        ),
    ),
)


def _names_say(datapoint: Datapoint, word: str, *, device: bool = False) -> bool:
    """Return True when the datapoint's names (or its device's) contain ``word``.

    Anywhere in a name for longer words (``nvoWaterVolume``, ``Humidity``); as a word
    of its own for short ones (``RH`` in ``nvoSpaceRH``, ``Space_RH``, ``rh sensor``).
    """
    names = [datapoint.name, datapoint.instance_name, datapoint.block_name]
    if device:
        names.append(datapoint.device_name)
    for name in names:
        if not name:
            continue
        if len(word) > 3 and word in name.lower():
            return True
        if any(part.lower() == word for part in name_words(name)):
            return True
    return False


def _is_humidity(datapoint: Datapoint) -> bool:
    """Return True when a percentage datapoint's names say it is relative humidity."""
    return _names_say(datapoint, "humid") or _names_say(datapoint, "rh")


def _measured(numeric: _Numeric, datapoint: Datapoint) -> _Numeric:
    """Refine a type's measure by the datapoint's names: humidity, water, gas, counter."""
    if numeric is _PERCENT and _is_humidity(datapoint):
        return _HUMIDITY
    if numeric in COUNTERS and any(_names_say(datapoint, w) for w in COUNTER_WORDS):
        return COUNTERS[numeric]
    if numeric in WATER_VOLUMES:
        if _names_say(datapoint, "water", device=True):
            return WATER_VOLUMES[numeric]
        if _names_say(datapoint, "gas", device=True):
            return GAS_VOLUMES[numeric]
    return numeric


def _numeric_description(
    key: str,
    numeric: _Numeric,
    value_fn: Callable[[JsonValue], StateType],
    translation_key: str | None = None,
) -> DatapointSensorDescription:
    return DatapointSensorDescription(
        key=key,
        translation_key=translation_key,
        device_class=numeric.device_class,
        native_unit_of_measurement=numeric.unit,
        state_class=numeric.state_class,
        suggested_display_precision=numeric.precision,
        value_fn=value_fn,
    )


def _value_fn(numeric: _Numeric) -> Callable[[JsonValue], StateType]:
    """Return how values of a measure are read: whole or fractional numbers."""
    if numeric.integer:
        return as_integer
    if numeric.precision is None:
        return as_number
    return as_float


@lru_cache(maxsize=512)
def _numeric_entities(numeric: _Numeric) -> DatapointEntities:
    return DatapointEntities(
        sensors=(_numeric_description("", numeric, _value_fn(numeric)),)
    )


@lru_cache(maxsize=512)
def _structured_entities(
    type_name: str | None, fields: tuple[tuple[str, str], ...]
) -> DatapointEntities:
    """Split a structured value: one sensor per scalar field (``fields``: name, kind)."""
    known = STRUCTURED_TYPES.get(type_name or "", {})
    sensors: list[DatapointSensorDescription] = []
    for name, kind in fields:
        if (numeric := known.get(name)) is not None:
            sensors.append(
                _numeric_description(
                    name, numeric, partial(_field, _value_fn(numeric), name), "field"
                )
            )
            continue
        sensors.append(
            DatapointSensorDescription(
                key=name,
                translation_key="field",
                state_class=SensorStateClass.MEASUREMENT if kind == "number" else None,
                value_fn=partial(
                    _field, as_number if kind == "number" else as_text, name
                ),
            )
        )
    return DatapointEntities(sensors=tuple(sensors))


@lru_cache(maxsize=512)
def _plain_entities(unit: str | None, numeric_value: bool) -> DatapointEntities:
    """Describe an unknown type: by its unit when known, else a plain sensor."""
    if unit and (numeric := UNIT_CLASSES.get(unit)) is not None:
        return _numeric_entities(numeric)
    if unit:
        # A unit means a number: HA refuses text states on sensors with a unit.
        return _numeric_entities(_Numeric(None, unit))
    if numeric_value:
        return DatapointEntities(
            sensors=(
                DatapointSensorDescription(
                    key="", state_class=SensorStateClass.MEASUREMENT, value_fn=as_number
                ),
            )
        )
    return DatapointEntities(sensors=(DatapointSensorDescription(key=""),))


def _kind(value: JsonValue) -> str:
    if isinstance(value, bool):
        return "text"
    if isinstance(value, (int, float)):
        return "number"
    return "text"


def describe_datapoint(
    datapoint: Datapoint, value: JsonValue = None
) -> DatapointEntities:
    """Return the entity descriptions for one datapoint.

    ``value`` is the datapoint's current value when known (the bulk read at setup);
    it tells the shape of structured values of unknown types.
    """
    type_name = datapoint.type_name
    if value is None:
        value = datapoint.value
    if type_name in SWITCH_TYPES:
        return _SWITCH
    if type_name in ENUM_TYPES:
        return DatapointEntities(sensors=(ENUM_TYPES[type_name],))
    if (numeric := NUMERIC_TYPES.get(type_name or "")) is not None:
        return _numeric_entities(_measured(numeric, datapoint))
    if isinstance(value, dict):
        fields = tuple(
            (str(name), _kind(field))
            for name, field in value.items()
            if not isinstance(field, (dict, list))
        )
        if fields:
            return _structured_entities(type_name, fields)
    if type_name in STRUCTURED_TYPES:
        return _structured_entities(
            type_name, tuple((name, "number") for name in STRUCTURED_TYPES[type_name])
        )
    unit = datapoint.unit.strip() if datapoint.unit else None
    return _plain_entities(unit or None, _kind(value) == "number")
