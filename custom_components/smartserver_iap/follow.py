"""Which datapoints an entry follows: its options turned into a selection of the site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .const import CONF_DATAPOINTS, CONF_DEVICES
from .iap.models import Direction

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .iap.models import Datapoint
    from .iap.site import Site


@dataclass(frozen=True, slots=True)
class FollowPolicy:
    """What the entry's options choose.

    ``datapoints`` set: exactly those. Else ``devices`` set: the output datapoints of
    those devices. Else: the output datapoints of every provisioned device, including
    devices added later.
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
            if dp.direction is Direction.OUTPUT:
                chosen.append(dp.qualifier)
        return chosen
