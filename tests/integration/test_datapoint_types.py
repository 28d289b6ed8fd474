"""The type table: SNVT/UCPT names to device class, unit, state class and values."""

from __future__ import annotations

import math
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.components.sensor.const import (
    DEVICE_CLASS_STATE_CLASSES,
    DEVICE_CLASS_UNITS,
    STATE_CLASS_UNITS,
)
import pytest

from custom_components.smartserver_iap.datapoint_types import (
    FINITE,
    NUMERIC_TYPES,
    STRUCTURED_TYPES,
    SWITCH_TYPES,
    UNIT_CLASSES,
    DatapointSensorDescription,
    as_float,
    as_integer,
    as_number,
    as_real,
    as_state,
    as_text,
    describe_datapoint,
)
from custom_components.smartserver_iap.iap.models import Datapoint, Direction


def dp(
    type_name: str | None,
    name: str = "nvoValue",
    *,
    instance_name: str | None = None,
    block: str = "Block",
    device: str = "Device",
    unit: str | None = None,
    value: Any = None,
) -> Datapoint:
    return Datapoint(
        qualifier=f"sc/lon/1.1/{block}/0/{name}",
        device_id="sc.1",
        device_name=device,
        block_name=block,
        block_index=0,
        name=name,
        instance_name=instance_name,
        type_name=type_name,
        direction=Direction.OUTPUT,
        unit=unit,
        value=value,
    )


@pytest.mark.parametrize(
    ("type_name", "device_class", "unit", "state_class"),
    [
        (
            "SNVT_temp_p",
            SensorDeviceClass.TEMPERATURE,
            "°C",
            SensorStateClass.MEASUREMENT,
        ),
        ("SNVT_lev_percent", None, "%", SensorStateClass.MEASUREMENT),
        ("SNVT_power", SensorDeviceClass.POWER, "W", SensorStateClass.MEASUREMENT),
        (
            "SNVT_power_kilo",
            SensorDeviceClass.POWER,
            "kW",
            SensorStateClass.MEASUREMENT,
        ),
        (
            "SNVT_elec_kwh",
            SensorDeviceClass.ENERGY,
            "kWh",
            SensorStateClass.TOTAL_INCREASING,
        ),
        (
            "SNVT_elec_whr",
            SensorDeviceClass.ENERGY,
            "Wh",
            SensorStateClass.TOTAL_INCREASING,
        ),
        ("SNVT_volt", SensorDeviceClass.VOLTAGE, "V", SensorStateClass.MEASUREMENT),
        ("SNVT_amp", SensorDeviceClass.CURRENT, "A", SensorStateClass.MEASUREMENT),
        ("SNVT_lux", SensorDeviceClass.ILLUMINANCE, "lx", SensorStateClass.MEASUREMENT),
        (
            "SNVT_flow",
            SensorDeviceClass.VOLUME_FLOW_RATE,
            "L/s",
            SensorStateClass.MEASUREMENT,
        ),
        (
            "SNVT_press_p",
            SensorDeviceClass.PRESSURE,
            "Pa",
            SensorStateClass.MEASUREMENT,
        ),
        ("SNVT_ppm", SensorDeviceClass.CO2, "ppm", SensorStateClass.MEASUREMENT),
        ("SNVT_speed", SensorDeviceClass.SPEED, "m/s", SensorStateClass.MEASUREMENT),
        (
            "SNVT_time_sec",
            SensorDeviceClass.DURATION,
            "s",
            SensorStateClass.MEASUREMENT,
        ),
        ("SNVT_count", None, None, SensorStateClass.MEASUREMENT),
        ("SNVT_count_inc", None, None, SensorStateClass.MEASUREMENT),
        (
            "SNVT_time_hour",
            SensorDeviceClass.DURATION,
            "h",
            SensorStateClass.TOTAL_INCREASING,
        ),
        (
            "SNVT_vol",
            SensorDeviceClass.VOLUME,
            "L",
            SensorStateClass.TOTAL_INCREASING,
        ),
        (
            "UCPTmaxSendTime",
            SensorDeviceClass.DURATION,
            "s",
            SensorStateClass.MEASUREMENT,
        ),
    ],
)
def test_numeric_types(
    type_name: str,
    device_class: SensorDeviceClass | None,
    unit: str | None,
    state_class: SensorStateClass,
) -> None:
    described = describe_datapoint(dp(type_name))
    assert described.binary_sensors == ()
    (sensor,) = described.sensors
    assert sensor.key == ""
    assert sensor.device_class == device_class
    assert sensor.native_unit_of_measurement == unit
    assert sensor.state_class == state_class
    assert sensor.value_fn(21.5) == 21.5
    assert sensor.value_fn("21.5") is None


