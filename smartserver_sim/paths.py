"""IAP path elements: literals, ``*`` and ``*+key{op}value[&key{op}value...]`` filters.

Elements are parsed from the raw (still percent-encoded) path so that an encoded ``/``,
``&`` or ``,`` inside a name never splits anything; each value is decoded on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
import re
from typing import Any
from urllib.parse import unquote


class PathError(ValueError):
    """A path element that cannot be parsed (HTTP 400)."""


_COND_RE = re.compile(
    r"^\s*([A-Za-z_*][\w.*]*)\s*(==|!=|=~|=\+|!\+|!~|<=|>=|=>|=<|=-|<|>)(.*)$"
)
# Keys whose values are vocabularies the SmartServer compares case-insensitively.
_CASELESS = {
    "status",
    "state",
    "sts",
    "health",
    "category",
    "connection",
    "protocol",
    "cat",
}


@dataclass(frozen=True, slots=True)
class Condition:
    """One ``key op value`` term of a filter."""

    key: str
    op: str
    value: str
    items: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class Selector:
    """A parsed path element: a literal (``literal``), ``*``, or ``*`` plus conditions."""

    literal: str | None
    conditions: tuple[Condition, ...] = ()

    @property
    def is_wildcard(self) -> bool:
        """Return True when the element may match more than one thing."""
        return self.literal is None


_PREFIXES = ("*+", "%2A+", "*%2B", "%2A%2B")
_SPLIT_TERMS = re.compile(r"&|%26", re.IGNORECASE)
_RAW_LIST_RE = re.compile(r"^(?P<key>[A-Za-z0-9_.*%]+)=-(?P<items>.*)$")


def parse_element(raw: str) -> Selector:
    """Parse one raw path element."""
    if unquote(raw) == "*":
        return Selector(None)
    upper = raw.upper()
    for prefix in _PREFIXES:
        if upper.startswith(prefix):
            body = raw[len(prefix) :]
            break
    else:
        literal = unquote(raw)
        if not literal:
            raise PathError("empty path element")
        return Selector(literal)
    return Selector(None, tuple(_condition(t) for t in _SPLIT_TERMS.split(body)))


def parse_filter(text: str) -> Selector:
    """Parse an already-decoded element such as a query parameter's value."""
    if text == "*":
        return Selector(None)
    if not text.startswith("*+"):
        if not text:
            raise PathError("empty filter")
        return Selector(text)
    return Selector(None, tuple(_condition(t) for t in text[2:].split("&")))


def _condition(term: str) -> Condition:
    listed = _RAW_LIST_RE.match(term)
    if listed is not None:
        # Each qualifier of a list is encoded on its own ("/" as %2F, "," as %2C), so
        # split the raw list first and decode every item exactly once.
        key = unquote(listed["key"]).lstrip("*") or "name"
        items = tuple(unquote(i) for i in listed["items"].split(",") if i)
        return Condition(key, "=-", "", items=items)
    match = _COND_RE.match(unquote(term))
    if match is None:
        raise PathError(f"bad filter term {unquote(term)!r}")
    key, op, value = match.groups()
    key = key.lstrip("*") or "name"
    if op == "=-":
        # The whole term was encoded (``%3D-``): the list is decoded already.
        return Condition(key, op, "", items=tuple(i for i in value.split(",") if i))
    pattern = None
    if op in ("=~", "=+", "!+", "!~"):
        try:
            pattern = re.compile(value, re.IGNORECASE)
        except re.error as err:
            raise PathError(f"bad regular expression {value!r}: {err}") from None
    return Condition(key, op, value, pattern=pattern)


type Lookup = Callable[[str], Iterable[Any] | None]


def matches(
    selector: Selector, literal_candidates: Iterable[Any], lookup: Lookup
) -> bool:
    """Return True when the element selects the thing described by the arguments.

    ``literal_candidates`` are the values a literal element may equal (id, name, ...);
    ``lookup(key)`` returns the values of a filter key, or None for an unknown key.
    """
    if selector.literal is not None:
        return any(selector.literal == str(c) for c in literal_candidates)
    return all(_term(cond, lookup(cond.key)) for cond in selector.conditions)


def _term(cond: Condition, values: Iterable[Any] | None) -> bool:
    if values is None:
        return False
    texts = [_text(v) for v in values]
    op = cond.op
    if op == "=-":
        return any(t in cond.items for t in texts)
    if cond.pattern is not None:
        found = any(cond.pattern.search(t) for t in texts)
        return found if op in ("=~", "=+") else not found
    if op in ("==", "!="):
        want = cond.value
        if cond.key in _CASELESS:
            hit = any(t.lower() == want.lower() for t in texts)
        else:
            hit = want in texts
        return hit if op == "==" else not hit
    return any(_compare(t, op, cond.value) for t in texts)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _compare(left: str, op: str, right: str) -> bool:
    a: Any
    b: Any
    try:
        a, b = float(left), float(right)
    except ValueError:
        a, b = left, right
    if op == "<":
        return bool(a < b)
    if op == ">":
        return bool(a > b)
    if op in ("<=", "=<"):
        return bool(a <= b)
    return bool(a >= b)  # ">=", "=>"
