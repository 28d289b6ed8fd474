"""The site model on its own: devices, datapoint ownership, subscription and values."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.smartserver_iap.iap import (
    Datapoint,
    DatapointUpdate,
    Device,
    DeviceStatus,
    Direction,
)
from custom_components.smartserver_iap.iap.site import (
    OVERTAKEN_WITHIN,
    DeviceChanges,
    Site,
)

SC_ID = "17q4bn7"
UP = DeviceStatus("provisioned", "normal")
DOWN = DeviceStatus("provisioned", "down")


def device(
    device_id: str,
    did: str | None = None,
    *,
    category: str | None = "EDGE",
    status: DeviceStatus = UP,
    sc_id: str | None = SC_ID,
) -> Device:
    """Return a LON device; ``did`` defaults to ``<id>.1``."""
    return Device(
        id=device_id,
        name=f"Device {device_id}",
        category=category,
        sc_id=sc_id,
        protocol="lon",
        did=did or f"{device_id}.1",
        uid=None,
        type_name=None,
        firmware_version=None,
        status=status,
    )


def smartserver() -> Device:
    return device("1", "1.1", category="SC")


def datapoint(
    did: str, name: str = "nvoValue", device_id: str | None = None
) -> Datapoint:
    """Return an output of the device with DID ``did``; its deviceId is ``device_id``."""
    return Datapoint(
        qualifier=f"{SC_ID}/lon/{did}/Block/0/{name}",
        device_id=device_id if device_id is not None else did.partition(".")[0],
        device_name="",
        block_name="Block",
        block_index=0,
        name=name,
        instance_name=None,
        type_name="SNVT_count",
        direction=Direction.OUTPUT,
        unit=None,
        value=None,
    )


def update(qualifier: str, value: object) -> DatapointUpdate:
    return DatapointUpdate(qualifier, value)  # type: ignore[arg-type]


@pytest.fixture
def site() -> Site:
    site = Site()
    site.add_devices([smartserver(), device("2"), device("3")])
    return site


@pytest.mark.parametrize(
    ("device_id_field", "why"),
    [
        ("2", "the datapoint names the device-list id"),
        (f"{SC_ID}.7", "another id form: the qualifier's scId/protocol/DID decides"),
        ("", "no usable deviceId at all: the qualifier decides"),
    ],
)
def test_datapoint_resolves_to_its_device(
    site: Site, device_id_field: str, why: str
) -> None:
    dp = datapoint("2.1", device_id=device_id_field)
    assert site.add_datapoints([dp]) == [dp], why
    assert site.device_of(dp.qualifier) == "2"
    assert site.datapoints_of("2") == [dp]
    assert site.datapoints[dp.qualifier] is dp


def test_device_list_id_wins_over_the_qualifier(site: Site) -> None:
    # deviceId names device 3 although the qualifier's DID is device 2's: the
    # device-list id is the SmartServer's own statement of ownership.
    dp = datapoint("2.1", device_id="3")
    site.add_datapoints([dp])
    assert site.device_of(dp.qualifier) == "3"


@pytest.mark.parametrize(
    "qualifier", ["not a qualifier", f"{SC_ID}/lon/9.1/Block/0/nvoValue"]
)
def test_unresolvable_datapoint_is_kept_but_not_attached(
    site: Site, qualifier: str
) -> None:
    dp = replace(datapoint("2.1", device_id="99"), qualifier=qualifier)
    assert site.add_datapoints([dp]) == []
    assert site.datapoints[qualifier] is dp
    assert site.device_of(qualifier) is None


def test_datapoints_listed_before_their_device() -> None:
    site = Site()
    first = datapoint("4.1", device_id=f"{SC_ID}.4")
    second = datapoint("4.1", "nvoOther")
    assert site.add_datapoints([first, second]) == []
    assert site.device_of(first.qualifier) is None
    site.add_devices([device("4")])
    assert site.device_of(first.qualifier) == "4"
    assert site.device_of(second.qualifier) == "4"
    assert site.datapoints_of("4") == [first, second]
    # Attached once: adding more devices does not list them twice.
    site.add_devices([device("5")])
    assert site.datapoints_of("4") == [first, second]


def test_datapoint_listed_again_moves_with_its_device_id(site: Site) -> None:
    dp = datapoint("2.1")
    site.add_datapoints([dp])
    moved = replace(dp, device_id="3")
    site.add_datapoints([moved])
    assert site.device_of(dp.qualifier) == "3"
    assert site.datapoints_of("2") == []
    assert site.datapoints_of("3") == [moved]
    # Listed again with nothing that resolves: it waits for its device again.
    lost = replace(dp, device_id="99", qualifier=dp.qualifier.replace("2.1", "8.1"))
    site.add_datapoints([replace(moved, device_id="98"), lost])
    assert site.device_of(dp.qualifier) == "2"  # back to the qualifier's DID
    assert site.device_of(lost.qualifier) is None
    site.add_devices([device("8")])
    assert site.device_of(lost.qualifier) == "8"


def test_device_whose_address_changed_no_longer_claims_the_old_one() -> None:
    site = Site()
    site.add_devices([device("2", "2.1")])
    site.add_devices([device("2", "2.9")])
    old = datapoint("2.1", device_id="x")
    new = datapoint("2.9", device_id="x")
    site.add_datapoints([old, new])
    assert site.device_of(old.qualifier) is None
    assert site.device_of(new.qualifier) == "2"


def test_device_without_a_complete_address_resolves_by_id_only() -> None:
    site = Site()
    site.add_devices([device("2", sc_id=None)])
    by_id = datapoint("2.1")
    by_qualifier = datapoint("2.1", "nvoOther", device_id="x")
    site.add_datapoints([by_id, by_qualifier])
    assert site.device_of(by_id.qualifier) == "2"
    assert site.device_of(by_qualifier.qualifier) is None


def test_replace_devices_reports_added_removed_and_status_changes(site: Site) -> None:
    dp = datapoint("3.1")
    site.add_datapoints([datapoint("2.1"), dp])
    site.set_subscribed([dp.qualifier])
    site.apply_updates([update(dp.qualifier, 5)])
    changes = site.replace_devices(
        [smartserver(), device("2", status=DOWN), device("4")]
    )
    assert changes == DeviceChanges(
        added=["4"], removed=["3"], status_changed={"2": UP}
    )
    assert set(site.devices) == {"1", "2", "4"}
    assert site.devices["2"].status == DOWN
    assert not site.is_healthy("2")
    # The removed device took its datapoints, their subscription and values along.
    assert dp.qualifier not in site.datapoints
    assert site.device_of(dp.qualifier) is None
    assert site.datapoints_of("3") == []
    assert site.subscribed == []
    assert site.value_of(dp.qualifier) is None
    assert site.replace_devices(site.devices.values()) == DeviceChanges()


def test_the_smartserver_is_never_removed(site: Site) -> None:
    assert site.smartserver is not None
    sc_dp = datapoint("1.1")
    site.add_datapoints([sc_dp])
    assert site.remove_device("1") is None
    changes = site.replace_devices([device("2"), device("3")])
    assert changes.removed == []
    assert site.smartserver.id == "1"
    assert "1" in site.devices
    assert site.device_of(sc_dp.qualifier) == "1"


def test_remove_device_returns_its_datapoints(site: Site) -> None:
    points = [datapoint("2.1"), datapoint("2.1", "nvoOther")]
    site.add_datapoints(points)
    assert site.remove_device("2") == [p.qualifier for p in points]
    assert site.remove_device("2") is None
    assert "2" not in site.devices
    # The address is free again: another device may take it.
    site.add_devices([device("5", "2.1")])
    site.add_datapoints([datapoint("2.1", device_id="x")])
    assert site.device_of(points[0].qualifier) == "5"


def test_status_changes(site: Site) -> None:
    assert site.set_status("2", DOWN) == UP
    assert site.set_status("2", UP) == DOWN
    assert site.set_status("nosuch", UP) is None
    assert "nosuch" not in site.devices
    assert not site.is_healthy("nosuch")
    # The SmartServer's own entry follows its status too.
    assert site.set_status("1", DOWN) == UP
    assert site.smartserver is not None
    assert site.smartserver.status == DOWN
    assert site.smartserver is site.devices["1"]


def test_subscription_and_values(site: Site) -> None:
    a, b, c = (datapoint("2.1", name).qualifier for name in ("nvoA", "nvoB", "nvoC"))
    site.set_subscribed([a, b, a])
    assert site.subscribed == [a, b]
    assert site.is_subscribed(a)
    assert not site.is_subscribed(c)
    site.apply_updates([update(a, 1), update(c, 3), update(b, 2), update(a, 4)])
    # Values of datapoints that are not subscribed (another session's list) are not kept.
    assert site.value_of(a) == 4
    assert site.value_of(b) == 2
    assert site.value_of(c) is None
    assert set(site.values) == {a, b}
    site.set_subscribed([b, c])
    assert site.value_of(a) is None
    assert site.value_of(b) == 2
    assert site.subscribed == [b, c]
    # The subscribe list is the site's: a copy goes out.
    site.subscribed.append(a)
    assert site.subscribed == [b, c]


def test_overtaken_updates_are_dropped(site: Site) -> None:
    """An update older than the kept one arrived late: the newer value stays."""
    a = datapoint("2.1", "nvoA").qualifier
    site.set_subscribed([a])
    now = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
    second = timedelta(seconds=1)
    site.apply_updates([DatapointUpdate(a, 2, now)])
    site.apply_updates([DatapointUpdate(a, 1, now - second)])
    assert site.value_of(a) == 2
    # The same instant (a duplicate, or two changes in one millisecond) is kept.
    site.apply_updates([DatapointUpdate(a, 3, now)])
    assert site.value_of(a) == 3
    # Without a timestamp (firmware before 4.1) arrival order is all there is.
    site.apply_updates([DatapointUpdate(a, 4, None)])
    assert site.value_of(a) == 4
    site.apply_updates([DatapointUpdate(a, 5, now - second)])
    assert site.value_of(a) == 5
    # Far older than the kept one: the SmartServer's clock went back, not a late
    # update; values must not freeze until the clock catches up.
    site.apply_updates([DatapointUpdate(a, 6, now + OVERTAKEN_WITHIN)])
    site.apply_updates([DatapointUpdate(a, 7, now - second)])
    assert site.value_of(a) == 7


def test_a_read_does_not_undo_what_the_live_link_brought(site: Site) -> None:
    a, b = (datapoint("2.1", name).qualifier for name in ("nvoA", "nvoB"))
    site.set_subscribed([a, b])
    site.apply_updates([update(a, 1), update(b, 1)])
    before = dict(site.values)
    # While the read was on its way, a change of a came on the WebSocket.
    site.apply_updates([update(a, 2)])
    site.apply_read([update(a, 1), update(b, 5)], before)
    assert (site.value_of(a), site.value_of(b)) == (2, 5)


def test_unreadable_datapoints(site: Site) -> None:
    a, b, c = (datapoint("2.1", name) for name in ("nvoA", "nvoB", "nvoC"))
    site.add_datapoints([a, b, c])
    qs = [a.qualifier, b.qualifier, c.qualifier]
    assert site.set_readable(qs, [b.qualifier, b.qualifier]) == [b.qualifier]
    # Still unreadable: not new, so not reported again.
    assert site.set_readable(qs, [b.qualifier]) == []
    assert site.set_readable([a.qualifier], [a.qualifier]) == [a.qualifier]
    assert site.unreadable == {a.qualifier, b.qualifier}
    # Read again: readable; a read that did not ask for b says nothing about it.
    assert site.set_readable([a.qualifier, c.qualifier], []) == []
    assert site.unreadable == {b.qualifier}
    site.remove_device("2")
    assert site.unreadable == set()


def test_device_list_id_of_any_device_id(site: Site) -> None:
    # Data-log queries and REST paths name a device by its device-list id.
    site.add_datapoints([datapoint("2.1", device_id=f"{SC_ID}.7")])
    site.add_devices([replace(device("3"), raw={"deviceId": f"{SC_ID}.3"})])
    assert site.device_list_id("2") == "2"
    assert site.device_list_id(f"{SC_ID}.7") == "2"
    assert site.device_list_id(f"{SC_ID}.3") == "3"
    assert site.device_list_id("unknown") == "unknown"
