"""The one place that maps SmartServer datapoint types to Home Assistant entities.

A datapoint's type (``SNVT_temp_p``, ``SNVT_switch``, ``UCPT…``) decides which entities
it becomes: device class, native unit, state class, suggested display precision (from the
type's resolution), value function and, for enums, the option list. Structured values are split into one entity per meaningful field instead of
being dumped into attributes. Unknown types still become plain sensors with the unit the
SmartServer reports, if any.

An input datapoint of a type this table knows becomes an entity that writes it instead
of a sensor: a number (range from the type, step from its resolution), a select for an
enumeration, and for a ``SNVT_switch`` a light (when it drives a lamp, see
``drives_lamp``) or a switch. The values those entities send are made here too.
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
import sys
from typing import TYPE_CHECKING, Final

from homeassistant.components.binary_sensor import BinarySensorEntityDescription
from homeassistant.components.light import LightEntityDescription
from homeassistant.components.number import NumberDeviceClass, NumberEntityDescription
from homeassistant.components.select import SelectEntityDescription
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.components.switch import SwitchEntityDescription
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

from .iap.models import Direction
from .naming import name_words

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


def as_integer(value: JsonValue) -> float | int | None:
    """Return a number of a whole-number type: ``565.0`` and ``565`` both give 565."""
    number = as_real(value)
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def as_float(value: JsonValue) -> float | None:
    """Return a number of a fractional type as a float: ``21`` gives 21.0."""
    number = as_real(value)
    return None if number is None else float(number)


# The value functions whose result is the raw number itself (give or take int/float).
PLAIN_NUMBERS: Final = frozenset((as_number, as_real, as_integer, as_float))


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


def switch_state(value: JsonValue) -> bool | None:
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


@dataclass(frozen=True, kw_only=True)
class DatapointNumberDescription(NumberEntityDescription):
    """How a numeric input becomes a number: range from the type, step its resolution."""

    value_fn: Callable[[JsonValue], float | int | None]


@dataclass(frozen=True, kw_only=True)
class DatapointSelectDescription(SelectEntityDescription):
    """How an enumeration input becomes a select.

    Options are the lower-case member names without ``prefix`` (``heat``); the value
    written is the member's name (``HVAC_HEAT``).
    """

    value_fn: Callable[[JsonValue], str | None]
    prefix: str


@dataclass(frozen=True, kw_only=True)
class DatapointSwitchDescription(SwitchEntityDescription):
    """How a ``SNVT_switch`` input that drives no lamp becomes a switch."""


@dataclass(frozen=True, kw_only=True)
class DatapointLightDescription(LightEntityDescription):
    """How a ``SNVT_switch`` input that drives a lamp becomes a dimmable light."""


@dataclass(frozen=True, slots=True)
class DatapointEntities:
    """Every entity description one datapoint produces, per platform."""

    sensors: tuple[DatapointSensorDescription, ...] = ()
    binary_sensors: tuple[DatapointBinarySensorDescription, ...] = ()
    numbers: tuple[DatapointNumberDescription, ...] = ()
    selects: tuple[DatapointSelectDescription, ...] = ()
    switches: tuple[DatapointSwitchDescription, ...] = ()
    lights: tuple[DatapointLightDescription, ...] = ()

    @property
    def device_class(self) -> str | None:
        """Return the device class of a datapoint that is one sensor or number.

        Enumerations have none to speak of: Home Assistant names no entity "Enum".
        """
        if self.numbers:
            number_class = self.numbers[0].device_class
            return None if number_class is None else str(number_class)
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


# Enumerations: type -> translation key, the prefix of its member names, options.
ENUMS: Final[dict[str, tuple[str, str, tuple[str, ...]]]] = {
    "SNVT_occupancy": ("occupancy", "oc_", OCCUPANCY_OPTIONS),
    "SNVT_hvac_mode": ("hvac_mode", "hvac_", HVAC_MODE_OPTIONS),
    "SNVT_lev_disc": ("level", "st_", LEVEL_OPTIONS),
}
ENUM_TYPES: Final[dict[str, DatapointSensorDescription]] = {
    type_name: _enum_description(*enum) for type_name, enum in ENUMS.items()
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
            translation_key="switch_level",
            native_unit_of_measurement=PERCENTAGE,
            state_class=SensorStateClass.MEASUREMENT,
            suggested_display_precision=0,
            value_fn=partial(_field, as_float, "value"),
            valid_range=SWITCH_LEVEL_RANGE,
        ),
    ),
    binary_sensors=(
        DatapointBinarySensorDescription(
            key="state",
            translation_key="switch_state",
            value_fn=switch_state,
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
    valid_range: ValueRange,
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
        valid_range=valid_range,
    )


def _value_fn(numeric: _Numeric) -> Callable[[JsonValue], float | int | None]:
    """Return how values of a measure are read: whole or fractional numbers."""
    if numeric.integer:
        return as_integer
    if numeric.precision is None:
        return as_real
    return as_float


@lru_cache(maxsize=512)
def _numeric_entities(
    numeric: _Numeric, valid_range: ValueRange = FINITE
) -> DatapointEntities:
    return DatapointEntities(
        sensors=(_numeric_description("", numeric, _value_fn(numeric), valid_range),)
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
                    name,
                    numeric,
                    partial(_field, _value_fn(numeric), name),
                    _TEMP_P,
                    "field",
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


# --- inputs: entities that write -------------------------------------------------------

# A SNVT_switch input is a light when the names of its block (on LON devices the
# LonMark profile it implements: lamp actuator, dimmer), its instance or itself say one
# of these; else a switch. The options flow overrides the choice per datapoint.
LAMP_WORDS: Final = ("lamp", "light", "dimm", "lumin")
# The level steps of a SNVT_switch (0.5 %).
SWITCH_LEVEL_STEP: Final = 0.5
SWITCH_OFF: Final[dict[str, JsonValue]] = {"value": 0.0, "state": 0}


def switch_value(level: float) -> dict[str, JsonValue]:
    """Return the SNVT_switch value for a level in percent: on above 0, else off."""
    if level <= 0:
        return dict(SWITCH_OFF)
    return {"value": round(level / SWITCH_LEVEL_STEP) * SWITCH_LEVEL_STEP, "state": 1}


def switch_level(value: JsonValue) -> float | None:
    """Return the level of a SNVT_switch in percent, None outside 0..100."""
    level = _field(as_float, "value", value)
    if not isinstance(level, float) or not 0.0 <= level <= 100.0:
        return None
    return level


def enum_value(description: DatapointSelectDescription, option: str) -> str:
    """Return the member name a select sends for ``option`` (``HVAC_HEAT``)."""
    return f"{description.prefix}{option}".upper()


def drives_lamp(datapoint: Datapoint) -> bool:
    """Return True when a SNVT_switch input's names say it drives a lamp."""
    return any(_names_say(datapoint, word) for word in LAMP_WORDS)


