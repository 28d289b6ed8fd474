"""The one place that maps SmartServer datapoint types to Home Assistant entities.

A datapoint's type (``SNVT_temp_p``, ``SNVT_switch``, ``UCPT…``) decides which entities
it becomes: device class, native unit, state class, value function and, for enums, the
option list. Structured values are split into one entity per meaningful field instead of
being dumped into attributes. Unknown types still become plain sensors with the unit the
SmartServer reports, if any.

Every numeric entity has the range of values its type can carry (``valid_range``, from
the LonMark SNVT definitions; any finite number for types without one): a value outside
it (1e308 °C, a switch level of 150 %, NaN) is shown as unknown and never reaches the
statistics; the entity counts it for diagnostics.

Descriptions are frozen and cached, so 5,000 datapoints of a few types share a handful of
description objects and nothing here runs per update except the ``value_fn`` and the
range check.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
import json
import math
import re
import sys
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
    UnitOfVolumeFlowRate,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.helpers.typing import StateType

    from .iap.models import Datapoint, JsonValue

MAX_STATE_LENGTH: Final = 255

type ValueRange = tuple[float, float]

# Any finite number: the range of numeric values of a type without a known one.
FINITE: Final[ValueRange] = (-sys.float_info.max, sys.float_info.max)


# --- value functions -------------------------------------------------------------------


def as_number(value: JsonValue) -> float | int | None:
    """Return a finite number, or None for anything else (unknown)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def as_real(value: JsonValue) -> float | int | None:
    """Return any number, NaN and infinities included (the range check rejects them)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


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
    one field of a structured value. ``valid_range``: the values the type can carry
    (numbers only); anything outside is shown as unknown.
    """

    value_fn: Callable[[JsonValue], StateType] = as_state
    valid_range: ValueRange | None = None


@dataclass(frozen=True, kw_only=True)
class DatapointBinarySensorDescription(BinarySensorEntityDescription):
    """How one datapoint (or one field of it) becomes a binary sensor."""

    value_fn: Callable[[JsonValue], bool | None]


@dataclass(frozen=True, slots=True)
class DatapointEntities:
    """Every entity description one datapoint produces, per platform."""

    sensors: tuple[DatapointSensorDescription, ...] = ()
    binary_sensors: tuple[DatapointBinarySensorDescription, ...] = ()


@dataclass(frozen=True, slots=True)
class _Numeric:
    device_class: SensorDeviceClass | None
    unit: str | None
    state_class: SensorStateClass = SensorStateClass.MEASUREMENT


_TEMPERATURE = _Numeric(SensorDeviceClass.TEMPERATURE, UnitOfTemperature.CELSIUS)
_PERCENT = _Numeric(None, PERCENTAGE)
_HUMIDITY = _Numeric(SensorDeviceClass.HUMIDITY, PERCENTAGE)
_COUNT = _Numeric(None, None)