@pytest.mark.parametrize(
    ("name", "instance_name", "block"),
    [
        ("nvoHumidity", None, "Thermostat"),
        ("nvoSpaceRH", None, "Room"),
        ("nvoValue", "Space RH", "Room"),
        ("nvoValue", None, "Humidity Sensor"),
    ],
)
def test_humidity_by_name(name: str, instance_name: str | None, block: str) -> None:
    (sensor,) = describe_datapoint(
        dp("SNVT_lev_percent", name, instance_name=instance_name, block=block)
    ).sensors
    assert sensor.device_class == SensorDeviceClass.HUMIDITY


def test_percent_not_humidity() -> None:
    (sensor,) = describe_datapoint(dp("SNVT_lev_percent", "nvoThreshold")).sensors
    assert sensor.device_class is None


def test_switch_split() -> None:
    described = describe_datapoint(dp("SNVT_switch"))
    (level,) = described.sensors
    (state,) = described.binary_sensors
    assert level.key == "level"
    assert level.native_unit_of_measurement == "%"
    assert level.value_fn({"value": 75.0, "state": 1}) == 75.0
    assert level.value_fn(None) is None
    assert state.key == "state"
    assert state.translation_key == "switch_state"
    assert state.value_fn({"value": 75.0, "state": 1}) is True
    assert state.value_fn({"value": 0.0, "state": 0}) is False
    assert state.value_fn({"value": 0.0, "state": -1}) is None
    assert state.value_fn({"state": True}) is True
    assert state.value_fn({"state": "ST_ON"}) is True
    assert state.value_fn({"state": "off"}) is False
    assert state.value_fn({"state": "?"}) is None
    assert state.value_fn({"state": None}) is None
    assert state.value_fn("ON") is None


@pytest.mark.parametrize(
    ("type_name", "translation_key", "raw", "state"),
    [
        ("SNVT_occupancy", "occupancy", "OC_OCCUPIED", "occupied"),
        ("SNVT_occupancy", "occupancy", "OC_NUL", None),
        ("SNVT_hvac_mode", "hvac_mode", "HVAC_FAN_ONLY", "fan_only"),
        ("SNVT_hvac_mode", "hvac_mode", 3, None),
        ("SNVT_lev_disc", "level", "ST_MED", "med"),
    ],
)
def test_enums(
    type_name: str, translation_key: str, raw: Any, state: str | None
) -> None:
    (sensor,) = describe_datapoint(dp(type_name)).sensors
    assert sensor.device_class == SensorDeviceClass.ENUM
    assert sensor.translation_key == translation_key
    assert sensor.value_fn(raw) == state
    assert state is None or state in (sensor.options or [])


def test_structured_unknown_type_split() -> None:
    described = describe_datapoint(
        dp("UCPTsomething"), {"speed": 3.5, "mode": "fast", "flag": True, "nested": {}}
    )
    by_key = {s.key: s for s in described.sensors}
    assert set(by_key) == {"speed", "mode", "flag"}
    assert by_key["speed"].translation_key == "field"
    assert by_key["speed"].state_class == SensorStateClass.MEASUREMENT
    assert by_key["speed"].value_fn({"speed": 4}) == 4
    assert by_key["mode"].value_fn({"mode": "slow"}) == "slow"
    assert by_key["flag"].value_fn({"flag": False}) == "off"
    assert by_key["mode"].value_fn("not a dict") is None


def test_structured_known_fields() -> None:
    # No value known yet: the fields come from the table.
    described = describe_datapoint(dp("SNVT_temp_setpt"))
    assert len(described.sensors) == 6
    assert all(
        s.device_class == SensorDeviceClass.TEMPERATURE for s in described.sensors
    )
    with_value = describe_datapoint(
        dp("SNVT_temp_setpt"), {"occupied_cool": 24.0, "comment": "x"}
    )
    by_key = {s.key: s for s in with_value.sensors}
    assert by_key["occupied_cool"].device_class == SensorDeviceClass.TEMPERATURE
    assert by_key["comment"].device_class is None


@pytest.mark.parametrize(
    ("unit", "value", "device_class", "native_unit"),
    [
        ("°C", 20.0, SensorDeviceClass.TEMPERATURE, "°C"),
        ("kWh", 1.0, SensorDeviceClass.ENERGY, "kWh"),
        ("furlongs", 1.0, None, "furlongs"),
        (" ", 1.0, None, None),
        (None, 1.0, None, None),
        (None, "text", None, None),
    ],
)
def test_unknown_types(
    unit: str | None,
    value: Any,
    device_class: SensorDeviceClass | None,
    native_unit: str | None,
) -> None:
    (sensor,) = describe_datapoint(dp("SNVT_unknown_x", unit=unit, value=value)).sensors
    assert sensor.device_class == device_class
    assert sensor.native_unit_of_measurement == native_unit
    assert sensor.value_fn(value) == value


