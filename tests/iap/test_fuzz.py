"""Hypothesis fuzzing of the three parsers that read what the SmartServer sends.

Case counts (max_examples): frames 3,000 + 1,500 + 500, qualifiers 2,000 + 1,000,
timestamps 2,000 + 1,000: 11,000 generated cases. Only IapError may escape.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone
import json
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings, strategies as st

from custom_components.smartserver_iap.iap import (
    ClientStats,
    DatapointsUpdated,
    FrameDecoder,
    IapError,
    IapProtocolError,
    Qualifier,
    parse_frame,
    parse_qualifier,
    parse_timestamp,
    quote_element,
)
from custom_components.smartserver_iap.iap.timestamps import parse_timestamp_or_none


def fuzz(examples: int) -> settings:
    """Return settings for one fuzz test; no example database in the work tree."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


ACTIONS = st.sampled_from(
    [
        "UPD:DATAPOINT",
        "UPD:DEVICE",
        "DEL:DEVICE",
        "CRT:ALARM",
        "DEL:ALARM",
        "CRT:NOTIFICATION",
        "NTF:TIME",
        "UPD:CPU",
        "UPD:NEW:THING",
    ]
)
TIMESTAMPISH = st.sampled_from(
    [
        "2022-04-11T07:00:00.000Z",
        "2022-04-11T07:00:00.000Z[UTC]",
        "2019-01-11 23:27:46.045 UTC",
        "2019-01-12 02:27:46.045 Europe/Kirov",
        "Z",
        "[",
        "]",
        "",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | TIMESTAMPISH
)
KEYS = st.sampled_from(
    [
        "datapointQualifier",
        "dpQualifier",
        "value",
        "timestamp",
        "presetValue",
        "id",
        "status",
        "state",
        "health",
        "message",
        "targetType",
        "targetName",
        "deviceId",
        "device",
    ]
)
FLAT = st.dictionaries(KEYS, SCALARS, max_size=4)
NESTED = st.dictionaries(
    KEYS, SCALARS | FLAT | st.lists(SCALARS, max_size=2), max_size=4
)
PAYLOADS = SCALARS | NESTED | st.lists(NESTED | SCALARS, max_size=3)


@fuzz(3000)
@given(st.binary(max_size=120) | st.text(max_size=120))
def test_fuzz_frame_raw(data: bytes | str) -> None:
    with contextlib.suppress(IapError):
        parse_frame(data)
    FrameDecoder(ClientStats()).decode(data)  # never raises


@fuzz(1500)
@given(ACTIONS, PAYLOADS)
def test_fuzz_frame_structured(action: str, payload: object) -> None:
    data = json.dumps({"action": action, "payload": payload})
    try:
        event = parse_frame(data)
    except IapError:
        return
    if isinstance(event, DatapointsUpdated):
        for update in event.updates:
            assert isinstance(update.qualifier, str)
            assert update.timestamp is None or update.timestamp.tzinfo is UTC


@fuzz(500)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"datapointQualifier": st.text(min_size=1, max_size=20), "value": SCALARS},
            optional={"timestamp": SCALARS},
        ),
        max_size=6,
    )
)
def test_fuzz_frame_updates_kept(updates: list[dict[str, object]]) -> None:
    stats = ClientStats()
    event = FrameDecoder(stats).decode(
        json.dumps({"action": "UPD:DATAPOINT", "payload": updates})
    )
    assert isinstance(event, DatapointsUpdated)
    # A bad timestamp never costs the value.
    assert [u.qualifier for u in event.updates] == [
        u["datapointQualifier"] for u in updates
    ]
    assert stats.malformed_frames == 0


NAMES = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="/"),
    min_size=1,
    max_size=12,
)


@fuzz(2000)
@given(st.text(alphabet="ab0123-+ /%.٣", max_size=40) | st.text(max_size=40))
def test_fuzz_qualifier_any_text(text: str) -> None:
    try:
        qualifier = parse_qualifier(text)
    except IapProtocolError:
        return
    assert qualifier.block_index >= 0
    # Every name is non-empty (the index may be 0, which is falsy).
    assert all(part for n, part in enumerate(qualifier) if n != 4)


@fuzz(1000)
@given(NAMES, NAMES, NAMES, NAMES, st.integers(0, 10**6), NAMES)
def test_fuzz_qualifier_round_trip(  # noqa: PLR0917
    sc_id: str, protocol: str, did: str, block: str, index: int, datapoint: str
) -> None:
    qualifier = Qualifier(sc_id, protocol, did, block, index, datapoint)
    text = str(qualifier)
    assert parse_qualifier(text) == qualifier
    quoted = quote_element(text)
    assert "/" not in quoted
    assert quoted.isascii()
    assert unquote(quoted) == text


@fuzz(2000)
@given(
    st.text(alphabet="0123456789-:.TZ +[]/UTCEurope_", max_size=40)
    | st.text(max_size=30)
    | st.integers()
    | st.floats()
    | st.none()
    | st.booleans()
)
def test_fuzz_timestamp_any(value: object) -> None:
    try:
        result = parse_timestamp(value)  # type: ignore[arg-type]
    except IapProtocolError:
        assert parse_timestamp_or_none(value) is None
        return
    assert result.tzinfo is UTC


@fuzz(1000)
@given(
    st.datetimes(
        min_value=datetime(1971, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.just(UTC),
    ),
    st.integers(-12 * 60, 14 * 60),
    st.sampled_from(["z", "zoned", "space", "offset", "local"]),
)
def test_fuzz_timestamp_forms(moment: datetime, offset_minutes: int, form: str) -> None:
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    millis = f"{moment.microsecond // 1000:03d}"
    if form == "z":
        text = moment.strftime("%Y-%m-%dT%H:%M:%S.") + millis + "Z"
    elif form == "zoned":
        text = moment.strftime("%Y-%m-%dT%H:%M:%S.") + millis + "Z[UTC]"
    elif form == "space":
        text = moment.strftime("%Y-%m-%d %H:%M:%S.") + millis + " UTC"
    else:
        local = moment.astimezone(timezone(timedelta(minutes=offset_minutes)))
        text = local.isoformat(timespec="milliseconds")
        if form == "local":
            # With an offset present the zone name does not matter.
            text += "[America/Los_Angeles]"
    assert parse_timestamp(text) == moment