NUMERIC_TYPES: Final[dict[str, _Numeric]] = {
    # temperature
    "SNVT_temp": _TEMPERATURE,
    "SNVT_temp_p": _TEMPERATURE,
    "SNVT_temp_f": _TEMPERATURE,
    "SNVT_temp_diff_p": _Numeric(
        SensorDeviceClass.TEMPERATURE_DELTA, UnitOfTemperature.CELSIUS
    ),
    # levels and percentages (humidity is decided by the datapoint's names)
    "SNVT_lev_percent": _PERCENT,
    "SNVT_lev_cont": _PERCENT,
    "SNVT_lev_cont_f": _PERCENT,
    # power and energy
    "SNVT_power": _Numeric(SensorDeviceClass.POWER, UnitOfPower.WATT),
    "SNVT_power_f": _Numeric(SensorDeviceClass.POWER, UnitOfPower.WATT),
    "SNVT_power_kilo": _Numeric(SensorDeviceClass.POWER, UnitOfPower.KILO_WATT),
    "SNVT_elec_kwh": _Numeric(
        SensorDeviceClass.ENERGY,
        UnitOfEnergy.KILO_WATT_HOUR,
        SensorStateClass.TOTAL_INCREASING,
    ),
    "SNVT_elec_kwh_l": _Numeric(
        SensorDeviceClass.ENERGY,
        UnitOfEnergy.KILO_WATT_HOUR,
        SensorStateClass.TOTAL_INCREASING,
    ),
    "SNVT_elec_whr": _Numeric(
        SensorDeviceClass.ENERGY,
        UnitOfEnergy.WATT_HOUR,
        SensorStateClass.TOTAL_INCREASING,
    ),
    "SNVT_elec_whr_f": _Numeric(
        SensorDeviceClass.ENERGY,
        UnitOfEnergy.WATT_HOUR,
        SensorStateClass.TOTAL_INCREASING,
    ),
    # electricity
    "SNVT_volt": _Numeric(SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.VOLT),
    "SNVT_volt_f": _Numeric(SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.VOLT),
    "SNVT_volt_kilo": _Numeric(
        SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.KILOVOLT
    ),
    "SNVT_volt_mil": _Numeric(
        SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.MILLIVOLT
    ),
    "SNVT_amp": _Numeric(SensorDeviceClass.CURRENT, UnitOfElectricCurrent.AMPERE),
    "SNVT_amp_f": _Numeric(SensorDeviceClass.CURRENT, UnitOfElectricCurrent.AMPERE),
    "SNVT_amp_mil": _Numeric(
        SensorDeviceClass.CURRENT, UnitOfElectricCurrent.MILLIAMPERE
    ),
    "SNVT_freq_hz": _Numeric(SensorDeviceClass.FREQUENCY, UnitOfFrequency.HERTZ),
    "SNVT_freq_f": _Numeric(SensorDeviceClass.FREQUENCY, UnitOfFrequency.HERTZ),
    # light, air, water
    "SNVT_lux": _Numeric(SensorDeviceClass.ILLUMINANCE, LIGHT_LUX),
    "SNVT_ppm": _Numeric(SensorDeviceClass.CO2, UnitOfRatio.PARTS_PER_MILLION),
    "SNVT_ppm_f": _Numeric(SensorDeviceClass.CO2, UnitOfRatio.PARTS_PER_MILLION),
    "SNVT_flow": _Numeric(
        SensorDeviceClass.VOLUME_FLOW_RATE, UnitOfVolumeFlowRate.LITERS_PER_SECOND
    ),
    "SNVT_flow_f": _Numeric(
        SensorDeviceClass.VOLUME_FLOW_RATE, UnitOfVolumeFlowRate.LITERS_PER_SECOND
    ),
    "SNVT_flow_mil": _Numeric(
        SensorDeviceClass.VOLUME_FLOW_RATE,
        UnitOfVolumeFlowRate.MILLILITERS_PER_SECOND,
    ),
    "SNVT_flow_p": _Numeric(
        SensorDeviceClass.VOLUME_FLOW_RATE,
        UnitOfVolumeFlowRate.CUBIC_METERS_PER_HOUR,
    ),
    "SNVT_press": _Numeric(SensorDeviceClass.PRESSURE, UnitOfPressure.KPA),
    "SNVT_press_f": _Numeric(SensorDeviceClass.PRESSURE, UnitOfPressure.PA),
    "SNVT_press_p": _Numeric(SensorDeviceClass.PRESSURE, UnitOfPressure.PA),
    "SNVT_speed": _Numeric(SensorDeviceClass.SPEED, UnitOfSpeed.METERS_PER_SECOND),
    "SNVT_speed_f": _Numeric(SensorDeviceClass.SPEED, UnitOfSpeed.METERS_PER_SECOND),
    "SNVT_speed_mil": _Numeric(
        SensorDeviceClass.SPEED, UnitOfSpeed.MILLIMETERS_PER_SECOND
    ),
    # time
    "SNVT_time_sec": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.SECONDS),
    "SNVT_time_f": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.SECONDS),
    "SNVT_time_min": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.MINUTES),
    "SNVT_time_hour": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.HOURS),
    "UCPTmaxSendTime": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.SECONDS),
    "UCPTminSendTime": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.SECONDS),
    "UCPTheartbeat": _Numeric(SensorDeviceClass.DURATION, UnitOfTime.SECONDS),
    # counts
    "SNVT_count": _COUNT,
    "SNVT_count_f": _COUNT,
    "SNVT_count_32": _COUNT,
    "SNVT_count_inc": _COUNT,
    "SNVT_count_inc_f": _COUNT,
    # setpoints and limits reported as configuration properties
    "UCPTsetpoint": _TEMPERATURE,
    "UCPTlowLimit1": _Numeric(None, None),
    "UCPThighLimit1": _Numeric(None, None),
}