def test_value_functions() -> None:
    assert as_number(True) is None
    assert as_number(math.nan) is None
    assert as_number(3) == 3
    assert as_text(None) is None
    assert as_text(True) == "on"
    assert as_text(1.5) == "1.5"
    assert as_text([1, 2]) == "[1,2]"
    assert as_text("x" * 300) == "x" * 255
    assert as_state(2.5) == 2.5
    assert as_state("abc") == "abc"


def every_description() -> list[tuple[str, DatapointSensorDescription]]:
    """Return every sensor description the type table can produce, with its origin."""
    variants = (
        ("nvoValue", "Device"),
        ("nvoSpaceRH", "Device"),
        ("nvoValue", "Water Meter"),
        ("nvoGasVolume", "Device"),
    )
    # The plain type, and the refinements the datapoint's names make.
    described = [
        (f"{type_name} {name} in {device}", dp(type_name, name, device=device))
        for type_name in NUMERIC_TYPES
        for name, device in variants
    ]
    described.extend(
        (type_name, dp(type_name)) for type_name in (*SWITCH_TYPES, *STRUCTURED_TYPES)
    )
    described.extend(
        (f"unit {unit}", dp("SNVT_unknown_x", unit=unit, value=1.0))
        for unit in UNIT_CLASSES
    )
    return [
        (origin, sensor)
        for origin, datapoint in described
        for sensor in describe_datapoint(datapoint).sensors
    ]


def test_type_table_fits_home_assistant() -> None:
    """Each device class, state class and unit is a combination HA accepts.

    An energy type without ``total_increasing`` (or a water volume in mL) fails here:
    HA would warn and leave it off the Energy dashboard and out of long-term sums.
    """
    wrong: list[str] = []
    for origin, sensor in every_description():
        device_class = sensor.device_class
        unit = sensor.native_unit_of_measurement
        state_class = sensor.state_class
        if device_class is not None:
            units = DEVICE_CLASS_UNITS.get(SensorDeviceClass(device_class))
            if units is not None and unit not in units:
                wrong.append(f"{origin}: unit {unit} not for {device_class}")
            classes = DEVICE_CLASS_STATE_CLASSES.get(SensorDeviceClass(device_class))
            if classes is not None and state_class is not None:
                if SensorStateClass(state_class) not in classes:
                    wrong.append(f"{origin}: {state_class} not for {device_class}")
        if state_class is not None:
            allowed = STATE_CLASS_UNITS.get(SensorStateClass(state_class))
            if allowed is not None and unit not in allowed:
                wrong.append(f"{origin}: unit {unit} not for {state_class}")
    assert not wrong, "\n".join(wrong)


def test_every_typed_number_has_a_display_precision() -> None:
    """A flow of 0.384 L/s must not show as 0 L/s: each type says its decimals."""
    missing = [
        origin
        for origin, sensor in every_description()
        if not origin.startswith(("unit ", *STRUCTURED_TYPES))
        and sensor.native_unit_of_measurement is not None
        and sensor.suggested_display_precision is None
    ]
    assert not missing
    (flow,) = describe_datapoint(dp("SNVT_flow")).sensors
    assert flow.suggested_display_precision is not None
    assert round(0.384, flow.suggested_display_precision) > 0


@pytest.mark.parametrize(
    "type_name",
    [
        "SNVT_elec_kwh",
        "SNVT_elec_kwh_l",
        "SNVT_elec_whr",
        "SNVT_elec_whr_f",
        "SNVT_time_hour",
        "SNVT_vol",
        "SNVT_vol_f",
        "SNVT_vol_kilo",
        "SNVT_vol_mil",
    ],
)
def test_meter_readings_are_total_increasing(type_name: str) -> None:
    """Meter readings, counts and run hours grow: long-term statistics sum them."""
    (sensor,) = describe_datapoint(dp(type_name)).sensors
    assert sensor.state_class == SensorStateClass.TOTAL_INCREASING


@pytest.mark.parametrize("type_name", ["SNVT_count", "SNVT_count_32", "SNVT_count_f"])
@pytest.mark.parametrize(
    ("name", "state_class"),
    [
        # Counting events: only grows, and a drop is a reset.
        ("nvoPulseCount", SensorStateClass.TOTAL_INCREASING),
        ("nvoSwitchCount", SensorStateClass.TOTAL_INCREASING),
        ("nvoStarts", SensorStateClass.TOTAL_INCREASING),
        # A count that goes down as well (occupants, items in stock).
        ("nvoOccupantCount", SensorStateClass.MEASUREMENT),
        ("nvoValue", SensorStateClass.MEASUREMENT),
    ],
)
def test_counts_by_name(
    type_name: str, name: str, state_class: SensorStateClass
) -> None:
    """A count sums only when its name says it counts events."""
    (sensor,) = describe_datapoint(dp(type_name, name)).sensors
    assert sensor.state_class == state_class


