"""Deterministic value generators: a datapoint's value is a pure function of time.

Every generator answers ``value_at(t)`` in O(1) for any instant, so data-log history can be
streamed for any range without materialising it, and tests can recompute it exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Any

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


def generator_from_spec(spec: dict[str, Any] | None) -> Generator | None:
    """Build a generator from its scenario mapping; raise ValueError on bad specs."""
    if spec is None:
        return None
    kind = str(spec.get("kind", "constant"))
    if kind not in KINDS:
        raise ValueError(f"unknown generator kind {kind!r}")
    fields: dict[str, Any] = {"kind": kind}
    for key in ("base", "amplitude", "period", "phase", "step", "start", "rate"):
        if key in spec:
            fields[key] = float(spec[key])
    for key in ("interval", "epoch", "wrap"):
        if key in spec:
            fields[key] = float(spec[key])
    if "digits" in spec:
        fields["digits"] = int(spec["digits"])
    if "value" in spec:
        fields["value"] = spec["value"]
    if "values" in spec:
        fields["values"] = tuple(spec["values"])
    if kind == "cycle" and not fields.get("values"):
        raise ValueError("a cycle generator needs values")
    if fields.get("period", 1.0) <= 0 or fields.get("step", 1.0) <= 0:
        raise ValueError("period and step must be positive")
    return Generator(**fields)
