"""Which datapoints an entry follows: its options turned into a selection of the site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .const import CONF_DATAPOINTS, CONF_DEVICES
from .datapoint_types import is_controllable
from .iap.models import Direction

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .iap.models import Datapoint
    from .iap.site import Site


@dataclass(frozen=True, slots=True)
class FollowPolicy:
    """What the entry's options choose.

    ``datapoints`` set: exactly those. Else ``devices`` set: the datapoints of those
    devices that are followed by default. Else: those of every provisioned device,
    including devices added later. Followed by default: every output, and every input
    of a type Home Assistant can write (``is_controllable``).
    """

    devices: frozenset[str] | None = None
    datapoints: frozenset[str] | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> FollowPolicy:
        """Read the policy from a config entry's options."""
        devices = options.get(CONF_DEVICES)
        datapoints = options.get(CONF_DATAPOINTS)
        return cls(
            None if devices is None else frozenset(devices),
            None if datapoints is None else frozenset(datapoints),
        )

    def select(self, site: Site, datapoints: Iterable[Datapoint]) -> list[str]:
        """Return the qualifiers of ``datapoints`` to follow, in order."""
        chosen: list[str] = []
        for dp in datapoints:
            device_id = site.device_of(dp.qualifier)
            if device_id is None:
                continue
            if self.datapoints is not None:
                if dp.qualifier in self.datapoints:
                    chosen.append(dp.qualifier)
                continue
            if self.devices is not None:
                if device_id not in self.devices:
                    continue
            elif not site.devices[device_id].status.is_provisioned:
                continue
            if followed_by_default(dp):
                chosen.append(dp.qualifier)
        return chosen


def followed_by_default(datapoint: Datapoint) -> bool:
    """Return True for a datapoint a followed device's entities show without a choice."""
    return datapoint.direction is Direction.OUTPUT or is_controllable(datapoint)