@pytest.mark.parametrize(
    ("type_name", "name", "device", "device_class", "unit"),
    [
        ("SNVT_vol_kilo", "nvoVolume", "Water Meter", SensorDeviceClass.WATER, "m³"),
        ("SNVT_vol", "nvoWaterUse", "Device", SensorDeviceClass.WATER, "L"),
        ("SNVT_vol_kilo", "nvoGasVolume", "Device", SensorDeviceClass.GAS, "m³"),
        ("SNVT_vol_kilo", "nvoVolume", "Oil Tank", SensorDeviceClass.VOLUME, "m³"),
        # The Energy dashboard takes no millilitres: a volume it stays.
        ("SNVT_vol_mil", "nvoVolume", "Water Meter", SensorDeviceClass.VOLUME, "mL"),
    ],
)
def test_water_and_gas_volumes(
    type_name: str,
    name: str,
    device: str,
    device_class: SensorDeviceClass,
    unit: str,
) -> None:
    """Volumes named water or gas get the device class the Energy dashboard takes."""
    (sensor,) = describe_datapoint(dp(type_name, name, device=device)).sensors
    assert sensor.device_class == device_class
    assert sensor.native_unit_of_measurement == unit
    assert sensor.state_class == SensorStateClass.TOTAL_INCREASING


@pytest.mark.parametrize(
    ("type_name", "raw", "state"),
    [
        # Whole-number types: the same state whatever the JSON number's form.
        ("SNVT_ppm", 565.0, 565),
        ("SNVT_ppm", 1777, 1777),
        ("SNVT_count", 4804771.0, 4804771),
        ("SNVT_count", 12.5, 12.5),
        # Fractional types: always a float.
        ("SNVT_temp_p", 21, 21.0),
        ("SNVT_temp_p", 21.25, 21.25),
        ("SNVT_flow", 0.384, 0.384),
        ("SNVT_ppm", "565", None),
    ],
)
def test_numbers_are_consistent(type_name: str, raw: Any, state: Any) -> None:
    (sensor,) = describe_datapoint(dp(type_name)).sensors
    value = sensor.value_fn(raw)
    assert value == state
    assert type(value) is type(state)


def test_integer_and_float_readers() -> None:
    assert as_integer(3.0) == 3
    assert isinstance(as_integer(3.0), int)
    assert as_integer(None) is None
    assert as_float(3) == 3.0
    assert isinstance(as_float(3), float)
    assert as_float(True) is None


@pytest.mark.parametrize(
    ("type_name", "device_class"),
    [
        ("SNVT_temp_p", "temperature"),
        ("SNVT_count", None),
        ("SNVT_occupancy", None),
        ("SNVT_switch", None),
        ("SNVT_temp_setpt", None),
    ],
)
def test_device_class_for_names(type_name: str, device_class: str | None) -> None:
    """Only a datapoint that is one sensor of a real device class is named by it."""
    assert describe_datapoint(dp(type_name)).device_class == device_class


@pytest.mark.parametrize(
    ("datapoint", "key", "valid_range"),
    [
        (dp("SNVT_temp_p"), "", (-273.17, 327.66)),
        (dp("SNVT_temp_f"), "", (-273.17, 3.4028235e38)),
        (dp("SNVT_count"), "", (0.0, 65535.0)),
        (dp("SNVT_count_32"), "", (0.0, 4294967294.0)),
        (dp("SNVT_lev_percent", "nvoSpaceRH"), "", (-163.84, 163.83)),
        (dp("SNVT_switch"), "level", (0.0, 100.0)),
        (dp("SNVT_temp_setpt"), "occupied_cool", (-273.17, 327.66)),
        (dp("UCPTsetpoint"), "", FINITE),
        (dp("SNVT_unknown_x", unit="W"), "", FINITE),
        (dp("SNVT_unknown_x", value=3), "", FINITE),
        (dp("SNVT_unknown_x", value={"speed": 4, "mode": "x"}), "speed", FINITE),
        (dp("SNVT_unknown_x", value={"speed": 4, "mode": "x"}), "mode", None),
        (dp("SNVT_unknown_x", value="text"), "", None),
        (dp("SNVT_hvac_mode"), "", None),
    ],
)
def test_valid_ranges(datapoint: Datapoint, key: str, valid_range: Any) -> None:
    """Every numeric entity knows its type's range; text entities have none."""
    sensors = {s.key: s for s in describe_datapoint(datapoint).sensors}
    assert sensors[key].valid_range == valid_range


def test_numeric_values_keep_what_the_range_check_rejects() -> None:
    """NaN and infinities reach the range check (which counts them), text does not."""
    assert math.isnan(as_real(math.nan))  # type: ignore[arg-type]
    assert as_real(math.inf) == math.inf
    assert as_real(True) is None
    assert as_real("1") is None
    assert as_real(2) == 2
