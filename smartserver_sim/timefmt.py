"""Time strings as the SmartServer writes them (Java ZonedDateTime-like)."""

from __future__ import annotations

from datetime import UTC, datetime
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso_z(t: float) -> str:
    """Return ``2026-11-28T04:00:00.000Z``."""
    dt = datetime.fromtimestamp(t, UTC)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond // 1000:03d}Z"


def zoned_utc(t: float) -> str:
    """Return ``2026-11-28T04:00:00.000Z[UTC]``."""
    return iso_z(t) + "[UTC]"


def space_utc(t: float) -> str:
    """Return ``2019-01-11 23:27:46.045 UTC``."""
    dt = datetime.fromtimestamp(t, UTC)
    return f"{dt:%Y-%m-%d %H:%M:%S}.{dt.microsecond // 1000:03d} UTC"


def zoned_local(t: float, zone: ZoneInfo) -> str:
    """Return ``2019-01-11T15:27:52.994-08:00[America/Los_Angeles]``."""
    dt = datetime.fromtimestamp(t, zone)
    offset = dt.strftime("%z")
    offset = "Z" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:]}"
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond // 1000:03d}{offset}[{zone.key}]"


UTC_FORMATS = {"zoned": zoned_utc, "z": iso_z, "space": space_utc}

_TIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"\s*(Z|UTC|[+-]\d{2}:?\d{2})?(?:\[[^\]]*\])?$"
)


def parse_time(text: str) -> float:
    """Parse a query time (UTC unless it carries an offset); raise ValueError if bad."""
    match = _TIME_RE.match(text.strip())
    if match is None:
        raise ValueError(f"not a time: {text!r}")
    year, month, day, hour, minute, second, frac, zone = match.groups()
    dt = datetime(
        int(year),
        int(month),
        int(day),
        int(hour),
        int(minute),
        int(second or 0),
        int((frac or "0").ljust(6, "0")),
        tzinfo=UTC,
    )
    seconds = (dt - _EPOCH).total_seconds()
    if zone and zone not in ("Z", "UTC"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        seconds -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return seconds
