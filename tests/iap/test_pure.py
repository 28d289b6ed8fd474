"""Unit tests of the parts that need no server: TLS pins, timestamps, back-off, parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import math

import orjson
import pytest

from custom_components.smartserver_iap.iap import (
    AlarmCleared,
    AlarmRaised,
    AlarmsChanged,
    Backoff,
    ClientStats,
    DatapointsUpdated,
    DeviceDeleted,
    DeviceStatusChanged,
    DeviceTestResult,
    Direction,
    FrameDecoder,
    IapAuthenticationError,
    IapCertificateError,
    IapConnectionError,
    IapError,
    IapProtocolError,
    IapRateLimitedError,
    IapServerError,
    NotificationReceived,
    ServerTime,
    TlsTrust,
    normalize_fingerprint,
    parse_frame,
    parse_timestamp,
)
from custom_components.smartserver_iap.iap.backoff import ReconnectDelays
from custom_components.smartserver_iap.iap.datalog import log_query
from custom_components.smartserver_iap.iap.errors import ConnectionFailure
from custom_components.smartserver_iap.iap.outage import LinkLost, answered, lost_link
from custom_components.smartserver_iap.iap.parsing import (
    device_finder,
    parse_alarm,
    parse_datapoint,
    parse_device,
    parse_log_entry,
    parse_value_item,
)
from custom_components.smartserver_iap.iap.qualifier import (
    datapoint_path,
    device_element,
    name_element,
)
from custom_components.smartserver_iap.iap.timestamps import (
    format_query_time,
    parse_timestamp_or_none,
)
from custom_components.smartserver_iap.iap.transport import build_query

FP = "ab:cd:" * 15 + "ab:cd"


def test_normalize_fingerprint_forms() -> None:
    canonical = normalize_fingerprint(FP)
    assert canonical == ("AB:CD:" * 16)[:-1]
    assert normalize_fingerprint(canonical.replace(":", "").lower()) == canonical
    assert normalize_fingerprint("sha256:" + canonical.replace(":", " ")) == canonical
    assert normalize_fingerprint(canonical.replace(":", "-")) == canonical
    for bad in ("", "AB:CD", "ZZ" * 32, canonical + ":00"):
        with pytest.raises(ValueError):
            normalize_fingerprint(bad)


def test_tls_trust_values() -> None:
    assert TlsTrust.system().aiohttp_ssl() is True
    assert not TlsTrust.system().is_pinned
    pinned = TlsTrust.pinned(FP.replace(":", ""))
    assert pinned.is_pinned
    assert pinned.fingerprint == normalize_fingerprint(FP)
    ssl_value = pinned.aiohttp_ssl()
    assert not isinstance(ssl_value, bool)
    assert ssl_value.fingerprint == bytes.fromhex(FP.replace(":", ""))
    with pytest.raises(ValueError):
        TlsTrust.pinned("not a fingerprint")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-04-11T07:00:00.000Z", datetime(2022, 4, 11, 7, tzinfo=UTC)),
        ("2022-04-11T07:00:00.000Z[UTC]", datetime(2022, 4, 11, 7, tzinfo=UTC)),
        (
            "2019-01-11T15:27:52.994-08:00[America/Los_Angeles]",
            datetime(2019, 1, 11, 23, 27, 52, 994000, tzinfo=UTC),
        ),
        (
            "2019-01-11 23:27:46.045 UTC",
            datetime(2019, 1, 11, 23, 27, 46, 45000, tzinfo=UTC),
        ),
        (
            "2019-01-12 02:27:46.045 Europe/Kirov",
            datetime(2019, 1, 11, 23, 27, 46, 45000, tzinfo=UTC),
        ),
        (
            "2019-01-12 02:27:46.045[Europe/Kirov]",
            datetime(2019, 1, 11, 23, 27, 46, 45000, tzinfo=UTC),
        ),
        ("2022-04-11T07:00:00.000", datetime(2022, 4, 11, 7, tzinfo=UTC)),
        ("2022-04-11T09:00:00+02:00", datetime(2022, 4, 11, 7, tzinfo=UTC)),
        (" 2022-04-11T07:00:00Z ", datetime(2022, 4, 11, 7, tzinfo=UTC)),
        (1649660400, datetime(2022, 4, 11, 7, tzinfo=UTC)),
        (1649660400000, datetime(2022, 4, 11, 7, tzinfo=UTC)),
        (1649660400.5, datetime(2022, 4, 11, 7, 0, 0, 500000, tzinfo=UTC)),
        ("1649660400000", datetime(2022, 4, 11, 7, tzinfo=UTC)),
    ],
)
def test_timestamp_forms(text: str | float, expected: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "yesterday",
        "2022-13-01T00:00:00Z",
        "2022-04-11T07:00:00 Mars/Olympus",
        "2022-04-11T07:00:00[Mars/Olympus]",
        "2022-04-11T07:00:00]",
        "[UTC]",
        "2022-04-11T07:00:00 ../../etc/passwd",
        "0001-01-01T00:00:00+01:00",
        True,
        None,
        [],
        float("nan"),
        float("inf"),
        10**30,
    ],
)
def test_timestamp_rejects(text: object) -> None:
    with pytest.raises(IapProtocolError):
        parse_timestamp(text)  # type: ignore[arg-type]
    assert parse_timestamp_or_none(text) is None


def test_format_query_time() -> None:
    assert format_query_time(datetime(2022, 4, 11, 7, 0, 0, 123456, tzinfo=UTC)) == (
        "2022-04-11T07:00:00.123"
    )
    assert format_query_time(datetime(2022, 4, 11, 7)) == "2022-04-11T07:00:00.000"
    berlin = datetime(2022, 4, 11, 9, tzinfo=UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/Berlin")
    )
    assert format_query_time(berlin) == "2022-04-11T09:00:00.000"


def test_backoff_sequence_and_cap() -> None:
    backoff = Backoff(initial=1, cap=8, factor=2, jitter=0.5, rand=lambda: 0.0)
    assert [backoff.next_delay() for _ in range(6)] == [1, 2, 4, 8, 8, 8]
    backoff.reset()
    assert backoff.next_delay() == 1
    jittered = Backoff(initial=4, cap=8, jitter=0.5, rand=lambda: 1.0)
    assert jittered.next_delay() == 2.0
    huge = Backoff(initial=1, cap=60, rand=lambda: 0.0)
    huge.attempts = 10_000
    assert huge.next_delay() == 60
    for bad in (
        {"initial": 0},
        {"initial": 5, "cap": 1},
        {"factor": 0.5},
        {"jitter": 1.5},
    ):
        with pytest.raises(ValueError):
            Backoff(**bad)


def test_reconnect_delays() -> None:
    backoff = Backoff(initial=1, cap=8, factor=2, jitter=0.5, rand=lambda: 0.0)
    delays = ReconnectDelays(backoff, retry_interval=3, flap_after=2)
    # A silent SmartServer: the retry interval, and the back-off does not grow.
    assert [delays.after_attempt(answered=False) for _ in range(3)] == [3, 3, 3]
    # One that answers with errors: the back-off.
    assert [delays.after_attempt(answered=True) for _ in range(3)] == [1, 2, 4]
    # A link that worked: the first delay again, however far the back-off had got.
    assert delays.after_link(lasted=60) == 1
    assert delays.after_attempt(answered=True) == 2
    # Links dropped at once, in a row: ever longer.
    assert [delays.after_link(lasted=0.1) for _ in range(5)] == [1, 2, 4, 8, 8]
    assert delays.after_link(lasted=2) == 1
    # A failed attempt between two short links: they are not flaps in a row.
    assert delays.after_link(lasted=0.1) == 1
    assert delays.after_attempt(answered=False) == 3
    assert delays.after_link(lasted=0.1) == 1
    jittered = ReconnectDelays(
        Backoff(jitter=0.5, rand=lambda: 1.0), retry_interval=2, flap_after=1
    )
    assert jittered.after_attempt(answered=False) == 1.0


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (IapConnectionError("refused", ConnectionFailure.REFUSED), False),
        (IapConnectionError("timed out", ConnectionFailure.TIMEOUT), False),
        (IapConnectionError("reset"), False),
        (IapCertificateError("another certificate", "AA:BB"), False),
        (IapServerError("HTTP 503"), True),
        (IapRateLimitedError("HTTP 429", 5), True),
        (IapProtocolError("not JSON"), True),
        (IapAuthenticationError("refused"), True),
        (LinkLost("dropped"), False),
        (LinkLost("frame too big", answered=True), True),
    ],
)
def test_answered(error: IapError, expected: bool) -> None:
    assert answered(error) is expected
    assert lost_link(error, "x: ").answered is expected


def test_lost_link_waits_for_retry_after() -> None:
    assert lost_link(IapRateLimitedError("429", 7)).wait == 7
    assert lost_link(IapRateLimitedError("429")).wait == 0


def _frame(action: str, payload: object) -> bytes:
    return orjson.dumps({"action": action, "payload": payload})


def test_frame_datapoint_updates_both_keys() -> None:
    stats = ClientStats()
    event = parse_frame(
        _frame(
            "UPD:DATAPOINT",
            [
                {
                    "datapointQualifier": "a/lon/1/B/0/x",
                    "value": 1,
                    "timestamp": "2022-04-11T07:00:00.000Z",
                },
                {
                    "dpQualifier": "a/lon/1/B/0/y",
                    "value": {"value": 75, "state": 1},
                    "presetValue": "ON",
                },
                {
                    "datapointQualifier": "a/lon/1/B/0/z",
                    "value": 2,
                    "timestamp": "2022-04-11T07:00:00.000Z[UTC]",
                },
                {
                    "datapointQualifier": "a/lon/1/B/0/w",
                    "value": 3,
                    "timestamp": "garbage Z",
                },
                {
                    "datapointQualifier": "a/lon/1/B/0/v",
                    "value": 4,
                    "timestamp": "garbage",
                },
                {"value": 5},
                "not an object",
                # No value at all is an unusable item; null is a value (unknown).
                {"datapointQualifier": "a/lon/1/B/0/u"},
                {"datapointQualifier": "a/lon/1/B/0/t", "value": None},
            ],
        ),
        stats,
    )
    assert isinstance(event, DatapointsUpdated)
    first, second, third, fourth, fifth, sixth = event.updates
    assert first.timestamp == datetime(2022, 4, 11, 7, tzinfo=UTC)
    assert second.qualifier == "a/lon/1/B/0/y"
    assert second.value == {"value": 75, "state": 1}
    assert second.preset_value == "ON"
    assert second.timestamp is None
    assert third.timestamp == datetime(2022, 4, 11, 7, tzinfo=UTC)
    assert fourth.timestamp is None
    assert fifth.timestamp is None
    assert (sixth.qualifier, sixth.value) == ("a/lon/1/B/0/t", None)
    assert stats.skipped_updates == 3
    single = parse_frame(_frame("UPD:DATAPOINT", {"dpQualifier": "q", "value": 1}))
    assert isinstance(single, DatapointsUpdated)
    assert len(single.updates) == 1


def test_frame_other_actions() -> None:
    event = parse_frame(
        _frame(
            "UPD:DEVICE",
            {"id": "5", "status": {"state": "provisioned", "health": "down"}},
        )
    )
    assert isinstance(event, DeviceStatusChanged)
    assert event.device_id == "5"
    assert event.status.health == "down"
    assert not event.status.is_healthy
    flat = parse_frame(_frame("UPD:DEVICE", {"deviceId": 7, "health": "normal"}))
    assert isinstance(flat, DeviceStatusChanged)
    assert flat.device_id == "7"
    assert flat.status.is_healthy
    assert parse_frame(_frame("DEL:DEVICE", {"id": "9"})) == DeviceDeleted("9")
    assert parse_frame(_frame("DEL:DEVICE", 9)) == DeviceDeleted("9")
    raised = parse_frame(
        _frame(
            "CRT:ALARM",
            {
                "id": 1760,
                "timestamp": "2019-01-11T15:27:52.994-08:00[America/Los_Angeles]",
                "state": "Active",
                "device": {"id": "25", "name": "Test Device"},
                "type": "Type mismatch",
            },
        )
    )
    assert isinstance(raised, AlarmRaised)
    assert raised.alarm.id == 1760
    assert raised.alarm.active
    assert raised.alarm.device_name == "Test Device"
    cleared = parse_frame(_frame("DEL:ALARM", {"id": 1760}))
    assert cleared == AlarmCleared(1760, None)
    cleared_obj = parse_frame(_frame("DEL:ALARM", {"id": "1760", "state": "Cleared"}))
    assert isinstance(cleared_obj, AlarmCleared)
    assert cleared_obj.alarm is not None
    assert not cleared_obj.alarm.active
    assert parse_frame(_frame("DEL:ALARM", 12)) == AlarmCleared(12, None)
    # Undocumented payloads: whatever an alarm frame carries, the alarms changed.
    for action, payload in (
        ("DEL:ALARM", {"id": "x"}),
        ("DEL:ALARM", {"id": "x", "state": "Cleared"}),
        ("DEL:ALARM", [1760]),
        ("CRT:ALARM", {"id": "abc"}),
        ("CRT:ALARM", {"id": True}),
        ("CRT:ALARM", 1760),
        ("CRT:ALARM", None),
    ):
        assert parse_frame(_frame(action, payload)) == AlarmsChanged(action)
    tested = parse_frame(
        _frame(
            "UPD:DEVICE_TEST_RESULT",
            {
                "deviceId": "25",
                "results": {"state": "Configured Online", "health": "normal"},
            },
        )
    )
    assert tested == DeviceTestResult("25", "Configured Online", "normal", None)
    flat = parse_frame(
        _frame("UPD:DEVICE_TEST_RESULT", {"id": 3, "error": "no answer", "state": 1})
    )
    assert flat == DeviceTestResult("3", None, None, "no answer")
    note = parse_frame(
        _frame(
            "CRT:NOTIFICATION",
            {
                "message": "queryStatus  Device does not respond!",
                "targetType": "DEVICE",
                "targetName": "D1",
            },
        )
    )
    assert note == NotificationReceived(
        "queryStatus  Device does not respond!", "DEVICE", "D1"
    )
    assert parse_frame(
        _frame("CRT:NOTIFICATION", {"message": 3})
    ) == NotificationReceived("", None, None)
    timed = parse_frame(
        _frame("NTF:TIME", {"value": "2019-01-12 02:27:46.045 Europe/Kirov"})
    )
    assert isinstance(timed, ServerTime)
    assert timed.value == datetime(2019, 1, 11, 23, 27, 46, 45000, tzinfo=UTC)
    assert parse_frame(_frame("NTF:TIME", "bogus")) == ServerTime(None)
    assert parse_frame(_frame("UPD:CPU", 12.5)) is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[1,2]",
        b'"end"',
        b'{"payload": []}',
        b'{"action": 5}',
        b'{"action": "UPD:DATAPOINT", "payload": 5}',
        b'{"action": "UPD:DEVICE", "payload": []}',
        b'{"action": "UPD:DEVICE", "payload": {"status": {}}}',
        b'{"action": "DEL:DEVICE", "payload": {"id": true}}',
        b'{"action": "UPD:DEVICE_TEST_RESULT", "payload": []}',
        b'{"action": "UPD:DEVICE_TEST_RESULT", "payload": {"results": {}}}',
        b'{"action": "CRT:NOTIFICATION", "payload": null}',
        '{"action": "UPD:DATAPOINT", "payload": [\ud800]}',
        b'{"action": "UPD:DATAPOINT", "payload": [NaN, \xff]}',
        b"[" * 100_000,
    ],
)
def test_frame_malformed(data: bytes | str) -> None:
    with pytest.raises(IapProtocolError):
        parse_frame(data)


def test_frame_decoder_counts() -> None:
    stats = ClientStats()
    decoder = FrameDecoder(stats)
    assert decoder.decode(b"{bad") is None
    assert decoder.decode(_frame("UPD:SOMETHING:NEW", {})) is None
    assert decoder.decode(_frame("UPD:EPS", 3)) is None
    event = decoder.decode(_frame("UPD:DATAPOINT", [{"dpQualifier": "q", "value": 1}]))
    assert isinstance(event, DatapointsUpdated)
    assert (stats.frames, stats.malformed_frames, stats.unknown_actions) == (4, 1, 1)
    assert (stats.ignored_frames, stats.updates) == (1, 1)
    assert stats.as_dict()["frames"] == 4


def test_one_unparsable_number_keeps_the_frames_other_updates() -> None:
    stats = ClientStats()
    frame = (
        '{"action": "UPD:DATAPOINT", "payload": ['
        '{"datapointQualifier": "a", "value": 21.5},'
        '{"datapointQualifier": "b", "value": NaN},'
        '{"datapointQualifier": "c", "value": 1e400},'
        '{"datapointQualifier": "d", "value": -Infinity},'
        '{"datapointQualifier": "e", "value": "\\ud800"},'
        '{"datapointQualifier": "f", "value": 7}]}'
    )
    event = FrameDecoder(stats).decode(frame.encode())
    assert isinstance(event, DatapointsUpdated)
    values = {u.qualifier: u.value for u in event.updates}
    assert values["a"] == 21.5 and values["f"] == 7
    nan = values["b"]
    assert isinstance(nan, float) and math.isnan(nan) and values["c"] == math.inf
    assert values["d"] == -math.inf and values["e"] == "\ud800"
    assert (stats.updates, stats.malformed_frames) == (6, 0)


DEVICE = {
    "name": "00D07111EAC0",
    "category": "EDGE",
    "id": "2",
    "status": {"state": "provisioned", "health": "normal", "connection": "connected"},
    "scId": "Ab93fcpn",
    "uid": "00D07111EAC0",
    "protocol": "lon",
    "DID": "2.1",
    "deviceTypeName": "LH-PM100E_S6k",
    "firmwareVersion": "1.2",
}


def test_parse_device() -> None:
    device = parse_device(DEVICE)
    assert (device.id, device.name, device.sc_id, device.did, device.uid) == (
        "2",
        "00D07111EAC0",
        "Ab93fcpn",
        "2.1",
        "00D07111EAC0",
    )
    assert device.type_name == "LH-PM100E_S6k"
    assert device.status.connection == "connected"
    assert not device.is_smartserver
    smartserver = parse_device(
        {"id": 1, "category": "SC", "deviceState": "provisioned"}
    )
    assert smartserver.is_smartserver
    assert smartserver.name == "1"
    assert smartserver.status.state == "provisioned"
    bad: object
    for bad in ({"name": "x"}, [], {"id": None}, {"id": {"a": 1}}):
        with pytest.raises(IapProtocolError):
            parse_device(bad)


DATAPOINT = {
    "deviceId": "17q2d9x.5",
    "deviceName": "Meter 1",
    "blockName": "block",
    "blockIndex": "1",
    "datapointName": "Volts_1",
    "name": "Volts 1",
    "dpQualifier": "17q2d9x/lon/5/block/1/Volts_1",
    "values": {"level": 17, "levels": {"17": -500}},
    "cat": "out",
    "monitor": {"cat": "data", "rate": 0, "report": "change"},
    "type": "0000000000000000-0/SNVT_volt_f",
    "value": -500,
    "lon.cfg": {"tag": {}, "unit": "", "handle": 1},
}


def test_datapoint_without_a_qualifier_is_named_from_its_device() -> None:
    # The documented property item: no dpQualifier.
    item = {
        "deviceId": "17q2d9x.5",
        "deviceName": "Meter 5",
        "blockName": "block",
        "blockIndex": "1",
        "datapointName": "Volts_1",
    }
    meter = parse_device(
        {
            "id": "5",
            "name": "Meter 5",
            "scId": "17q2d9x",
            "protocol": "lon",
            "DID": "5.1",
        }
    )
    twin = parse_device({"id": "6", "name": "Meter 5", "deviceId": "17q2d9x.6"})
    expected = "17q2d9x/lon/5.1/block/1/Volts_1"
    assert parse_datapoint(item, device_finder([meter])).qualifier == expected
    # By the device the listing was for, or by the deviceId the device list carries.
    assert (
        parse_datapoint(item, device_finder([meter, twin], "5")).qualifier == expected
    )
    listed = parse_device({**meter.raw, "deviceId": "17q2d9x.5"})
    assert parse_datapoint(item, device_finder([twin, listed])).qualifier == expected
    # Two devices of that name and no matching id: nothing to build it from.
    for devices in ([meter, twin], [], [twin]):
        with pytest.raises(IapProtocolError, match="qualifier"):
            parse_datapoint(item, device_finder(devices))
    with pytest.raises(IapProtocolError, match="qualifier"):
        parse_datapoint(item)


def test_parse_datapoint() -> None:
    dp = parse_datapoint(DATAPOINT)
    assert dp.block_index == 1
    assert dp.type_name == "SNVT_volt_f"
    assert dp.direction is Direction.OUTPUT
    assert not dp.writable
    assert dp.unit is None
    assert dp.monitor_rate == 0.0
    assert dp.instance_name == "Volts 1"
    writable = parse_datapoint(
        {
            **DATAPOINT,
            "cat": "in",
            "lon.cfg": {"unit": "V"},
            "blockIndex": 2.0,
            "monitor": {"rate": True},
        }
    )
    assert writable.writable
    assert writable.unit == "V"
    assert writable.block_index == 2
    assert writable.monitor_rate is None
    guessed = parse_datapoint(
        {
            **DATAPOINT,
            "cat": None,
            "datapointName": "nviLamp",
            "unit": "%",
            "lon.cfg": None,
        }
    )
    assert guessed.direction is Direction.INPUT
    assert guessed.unit == "%"
    other = parse_datapoint(
        {**DATAPOINT, "cat": "output", "type": None, "typeName": "SNVT_x"}
    )
    assert other.direction is Direction.OUTPUT
    assert other.type_name == "SNVT_x"
    assert parse_datapoint({**DATAPOINT, "type": "/"}).type_name is None
    assert parse_datapoint({**DATAPOINT, "cat": "INPUT"}).direction is Direction.INPUT
    for bad in (
        {**DATAPOINT, "dpQualifier": None},
        {**DATAPOINT, "blockName": None},
        {**DATAPOINT, "blockIndex": "x"},
        {**DATAPOINT, "blockIndex": True},
        {**DATAPOINT, "blockIndex": 1.5},
    ):
        with pytest.raises(IapProtocolError):
            parse_datapoint(bad)


@pytest.mark.parametrize(
    ("name", "direction"),
    [
        ("nviSetpoint", Direction.INPUT),
        ("nciMaxFlow", Direction.INPUT),
        ("cpDefaultOutput", Direction.INPUT),
        ("nvoSpaceTemp", Direction.OUTPUT),
        ("nvoX", Direction.OUTPUT),
        ("Energy", Direction.OUTPUT),
    ],
)
def test_direction_without_cat_follows_the_name(
    name: str, direction: Direction
) -> None:
    # Properties sent without "cat": network-variable inputs (nvi), configuration
    # properties (nci, cp) accept writes; everything else is read-only.
    item = {k: v for k, v in DATAPOINT.items() if k != "cat"}
    dp = parse_datapoint({**item, "datapointName": name})
    assert dp.direction is direction
    assert dp.writable is (direction is Direction.INPUT)


def test_log_entry_utc_wins_in_the_autumn_dst_hour() -> None:
    # 2026-10-25 02:30 in Berlin happens twice (CEST, then CET). The entry is the
    # second one, 01:30 UTC; its local text alone would read as the first, 00:30 UTC.
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    entry = parse_log_entry(
        {
            "dpQualifier": "q",
            "local": "2026-10-25 02:30:00.000 Europe/Berlin",
            "utc": "2026-10-25T01:30:00.000Z",
            "timestamp": "2026-10-25T00:30:00.000Z",
        }
    )
    assert entry.utc == second
    assert parse_timestamp("2026-10-25 02:30:00.000 Europe/Berlin") != second


def test_parse_value_alarm_log() -> None:
    update = parse_value_item(
        {
            "dpQualifier": "q",
            "value": 3,
            "timestamp": "2022-04-11T07:00:00.000Z",
            "presetValue": "X",
        }
    )
    assert update.timestamp == datetime(2022, 4, 11, 7, tzinfo=UTC)
    assert update.preset_value == "X"
    with pytest.raises(IapProtocolError):
        parse_value_item({"value": 3})
    alarm = parse_alarm(
        {"id": "17", "deviceId": 4, "deviceName": "D", "severity": "Major Fault"}
    )
    assert (alarm.id, alarm.device_id, alarm.device_name) == (17, "4", "D")
    assert alarm.timestamp is None
    entry = parse_log_entry(
        {
            "dpQualifier": "q",
            "utc": "2022-04-11T07:00:00.000Z[UTC]",
            "local": "2022-04-11T09:00:00.000+02:00[Europe/Berlin]",
            "value": 1.5,
            "blockIndex": "0",
            "deviceId": "x.1",
        }
    )
    assert entry.utc == datetime(2022, 4, 11, 7, tzinfo=UTC)
    assert entry.block_index == 0
    local_only = parse_log_entry(
        {"datapointQualifier": "q", "local": "2022-04-11 09:00:00.000 Europe/Berlin"}
    )
    assert local_only.utc == datetime(2022, 4, 11, 7, tzinfo=UTC)
    assert local_only.block_index is None
    for bad in (
        {"utc": "2022-04-11T07:00:00Z"},
        {"dpQualifier": "q"},
        {"dpQualifier": "q", "utc": "x"},
    ):
        with pytest.raises(IapProtocolError):
            parse_log_entry(bad)


def test_path_elements() -> None:
    assert device_element("12", "Any") == "12"
    assert device_element(None, "Lamp 1/2") == "*+name==Lamp%201%2F2"
    assert name_element("nvo[1]") == "*+xifName==nvo%5B1%5D"
    # "&" joins filter terms, encoded or not: the literal instance name instead.
    assert name_element("nviA&B", "Valve position") == "Valve%20position"
    assert name_element("nviA&B") == "nviA%26B"
    assert datapoint_path("7", "Lamp", 2, "nviLamp", "Ceiling") == (
        "/iap/devs/7/if/*+xifName==Lamp/2/*+xifName==nviLamp"
    )


def test_queries() -> None:
    assert build_query({"a": True, "b": False, "c": 1, "d": "x y&z*"}) == (
        "a=true&b=false&c=1&d=x%20y%26z*"
    )
    start = datetime(2022, 4, 11, 7, tzinfo=UTC)
    query = log_query(
        "*+name==MS-01", "Block 1", 0, "nvo/Temp", start, start + timedelta(days=1)
    )
    assert query == (
        "dev=%2A%2Bname%3D%3DMS-01&blockName=Block%201&blockIndex=0"
        "&dpName=%2A%2BxifName%3D%3Dnvo%2FTemp"
        "&value=%2A%2Butc%3E2022-04-11T07%3A00%3A00.000%26utc%3C%3D2022-04-12T07%3A00%3A00.000"
    )
    assert log_query(None, None, None, None, None, None) == "value=%2A"
