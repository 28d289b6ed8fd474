"""The type table: SNVT/UCPT names to device class, unit, state class and values."""

from __future__ import annotations

import math
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
import pytest

from custom_components.smartserver_iap.datapoint_types import (
    FINITE,
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
    unit: str | None = None,
    value: Any = None,
) -> Datapoint:
    return Datapoint(
        qualifier=f"sc/lon/1.1/{block}/0/{name}",
        device_id="sc.1",
        device_name="Device",
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
