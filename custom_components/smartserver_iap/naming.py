"""The names people see for datapoint entities."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .iap.models import Datapoint


def display_names(datapoints: Iterable[Datapoint]) -> dict[str, str]:
    """Return the name people see for each datapoint of one device (qualifier -> name).

    The instance name, else the programmatic name; when two datapoints would share a
    name (the same block type twice), the block and index are added.
    """
    datapoints = list(datapoints)
    counts: dict[str, int] = {}
    for dp in datapoints:
        name = dp.instance_name or dp.name
        counts[name] = counts.get(name, 0) + 1
    names: dict[str, str] = {}
    for dp in datapoints:
        name = dp.instance_name or dp.name
        if counts[name] > 1:
            name = f"{dp.block_name} {dp.block_index} {name}"
        names[dp.qualifier] = name
    return names
