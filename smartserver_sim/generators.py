"""Deterministic value generators: a datapoint's value is a pure function of time.

Every generator answers ``value_at(t)`` in O(1) for any instant, so data-log history can be
streamed for any range without materialising it, and tests can recompute it exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Any

from .spec import Spec

_MASK = (1 << 64) - 1


def mix64(value: int) -> int:
    """Return the splitmix64 finaliser of ``value`` (a fast, well-spread hash)."""
    z = (value + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def unit_noise(seed: int, step: int) -> float:
    """Return a reproducible pseudo-random number in [-1, 1) for (seed, step)."""
    return (mix64(seed ^ mix64(step & _MASK)) >> 11) / float(1 << 52) - 1.0


def seed_for(base_seed: int, qualifier: str) -> int:
    """Return the per-datapoint seed (stable across runs, unlike ``hash()``)."""
    acc = base_seed & _MASK
    for byte in qualifier.encode():
        acc = mix64(acc ^ byte)
    return acc


@dataclass(frozen=True, slots=True)
class Generator:
    """A value generator from the scenario.

    kind: ``constant`` (value), ``sine`` (base, amplitude, period, phase), ``random_walk``
    (base, amplitude, step: knots every ``step`` s joined by smooth interpolation),
    ``random`` (base, amplitude: fresh noise every ``interval``), ``counter`` (start, rate
    in units per hour since the epoch; ``wrap`` > 0 rolls it over to 0 there, as a meter
    with a fixed number of digits does), ``cycle`` (values, period: one value per period).
    ``interval`` holds each value for that many seconds (the update rate); ``digits``
    rounds numbers.
    """

    kind: str = "constant"
    value: Any = None
    base: float = 0.0
    amplitude: float = 1.0
    period: float = 86400.0
    phase: float = 0.0
    step: float = 900.0
    start: float = 0.0
    rate: float = 1.0
    values: tuple[Any, ...] = ()
    interval: float = 0.0
    digits: int = 2
    epoch: float = 1767225600.0  # 2026-01-01T00:00:00Z: counters start here
    wrap: float = 0.0

    def value_at(self, t: float, seed: int) -> Any:
        """Return the value at UNIX time ``t`` for a datapoint with ``seed``."""
        if self.interval > 0:
            t = math.floor(t / self.interval) * self.interval
        kind = self.kind
        if kind == "constant":
            return self.value
        if kind == "cycle":
            index = math.floor(t / self.period)
            return self.values[mix64(seed ^ (index & _MASK)) % len(self.values)]
        if kind == "sine":
            x = self.base + self.amplitude * math.sin(
                2.0 * math.pi * t / self.period + self.phase
            )
        elif kind == "counter":
            x = self.start + self.rate * max(t - self.epoch, 0.0) / 3600.0
            if self.wrap > 0:
                x %= self.wrap
        elif kind == "random":
            x = self.base + self.amplitude * unit_noise(seed, math.floor(t))
        else:  # random_walk
            pos = t / self.step
            knot = math.floor(pos)
            frac = pos - knot
            smooth = frac * frac * (3.0 - 2.0 * frac)
            a = unit_noise(seed, knot)
            b = unit_noise(seed, knot + 1)
            x = self.base + self.amplitude * (a + (b - a) * smooth)
        return round(x, self.digits)


KINDS = ("constant", "sine", "random_walk", "random", "counter", "cycle")
# The keys that hold numbers; ``digits`` is a whole number, ``value``/``values`` any.
_NUMBERS = (
    "base", "amplitude", "period", "phase", "step", "start", "rate", "interval", "epoch",
    "wrap",
)  # fmt: skip


def generator_from_spec(data: Any, where: str = "generator") -> Generator | None:
    """Build a generator from its scenario mapping; raise ScenarioError on bad specs."""
    if data is None:
        return None
    spec = Spec(data, where, "generator")
    kind = spec.text("kind", "constant")
    if kind not in KINDS:
        spec.fail(
            "kind", f"unknown generator kind {kind!r} (known: {', '.join(KINDS)})"
        )
    fields: dict[str, Any] = {"kind": kind}
    for key in _NUMBERS:
        if spec.has(key):
            fields[key] = spec.number(key)
    if spec.has("digits"):
        fields["digits"] = spec.integer("digits")
    if kind == "constant":
        fields["value"] = spec.raw("value")
        if fields["value"] is None:
            spec.fail("value", "a constant generator needs a value")
    if kind == "cycle":
        fields["values"] = tuple(item for _, item in spec.items("values"))
        if not fields["values"]:
            spec.fail("values", "a cycle generator needs values")
    for key in ("period", "step"):
        if fields.get(key, 1.0) <= 0:
            spec.fail(key, "must be positive")
    return Generator(**fields)
