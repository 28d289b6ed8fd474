"""What every followed entity must show, given the simulator's values.

The expected state is computed with the integration's own type table
(``datapoint_types.describe_datapoint``), so the soak checks the live path, not the
mapping of types to states (the unit tests do that).
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import TYPE_CHECKING, Any

from custom_components.smartserver_iap.datapoint_types import describe_datapoint
from custom_components.smartserver_iap.iap.models import (
    Datapoint as IapDatapoint,
    Direction,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    import random

    from smartserver_sim import Datapoint, Scenario

type States = Mapping[str, Mapping[str, Any]]
type Truth = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class Followed:
    """One followed entity: its id, the datapoint it shows and how."""

    entity_id: str
    qualifier: str
    # The device is up: the entity shows a value (else it is unavailable).
    healthy: bool
    value_fn: Callable[[Any], Any]
    valid_range: tuple[float, float] | None

    def expected(self, value: Any) -> Any:
        """Return the state the entity must show for ``value`` (None: unknown)."""
        if not self.healthy:
            return "unavailable"
        shown = self.value_fn(value)
        low_high = self.valid_range
        if shown is not None and low_high is not None:
            if not low_high[0] <= shown <= low_high[1]:
                return None
        return shown

    def shows(self, state: str | None, value: Any) -> bool:
        """Return True when ``state`` is what the entity must show for ``value``."""
        expected = self.expected(value)
        if state is None:
            return False
        if expected is None:
            return state == "unknown"
        if isinstance(expected, bool):
            return state == ("on" if expected else "off")
        if isinstance(expected, int | float) and not isinstance(expected, bool):
            try:
                return math.isclose(float(state), expected, rel_tol=1e-9, abs_tol=1e-9)
            except ValueError:
                return False
        return state == str(expected)


def _iap_datapoint(dp: Datapoint) -> IapDatapoint:
    return IapDatapoint(
        qualifier=dp.qualifier,
        device_id=dp.device.id,
        device_name=dp.device.name,
        block_name=dp.block,
        block_index=dp.index,
        name=dp.name,
        instance_name=dp.instance_name,
        type_name=dp.type.name,
        direction=Direction.OUTPUT if dp.direction == "out" else Direction.INPUT,
        unit=dp.unit or None,
        value=dp.value,
    )


def followed_entities(
    scenario: Scenario, uid: str, registry: list[Mapping[str, Any]]
) -> list[Followed]:
    """Return the entities of datapoints, matched by unique id (``{uid}_{q}{_key}``)."""
    prefix = f"{uid}_"
    datapoints = scenario.datapoints
    result: list[Followed] = []
    for entry in registry:
        unique_id = str(entry.get("unique_id", ""))
        if (
            not unique_id.startswith(prefix)
            or entry.get("platform") != "smartserver_iap"
        ):
            continue
        rest = unique_id.removeprefix(prefix)
        qualifier = next(
            (q for q in datapoints if rest == q or rest.startswith(f"{q}_")), None
        )
        if qualifier is None:
            continue
        key = rest.removeprefix(qualifier).removeprefix("_")
        dp = datapoints[qualifier]
        described = describe_datapoint(_iap_datapoint(dp), dp.value)
        healthy = dp.device.state == "provisioned" and dp.device.health != "down"
        descriptions: list[Any] = [*described.sensors, *described.binary_sensors]
        result.extend(
            Followed(
                entity_id=str(entry["entity_id"]),
                qualifier=qualifier,
                healthy=healthy,
                value_fn=description.value_fn,
                valid_range=getattr(description, "valid_range", None),
            )
            for description in descriptions
            if description.key == key
        )
    return result


def wrong(
    followed: list[Followed], states: States, before: Truth, after: Truth
) -> list[Followed]:
    """Return the entities that show neither the value before nor after the read.

    The truth is read once before and once after Home Assistant's states: a value that
    changed in between may show either.
    """
    missing: list[Followed] = []
    for entity in followed:
        state = states.get(entity.entity_id, {}).get("state")
        candidates = [t[entity.qualifier]["value"] for t in (before, after)]
        if not any(entity.shows(state, value) for value in candidates):
            missing.append(entity)
    return missing


def new_value(dp: Datapoint, rand: random.Random) -> Any:
    """Return a valid value of ``dp``'s type other than its current one."""
    kind = dp.type.kind
    if kind == "enum":
        options = [m for m in dp.type.enum if not m.endswith("_NUL")]
        return rand.choice(options)
    if kind == "switch":
        level = rand.choice([0.0, 25.0, 50.0, 75.5, 100.0])
        return {"value": level, "state": 1 if level else 0}
    low = dp.type.minimum if dp.type.minimum is not None else -1000.0
    high = dp.type.maximum if dp.type.maximum is not None else 1000.0
    # A tenth of the range from its lower end: plausible values, all valid.
    high = low + (high - low) / 10
    if kind == "int":
        return rand.randint(math.ceil(low), int(high))
    return round(rand.uniform(low, high), 2)
