"""The data-log timestamp form ``…Z[UTC]``: its fast path and what falls through it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.smartserver_iap.iap.errors import IapProtocolError
from custom_components.smartserver_iap.iap.timestamps import parse_timestamp


def test_zoned_utc_is_parsed_exactly() -> None:
    moment = parse_timestamp("2026-10-25T01:30:00.123Z[UTC]")
    assert moment == datetime(2026, 10, 25, 1, 30, 0, 123000, tzinfo=UTC)
    assert moment.utcoffset() is not None
    assert moment.tzinfo is UTC


@pytest.mark.parametrize("text", ["Z[UTC]", "2026-13-01T00:00:00Z[UTC]", "soonZ[UTC]"])
def test_bad_zoned_utc_is_refused(text: str) -> None:
    with pytest.raises(IapProtocolError):
        parse_timestamp(text)
