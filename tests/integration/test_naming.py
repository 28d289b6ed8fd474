"""Names people read: datapoint entities and SmartServers in log lines."""

from __future__ import annotations

import pytest

from custom_components.smartserver_iap.iap.models import Datapoint, Direction
from custom_components.smartserver_iap.naming import (
    display_names,
    entity_names,
    readable_name,
    smartserver_label,
)


def test_smartserver_label() -> None:
    assert smartserver_label("Building A", "192.0.2.10") == (
        "SmartServer 'Building A' (192.0.2.10)"
    )
    assert smartserver_label(None, "192.0.2.10") == "SmartServer 192.0.2.10"


def datapoint(
    name: str,
    *,
    block: str = "Block",
    index: int = 0,
    instance_name: str | None = None,
    direction: Direction = Direction.OUTPUT,
    device: str = "Device",
) -> Datapoint:
    return Datapoint(
        qualifier=f"sc/lon/1.1/{block}/{index}/{name}",
        device_id="1",
        device_name=device,
        block_name=block,
        block_index=index,
        name=name,
        instance_name=instance_name if instance_name is not None else name,
        type_name=None,
        direction=direction,
        unit=None,
        value=None,
    )


@pytest.mark.parametrize(
    ("name", "readable"),
    [
        ("nvoSpaceTemp", "Space temperature"),
        ("nvoCO2", "CO2"),
        ("nvoHVACMode", "HVAC mode"),
        ("nvoEffectSetpt", "Effective setpoint"),
        ("nciSetPt", "Setpoint"),
        ("cpMaxSendTime", "Maximum send time"),
        ("nvoSpaceRH", "Space relative humidity"),
        ("nvoLuxLevel", "Illuminance"),
        ("nvoOccSensor", "Occupancy sensor"),
        ("nvoPwrL1", "Power L1"),
        ("nvoKwh", "Energy"),
        ("nvoLampFb[1]", "Lamp feedback 1"),
        ("nvoValue0", "Value 0"),
        ("Space_RH", "Space relative humidity"),
        ("temperature", "Temperature"),
        ("nvo", "Nvo"),
        ("", ""),
    ],
)
def test_readable_name(name: str, readable: str) -> None:
    assert readable_name(name) == readable


def names_of(
    datapoints: list[tuple[Datapoint, str | None]],
    device: str = "Device",
    *,
    programmatic: bool = False,
) -> list[str | None]:
    names = entity_names(device, datapoints, programmatic=programmatic)
    return [names[dp.qualifier] for dp, _ in datapoints]


def test_device_class_names_a_datapoint_that_says_no_more() -> None:
    """A datapoint named only "Temperature" or "Value": the device-class name."""
    assert names_of(
        [
            (datapoint("nvoTemp"), "temperature"),
            (datapoint("nvoValue"), "pressure"),
            (datapoint("nvoSpaceTemp2"), None),
            (datapoint("nvoCO2"), "carbon_dioxide"),
        ]
    ) == [None, None, "Space temperature 2", "CO2"]


def test_device_class_name_only_when_unique() -> None:
    assert names_of(
        [
            (datapoint("nvoTemp"), "temperature"),
            (datapoint("nvoSupplyTemp"), "temperature"),
        ]
    ) == ["Temperature", "Supply temperature"]


def test_instance_name_wins() -> None:
    """A name given on the SmartServer is kept as written."""
    assert names_of(
        [
            (datapoint("nviTimeout", instance_name="Occupancy Timeout"), "duration"),
            (datapoint("nvoTemp", instance_name="Temperature"), "temperature"),
        ]
    ) == ["Occupancy Timeout", None]


def test_no_words_repeat_the_device_name() -> None:
    assert names_of(
        [(datapoint("nvoMeterReading"), None), (datapoint("nvoMeter"), None)],
        device="Water Meter",
    ) == ["Reading", "Meter"]


def test_shared_names_get_their_block() -> None:
    """The same block type twice: "Phase 1 voltage"; "Lamp 1 feedback", not "lamp"."""
    assert names_of(
        [
            (datapoint("nvoVoltage", block="Phase", index=0), "voltage"),
            (datapoint("nvoVoltage", block="Phase", index=1), "voltage"),
            (datapoint("nvoLampFb[0]", block="Lamp", index=0), None),
            (datapoint("nvoLampFb[0]", block="Lamp", index=1), None),
        ]
    ) == ["Phase 0 voltage", "Phase 1 voltage", "Lamp 0 feedback", "Lamp 1 feedback"]


def test_array_index_kept_where_the_array_has_several() -> None:
    assert names_of(
        [(datapoint("nvoLampFb[0]"), None), (datapoint("nvoLampFb[1]"), None)]
    ) == ["Lamp feedback 0", "Lamp feedback 1"]
    assert names_of([(datapoint("nvoLampFb[0]"), None)]) == ["Lamp feedback"]


def test_input_beside_an_output_of_the_same_name() -> None:
    assert names_of(
        [
            (datapoint("nviHVACMode", direction=Direction.INPUT), "enum"),
            (datapoint("nvoHVACMode"), "enum"),
        ]
    ) == ["HVAC mode input", "HVAC mode"]


def test_names_stay_unique() -> None:
    assert names_of(
        [(datapoint("nvoTemp"), None), (datapoint("nvoTemperature"), None)]
    ) == ["Temperature (nvoTemp)", "Temperature (nvoTemperature)"]


def test_programmatic_names() -> None:
    """For integrators: the LON names, blocks only where a name is shared."""
    assert names_of(
        [
            (datapoint("nvoTemp"), "temperature"),
            (datapoint("nvoVoltage", block="Phase", index=0), "voltage"),
            (datapoint("nvoVoltage", block="Phase", index=1), "voltage"),
            (datapoint("nviTimeout", instance_name="Occupancy Timeout"), None),
        ],
        programmatic=True,
    ) == ["nvoTemp", "Phase 0 nvoVoltage", "Phase 1 nvoVoltage", "nviTimeout"]


def test_display_names_for_lists() -> None:
    """Lists (the options flow) need a name for every datapoint."""
    points = [datapoint("nvoTemp"), datapoint("nvoValue")]
    assert display_names(points) == {
        points[0].qualifier: "Temperature",
        points[1].qualifier: "Value",
    }
    assert display_names([]) == {}
