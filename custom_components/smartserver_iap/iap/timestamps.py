"""Parse every timestamp form the SmartServer uses into timezone-aware UTC datetimes.

Forms seen: ``2022-04-11T07:00:00.000Z``, ``2022-04-11T07:00:00.000Z[UTC]`` (Java
ZonedDateTime), ``2019-01-11T15:27:52.994-08:00[America/Los_Angeles]``,
``2019-01-11 23:27:46.045 UTC``, ``2019-01-12 02:27:46.045 Europe/Kirov`` (local time and
a zone name) and ISO without any zone, which the vendor's own client treats as UTC.
Epoch numbers (seconds or milliseconds) are accepted too, since the format is a guess.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from .errors import IapProtocolError

_fromisoformat = datetime.fromisoformat
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Above this an epoch number is taken as milliseconds (1e11 s is the year 5138).
_MS_THRESHOLD = 100_000_000_000


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo | None:
    # Cached because a zone's first load reads a file; the same few zones repeat.
    if name.upper() in ("UTC", "Z", "GMT", "ETC/UTC", "UCT"):
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError, TypeError) as err:
        raise IapProtocolError(f"unknown time zone {name!r}") from err


def _from_epoch(number: float) -> datetime:
    seconds = number / 1000 if abs(number) >= _MS_THRESHOLD else number
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except (OverflowError, ValueError) as err:
        raise IapProtocolError(f"epoch timestamp out of range: {number!r}") from err


def parse_timestamp(text: str | float) -> datetime:
    """Return the instant ``text`` names, as an aware UTC datetime.

    Raises:
        IapProtocolError: ``text`` is not a timestamp in any known form.
    """
    if not isinstance(text, str):
        if isinstance(text, bool) or not isinstance(text, int | float):
            raise IapProtocolError(f"not a timestamp: {text!r}")
        if text != text or text in (float("inf"), float("-inf")):  # noqa: PLR0124
            raise IapProtocolError(f"not a timestamp: {text!r}")
        return _from_epoch(text)
    # Fast path: plain UTC ISO with "Z", the form live updates carry.
    if text[-1:] == "Z":
        try:
            return _fromisoformat(text).astimezone(UTC)
        except ValueError, OverflowError:
            pass
    # Fast path: Java's ZonedDateTime in UTC, the form data-log entries carry.
    elif text[-6:] == "Z[UTC]":
        try:
            return _fromisoformat(text[:-5]).astimezone(UTC)
        except ValueError, OverflowError:
            pass
    return _parse_slow(text)


def _parse_slow(text: str) -> datetime:
    body = text.strip()
    zone_name: str | None = None
    if body.endswith("]"):
        start = body.rfind("[")
        if start < 0:
            raise IapProtocolError(f"not a timestamp: {text!r}")
        zone_name = body[start + 1 : -1].strip()
        body = body[:start].strip()
    elif " " in body:
        head, _, tail = body.rpartition(" ")
        # "2019-01-11 23:27:46.045 UTC": a trailing word that is not part of the time.
        if tail and (tail[0].isalpha() or "/" in tail):
            zone_name, body = tail, head.strip()
    if not body:
        raise IapProtocolError(f"not a timestamp: {text!r}")
    if body.lstrip("+-").replace(".", "", 1).isdigit() and zone_name is None:
        try:
            return _from_epoch(float(body))
        except ValueError as err:  # pragma: no cover - isdigit() guards float()
            raise IapProtocolError(f"not a timestamp: {text!r}") from err
    try:
        moment = _fromisoformat(body)
    except (ValueError, TypeError) as err:
        raise IapProtocolError(f"not a timestamp: {text!r}") from err
    try:
        if moment.tzinfo is None:
            zone = _zone(zone_name) if zone_name else None
            moment = moment.replace(tzinfo=zone or UTC)
        return moment.astimezone(UTC)
    except (OverflowError, ValueError) as err:
        raise IapProtocolError(f"timestamp out of range: {text!r}") from err


def parse_timestamp_or_none(text: object) -> datetime | None:
    """Return the parsed timestamp, or None when it is missing or unreadable.

    Live updates and log entries keep their value when only the timestamp is bad.
    """
    if text is None or text == "":
        return None
    try:
        return parse_timestamp(text)  # type: ignore[arg-type]
    except IapProtocolError:
        return None


def format_query_time(moment: datetime) -> str:
    """Format an instant the way data-log queries expect: UTC ISO, milliseconds, no zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.astimezone(UTC).microsecond // 1000:03d}"
    )
