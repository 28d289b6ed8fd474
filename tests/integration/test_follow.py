"""The follow policy: the entry's options turned into a selection of the site."""

from __future__ import annotations

import pytest

from custom_components.smartserver_iap.const import CONF_DATAPOINTS, CONF_DEVICES
from custom_components.smartserver_iap.follow import FollowPolicy
from custom_components.smartserver_iap.iap.models import (
    Datapoint,
    Device,
    DeviceStatus,
    Direction,
)
from custom_components.smartserver_iap.iap.site import Site


def device(device_id: str, did: str, state: str | None = "provisioned") -> Device:
    return Device(
        id=device_id,
        name=f"Device {device_id}",
        category="EDGE",
        sc_id="sc",
        protocol="lon",
        did=did,
        uid=None,
        type_name=None,
        firmware_version=None,
        status=DeviceStatus(state, "normal"),
    )


def datapoint(
    did: str, name: str, direction: Direction, type_name: str = "SNVT_temp_p"
) -> Datapoint:
    return Datapoint(
        qualifier=f"sc/lon/{did}/Block/0/{name}",
        device_id=f"sc.{did}",
        device_name="",
        block_name="Block",
        block_index=0,
        name=name,
        instance_name=None,
        type_name=type_name,
        direction=direction,
        unit=None,
        value=None,
    )


@pytest.fixture
def site() -> Site:
    site = Site()
    site.add_devices(
        [device("1", "1.1"), device("2", "1.2"), device("3", "1.3", "unprovisioned")]
    )
    site.add_datapoints(
        [
            datapoint(did, name, direction, type_name)
            for did in ("1.1", "1.2", "1.3", "9.9")
            for name, direction, type_name in (
                ("nvoOut", Direction.OUTPUT, "SNVT_temp_p"),
                ("nviIn", Direction.INPUT, "SNVT_temp_p"),
                # An input of a type Home Assistant does not write.
                ("nviRaw", Direction.INPUT, "UNVT_raw"),
            )
        ]
    )
    return site


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        # Default: outputs and writable inputs of provisioned devices; datapoints of
        # unknown devices never.
        (
            {},
            [
                "sc/lon/1.1/Block/0/nvoOut",
                "sc/lon/1.1/Block/0/nviIn",
                "sc/lon/1.2/Block/0/nvoOut",
                "sc/lon/1.2/Block/0/nviIn",
            ],
        ),
        # Chosen devices: the same of theirs, provisioned or not.
        (
            {CONF_DEVICES: ["2", "3"]},
            [
                "sc/lon/1.2/Block/0/nvoOut",
                "sc/lon/1.2/Block/0/nviIn",
                "sc/lon/1.3/Block/0/nvoOut",
                "sc/lon/1.3/Block/0/nviIn",
            ],
        ),
        # Chosen datapoints: exactly those, inputs included.
        (
            {
                CONF_DEVICES: ["1"],
                CONF_DATAPOINTS: [
                    "sc/lon/1.1/Block/0/nviRaw",
                    "sc/lon/9.9/Block/0/nviIn",
                ],
            },
            ["sc/lon/1.1/Block/0/nviRaw"],
        ),
    ],
)
def test_select(site: Site, options: dict[str, list[str]], expected: list[str]) -> None:
    policy = FollowPolicy.from_options(options)
    assert policy.select(site, site.datapoints.values()) == expected
