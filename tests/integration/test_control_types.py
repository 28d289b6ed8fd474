"""The type table for inputs: numbers, selects, switches and lights, and their values."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from homeassistant.components.number import NumberDeviceClass
from homeassistant.components.number.const import DEVICE_CLASS_UNITS
import pytest

from custom_components.smartserver_iap.datapoint_types import (
    ENUM_TYPES,
    ENUMS,
    NUMERIC_TYPES,
    VALUE_RANGES,
    describe_datapoint,
    drives_lamp,
    enum_value,
    is_controllable,
    on_step,
    switch_level,
    switch_value,
)
from custom_components.smartserver_iap.iap.models import Datapoint, Direction

from .test_datapoint_types import dp


def an_input(type_name: str | None, name: str = "nviValue", **kw: Any) -> Datapoint:
    return replace(dp(type_name, name, **kw), direction=Direction.INPUT)


@pytest.mark.parametrize("type_name", sorted(NUMERIC_TYPES))
def test_numeric_inputs_are_numbers_that_fit_home_assistant(type_name: str) -> None:
    """Each numeric type's number has a unit its device class allows, a range, a step."""
    described = describe_datapoint(an_input(type_name))
    assert not described.sensors and not described.binary_sensors
    (number,) = described.numbers
    sensor = describe_datapoint(dp(type_name)).sensors[0]
    assert number.native_unit_of_measurement == sensor.native_unit_of_measurement
    if number.device_class is not None:
        assert number.device_class.value == sensor.device_class
        assert number.native_unit_of_measurement in DEVICE_CLASS_UNITS.get(
            number.device_class, {number.native_unit_of_measurement}
        )
    low, high = VALUE_RANGES.get(type_name, (None, None))
    assert number.native_min_value is not None and number.native_max_value is not None
    assert number.native_min_value < number.native_max_value
    if low is not None:
        assert (number.native_min_value, number.native_max_value) == (low, high)
    assert number.native_step is None or number.native_step > 0


@pytest.mark.parametrize(
    ("type_name", "device_class", "unit", "low", "high", "step"),
    [
        ("SNVT_temp_p", NumberDeviceClass.TEMPERATURE, "°C", -273.17, 327.66, 0.1),
        ("SNVT_time_sec", NumberDeviceClass.DURATION, "s", 0.0, 6553.4, 0.1),
        ("SNVT_count", None, None, 0.0, 65535.0, 1.0),
        ("SNVT_lux", NumberDeviceClass.ILLUMINANCE, "lx", 0.0, 65535.0, 1.0),
    ],
)
def test_number_settings(
    *,
    type_name: str,
    device_class: NumberDeviceClass | None,
    unit: str | None,
    low: float,
    high: float,
    step: float,
) -> None:
    (number,) = describe_datapoint(an_input(type_name)).numbers
    assert number.device_class == device_class
    assert number.native_unit_of_measurement == unit
    assert (number.native_min_value, number.native_max_value) == (low, high)
    assert number.native_step == step


def test_humidity_setpoint_is_a_humidity_number() -> None:
    (number,) = describe_datapoint(
        an_input("SNVT_lev_percent", "nviHumSetpt", instance_name="Humidity setpoint")
    ).numbers
    assert number.device_class is NumberDeviceClass.HUMIDITY


@pytest.mark.parametrize("type_name", sorted(ENUM_TYPES))
def test_enum_inputs_are_selects(type_name: str) -> None:
    """A select offers the sensor's options and sends the member's name."""
    (select,) = describe_datapoint(an_input(type_name)).selects
    sensor = ENUM_TYPES[type_name]
    assert select.options == sensor.options
    assert select.translation_key == sensor.translation_key
    _, prefix, _ = ENUMS[type_name]
    for option in select.options or []:
        member = enum_value(select, option)
        assert member == f"{prefix}{option}".upper()
        assert select.value_fn(member) == option


@pytest.mark.parametrize(
    ("name", "block", "instance_name", "light"),
    [
        ("nviLamp[0]", "Lamp", None, True),
        ("nviValue", "LampActuator", None, True),
        ("nviLight", "Block", None, True),
        ("nviValue", "DimmerActuator", None, True),
        ("nviValue", "Block", "Ceiling luminaire", True),
        ("nviFanEnable", "Fan", None, False),
        ("nviPump", "Heating", None, False),
    ],
)
def test_lamp_rule(
    name: str, block: str, instance_name: str | None, light: bool
) -> None:
    """A SNVT_switch input is a light when its block or names say it drives a lamp."""
    point = an_input("SNVT_switch", name, block=block, instance_name=instance_name)
    assert drives_lamp(point) is light
    described = describe_datapoint(point)
    assert (len(described.lights), len(described.switches)) == (
        (1, 0) if light else (0, 1)
    )
    # The options flow overrides the rule either way.
    assert len(describe_datapoint(point, None, as_light=True).lights) == 1
    assert len(describe_datapoint(point, None, as_light=False).switches) == 1


@pytest.mark.parametrize(
    ("point", "controllable"),
    [
        (an_input("SNVT_temp_p"), True),
        (an_input("SNVT_switch"), True),
        (an_input("SNVT_hvac_mode"), True),
        (an_input("SNVT_temp_setpt"), False),
        (an_input("UNVT_raw"), False),
        (an_input(None), False),
        (dp("SNVT_temp_p"), False),
    ],
)
def test_controllable(point: Datapoint, controllable: bool) -> None:
    """Inputs of known types write; others (and every output) are sensors."""
    assert is_controllable(point) is controllable
    described = describe_datapoint(point)
    controls = [
        *described.numbers,
        *described.selects,
        *described.switches,
        *described.lights,
    ]
    assert bool(controls) is controllable
    assert bool(described.sensors or described.binary_sensors) is not controllable


@pytest.mark.parametrize(
    ("level", "value"),
    [
        (100.0, {"value": 100.0, "state": 1}),
        (50.196, {"value": 50.0, "state": 1}),
        (0.3, {"value": 0.5, "state": 1}),
        (0.0, {"value": 0.0, "state": 0}),
        (-5.0, {"value": 0.0, "state": 0}),
    ],
)
def test_switch_values(level: float, value: dict[str, Any]) -> None:
    assert switch_value(level) == value


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ({"value": 75, "state": 1}, 75.0),
        ({"value": 0.0, "state": 0}, 0.0),
        ({"value": 150.0, "state": 1}, None),
        ({"value": -1.0, "state": 1}, None),
        ({"state": 1}, None),
        (75, None),
        (None, None),
    ],
)
def test_switch_levels(value: Any, level: float | None) -> None:
    assert switch_level(value) == level


@pytest.mark.parametrize(
    ("value", "step", "written"),
    [
        (22.46, 0.1, 22.5),
        (21.337, 0.01, 21.34),
        (-3.04, 0.1, -3.0),
        (90.4, 1.0, 90),
        (7.33, None, 7.33),
    ],
)
def test_numbers_written_on_their_step(
    value: float, step: float | None, written: float
) -> None:
    result = on_step(value, step)
    assert result == written
    assert type(result) is type(written)
