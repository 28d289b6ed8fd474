"""Reading a scenario's mappings: only known keys, typed values, errors that say where.

Every mapping of a scenario file (the site, a device, a block, a datapoint, a generator,
an alarm) is read through a ``Spec`` that knows its keys (``KEYS``, which the README's
scenario section documents) and its place in the file, so a bad file gets one line such as
``devices[2].blocks[0].datapoints[1].type: unknown type 'SNVT_nope'``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NoReturn

from .errors import ScenarioError

if TYPE_CHECKING:
    from collections.abc import Iterator

KEYS: dict[str, tuple[str, ...]] = {
    "scenario": (
        "scId", "scName", "seed", "timezone", "users", "smartserver", "devices",
        "alarms", "alarm_definitions",
    ),
    "smartserver": ("name", "uid", "type", "did", "id", "firmwareVersion", "blocks"),
    "device": (
        "name", "id", "type", "category", "did", "uid", "protocol", "state", "health",
        "connection", "firmwareVersion", "blocks",
    ),
    "block": ("name", "index", "datapoints"),
    "datapoint": (
        "name", "type", "direction", "instanceName", "unit", "initial", "generator",
        "follows", "monitor", "log", "presets", "tags",
    ),
    "generator": (
        "kind", "value", "base", "amplitude", "period", "phase", "step", "start", "rate",
        "wrap", "values", "interval", "digits", "epoch",
    ),
    "alarm": (
        "device", "group", "target_type", "type", "details", "severity", "category",
        "state", "age", "raise_after", "clear_after",
    ),
    "alarm_definition": (
        "handle", "desc", "enabled", "ackd", "activation", "deactivation", "message",
        "urgent", "actions", "severity",
    ),
}  # fmt: skip

_MISSING: Any = object()


def describe(value: Any) -> str:
    """Return what a value is, in the words of a YAML file."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class Spec:
    """One mapping of a scenario, read key by key; a missing or ``null`` key is absent."""

    __slots__ = ("_data", "where")

    def __init__(self, data: Any, where: str, what: str) -> None:
        if not isinstance(data, dict):
            place = where or "the scenario"
            raise ScenarioError(f"{place}: a {what} is a mapping, not {describe(data)}")
        keys = KEYS[what]
        unknown = [key for key in data if key not in keys]
        if unknown:
            raise ScenarioError(
                f"{self._at(where, str(unknown[0]))}: unknown key in a {what}"
                f" (known: {', '.join(keys)})"
            )
        self._data: dict[str, Any] = data
        self.where = where

    @staticmethod
    def _at(where: str, key: str) -> str:
        return f"{where}.{key}" if where else key

    def at(self, key: str) -> str:
        """Return the place of ``key`` for an error message."""
        return self._at(self.where, key)

    def fail(self, key: str, problem: str) -> NoReturn:
        """Raise the error of ``key``."""
        raise ScenarioError(f"{self.at(key)}: {problem}")

    def has(self, key: str) -> bool:
        """Return True when ``key`` is given (not absent, not null)."""
        return self._data.get(key) is not None

    def raw(self, key: str, default: Any = None) -> Any:
        """Return the value as it is, or ``default``."""
        value = self._data.get(key)
        return default if value is None else value

    def _get(self, key: str, default: Any) -> Any:
        value = self._data.get(key)
        if value is None:
            if default is _MISSING:
                self.fail(key, "missing")
            return default
        return value

    def text(self, key: str, default: Any = _MISSING) -> str:
        """Return a text; a number is taken as its text (YAML reads ``4.4`` as one)."""
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(key, f"needs a text, not {describe(value)}")
        return str(value)

    def number(self, key: str, default: Any = _MISSING) -> float:
        """Return a finite number."""
        value = self._get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.fail(key, f"needs a number, not {describe(value)}")
        return float(value)

    def integer(self, key: str, default: Any = _MISSING) -> int:
        """Return a whole number."""
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"needs a whole number, not {describe(value)}")
        return value

    def mapping(self, key: str) -> dict[str, Any]:
        """Return a mapping (empty when absent) with text keys."""
        value = self._get(key, {})
        if not isinstance(value, dict):
            self.fail(key, f"needs a mapping, not {describe(value)}")
        return {str(k): v for k, v in value.items()}

    def texts(self, key: str) -> dict[str, str]:
        """Return a mapping of texts (``users``, ``tags``); numbers are taken as text."""
        value = self.mapping(key)
        for name, item in value.items():
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise ScenarioError(
                    f"{self.at(key)}.{name}: needs a text, not {describe(item)}"
                )
        return {name: str(item) for name, item in value.items()}

    def items(self, key: str) -> Iterator[tuple[str, Any]]:
        """Yield each element of a list (none when absent) with its place."""
        value = self._get(key, [])
        if not isinstance(value, list):
            self.fail(key, f"needs a list, not {describe(value)}")
        for n, item in enumerate(value):
            yield f"{self.at(key)}[{n}]", item
