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


class HourlyTimes:
    """``iso_z`` and ``zoned_local`` of whole seconds, the date part made once an hour.

    A data log streams many entries an hour; formatting each from a datetime is most of
    a streamed entry's cost. Hours whose local offset is not whole hours or changes
    inside the hour, and instants with a fraction of a second, return None: the
    caller formats those with the functions above.
    """

    __slots__ = ("_hour", "_local", "_utc", "_zone")

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        self._hour = -1
        self._utc = ""
        self._local: tuple[str, str] | None = None

    def texts(self, t: float) -> tuple[str, str] | None:
        """Return ``(iso_z(t), zoned_local(t, zone))``, or None (format it yourself)."""
        whole = int(t)
        if whole != t:
            return None
        hour = whole - whole % 3600
        if hour != self._hour:
            self._start_hour(hour)
        if self._local is None:
            return None
        rest = whole - hour
        clock = f"{rest // 60:02d}:{rest % 60:02d}.000"
        return f"{self._utc}{clock}Z", f"{self._local[0]}{clock}{self._local[1]}"

    def _start_hour(self, hour: int) -> None:
        self._hour = hour
        self._utc = f"{datetime.fromtimestamp(hour, UTC):%Y-%m-%dT%H:}"
        local = datetime.fromtimestamp(hour, self._zone)
        later = datetime.fromtimestamp(hour + 3599, self._zone)
        if local.minute or local.utcoffset() != later.utcoffset():
            self._local = None
            return
        suffix = zoned_local(hour, self._zone)[len("YYYY-MM-DDTHH:MM:SS.mmm") :]
        self._local = (f"{local:%Y-%m-%dT%H:}", suffix)


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