# The values each type can carry (LonMark SNVT definitions). Single-precision float
# types (``…_f``) reach ±3.4e38. A type not listed here takes any finite number.
_FLOAT_MAX: Final = 3.4028235e38
_FLOAT: Final[ValueRange] = (-_FLOAT_MAX, _FLOAT_MAX)
_TEMP_P: Final[ValueRange] = (-273.17, 327.66)
_SIGNED_TENTHS: Final[ValueRange] = (-3276.8, 3276.7)
_UNSIGNED_TENTHS: Final[ValueRange] = (0.0, 6553.5)
_UNSIGNED_16: Final[ValueRange] = (0.0, 65535.0)
VALUE_RANGES: Final[dict[str, ValueRange]] = {
    "SNVT_temp": (-274.0, 6279.5),
    "SNVT_temp_p": _TEMP_P,
    "SNVT_temp_f": (-273.17, _FLOAT_MAX),
    "SNVT_temp_diff_p": (-327.68, 327.66),
    "SNVT_lev_percent": (-163.84, 163.83),
    "SNVT_lev_cont": (0.0, 100.0),
    "SNVT_lev_cont_f": (0.0, 100.0),
    "SNVT_power": _UNSIGNED_TENTHS,
    "SNVT_power_f": _FLOAT,
    "SNVT_power_kilo": _UNSIGNED_TENTHS,
    "SNVT_elec_kwh": _UNSIGNED_16,
    "SNVT_elec_kwh_l": (-214748364.8, 214748364.7),
    "SNVT_elec_whr": _UNSIGNED_TENTHS,
    "SNVT_elec_whr_f": (0.0, _FLOAT_MAX),
    "SNVT_volt": _SIGNED_TENTHS,
    "SNVT_volt_f": _FLOAT,
    "SNVT_volt_kilo": _SIGNED_TENTHS,
    "SNVT_volt_mil": _SIGNED_TENTHS,
    "SNVT_amp": _SIGNED_TENTHS,
    "SNVT_amp_f": _FLOAT,
    "SNVT_amp_mil": _SIGNED_TENTHS,
    "SNVT_freq_hz": _UNSIGNED_TENTHS,
    "SNVT_freq_f": (0.0, _FLOAT_MAX),
    "SNVT_lux": _UNSIGNED_16,
    "SNVT_ppm": _UNSIGNED_16,
    "SNVT_ppm_f": (0.0, _FLOAT_MAX),
    "SNVT_flow": (0.0, 65534.0),
    "SNVT_flow_f": _FLOAT,
    "SNVT_flow_mil": _UNSIGNED_16,
    "SNVT_flow_p": (0.0, 655.34),
    "SNVT_press": _SIGNED_TENTHS,
    "SNVT_press_f": _FLOAT,
    "SNVT_press_p": (-32768.0, 32766.0),
    "SNVT_speed": _UNSIGNED_TENTHS,
    "SNVT_speed_f": _FLOAT,
    "SNVT_speed_mil": _UNSIGNED_16,
    "SNVT_time_sec": (0.0, 6553.4),
    "SNVT_time_f": (0.0, _FLOAT_MAX),
    "SNVT_time_min": _UNSIGNED_16,
    "SNVT_time_hour": _UNSIGNED_16,
    "SNVT_count": _UNSIGNED_16,
    "SNVT_count_f": (0.0, _FLOAT_MAX),
    "SNVT_count_32": (0.0, 4294967294.0),
    "SNVT_count_inc": (-32768.0, 32767.0),
    "SNVT_count_inc_f": _FLOAT,
}
# The level of a SNVT_switch, in percent.
SWITCH_LEVEL_RANGE: Final[ValueRange] = (0.0, 100.0)

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

# Structured types whose fields are known: field -> how that field is measured (every
# field of these is a SNVT_temp_p).
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
            native_unit_of_measurement=PERCENTAGE,
            state_class=SensorStateClass.MEASUREMENT,
            value_fn=partial(_field, as_real, "value"),
            valid_range=SWITCH_LEVEL_RANGE,
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

_WORDS: Final = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def _is_humidity(datapoint: Datapoint) -> bool:
    """Return True when a percentage datapoint's names say it is relative humidity.

    "humid" anywhere, or "RH" as a word: ``nvoSpaceRH``, ``Space_RH``, ``rh sensor``.
    """
    for name in (datapoint.name, datapoint.instance_name, datapoint.block_name):
        if not name:
            continue
        if "humid" in name.lower():
            return True
        if any(word.lower() == "rh" for word in _WORDS.findall(name)):
            return True
    return False


def _numeric_description(
    key: str,
    numeric: _Numeric,
    value_fn: Callable[[JsonValue], StateType],
    valid_range: ValueRange,
    translation_key: str | None = None,
) -> DatapointSensorDescription:
    return DatapointSensorDescription(
        key=key,
        translation_key=translation_key,
        device_class=numeric.device_class,
        native_unit_of_measurement=numeric.unit,
        state_class=numeric.state_class,
        value_fn=value_fn,
        valid_range=valid_range,
    )


@lru_cache(maxsize=512)
def _numeric_entities(
    numeric: _Numeric, valid_range: ValueRange = FINITE
) -> DatapointEntities:
    return DatapointEntities(
        sensors=(_numeric_description("", numeric, as_real, valid_range),)
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
                    name, numeric, partial(_field, as_real, name), _TEMP_P, "field"
                )
            )
            continue
        number = kind == "number"
        sensors.append(
            DatapointSensorDescription(
                key=name,
                translation_key="field",
                state_class=SensorStateClass.MEASUREMENT if number else None,
                value_fn=partial(_field, as_real if number else as_text, name),
                valid_range=FINITE if number else None,
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
                    key="",
                    state_class=SensorStateClass.MEASUREMENT,
                    value_fn=as_real,
                    valid_range=FINITE,
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
        if numeric is _PERCENT and _is_humidity(datapoint):
            numeric = _HUMIDITY
        return _numeric_entities(numeric, VALUE_RANGES.get(type_name or "", FINITE))
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