def is_controllable(datapoint: Datapoint) -> bool:
    """Return True for an input whose type this table can write (an entity of its own)."""
    type_name = datapoint.type_name or ""
    return datapoint.direction is Direction.INPUT and (
        type_name in SWITCH_TYPES
        or type_name in ENUM_TYPES
        or type_name in NUMERIC_TYPES
    )


_SWITCH_CONTROL = DatapointEntities(switches=(DatapointSwitchDescription(key=""),))
_LIGHT_CONTROL = DatapointEntities(lights=(DatapointLightDescription(key=""),))


@lru_cache(maxsize=64)
def _select_entities(type_name: str) -> DatapointEntities:
    translation_key, prefix, options = ENUMS[type_name]
    return DatapointEntities(
        selects=(
            DatapointSelectDescription(
                key="",
                translation_key=translation_key,
                options=list(options),
                value_fn=partial(_enum, prefix, frozenset(options)),
                prefix=prefix,
            ),
        )
    )


_NUMBER_CLASSES: Final = {str(number_class) for number_class in NumberDeviceClass}


def _number_class(numeric: _Numeric) -> NumberDeviceClass | None:
    """Return the number device class matching a sensor's, if numbers have it."""
    if numeric.device_class is None or numeric.device_class not in _NUMBER_CLASSES:
        return None
    return NumberDeviceClass(numeric.device_class)


def on_step(value: float, step: float | None) -> float | int:
    """Return ``value`` rounded to a number's step (its type's resolution).

    Whole-number steps give an int: the JSON a SmartServer expects for a count.
    """
    if not step:
        return value
    if step >= 1:
        return int(round(value / step) * step)
    decimals = -math.floor(math.log10(step))
    return round(round(value / step) * step, decimals)


@lru_cache(maxsize=256)
def _number_entities(numeric: _Numeric, valid_range: ValueRange) -> DatapointEntities:
    step: float | None = 1.0
    if not numeric.integer:
        step = None if numeric.precision is None else 10.0**-numeric.precision
    return DatapointEntities(
        numbers=(
            DatapointNumberDescription(
                key="",
                device_class=_number_class(numeric),
                native_unit_of_measurement=numeric.unit,
                native_min_value=valid_range[0],
                native_max_value=valid_range[1],
                native_step=step,
                value_fn=_value_fn(numeric),
            ),
        )
    )


def _control_entities(
    datapoint: Datapoint, as_light: bool | None
) -> DatapointEntities | None:
    """Return the entity that writes an input of a known type, else None."""
    type_name = datapoint.type_name or ""
    if type_name in SWITCH_TYPES:
        if as_light is None:
            as_light = drives_lamp(datapoint)
        return _LIGHT_CONTROL if as_light else _SWITCH_CONTROL
    if type_name in ENUM_TYPES:
        return _select_entities(type_name)
    if (numeric := NUMERIC_TYPES.get(type_name)) is not None:
        return _number_entities(
            _measured(numeric, datapoint), VALUE_RANGES.get(type_name, FINITE)
        )
    return None


def _kind(value: JsonValue) -> str:
    if isinstance(value, bool):
        return "text"
    if isinstance(value, (int, float)):
        return "number"
    return "text"


def describe_datapoint(
    datapoint: Datapoint, value: JsonValue = None, as_light: bool | None = None
) -> DatapointEntities:
    """Return the entity descriptions for one datapoint.

    ``value`` is the datapoint's current value when known (the bulk read at setup);
    it tells the shape of structured values of unknown types. ``as_light`` overrides
    whether a ``SNVT_switch`` input is a light (True) or a switch (False).
    """
    type_name = datapoint.type_name
    if value is None:
        value = datapoint.value
    if datapoint.direction is Direction.INPUT and (
        control := _control_entities(datapoint, as_light)
    ):
        return control
    if type_name in SWITCH_TYPES:
        return _SWITCH
    if type_name in ENUM_TYPES:
        return DatapointEntities(sensors=(ENUM_TYPES[type_name],))
    if (numeric := NUMERIC_TYPES.get(type_name or "")) is not None:
        return _numeric_entities(
            _measured(numeric, datapoint), VALUE_RANGES.get(type_name or "", FINITE)
        )
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
