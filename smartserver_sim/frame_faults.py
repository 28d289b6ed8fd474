"""WebSocket faults: broken, arbitrary, duplicate and stale frames, odd closes, drips.

Each goes to every general WebSocket (the data-log sockets are left alone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import SimError
from .render import ws_item
from .timefmt import iso_z
from .websocket import Drip

if TYPE_CHECKING:
    from .model import Datapoint
    from .state import SimState
    from .websocket import Hub


async def send_malformed_frame(hub: Hub) -> None:
    """Send a text frame that is not JSON to every general WebSocket."""
    hub.send_raw(b'{"action": "UPD:DATAPOINT", "payload": [{"datapointQ')
    await hub.drain()


async def send_oversized_frame(hub: Hub, size: int) -> None:
    """Send one valid JSON frame of ``size`` bytes to every general WebSocket."""
    head = b'{"action":"CRT:NOTIFICATION","payload":{"message":"'
    tail = b'"}}'
    pad = max(size - len(head) - len(tail), 0)
    hub.send_raw(head + b"x" * pad + tail)
    await hub.drain()


async def send_frame(hub: Hub, data: str | bytes) -> None:
    """Send any text (JSON of any shape, or none) as one frame to every WebSocket."""
    hub.send_raw(data.encode() if isinstance(data, str) else data)
    await hub.drain()


async def close_websockets(hub: Hub, code: int, reason: str = "") -> int:
    """Close every general WebSocket with ``code``; return how many."""
    if not 1000 <= code <= 4999:
        raise SimError("code must be within 1000..4999")
    conns = list(hub.conns)
    await hub.close_conns(conns, code, reason)
    return len(conns)


def start_drip(
    state: SimState, seconds: float, chunk: int = 16, interval: float = 0.05
) -> None:
    """Write frames ``chunk`` bytes every ``interval`` s for the next ``seconds``.

    A frame that started dripping finishes at that pace; the pong to a ping that
    arrives meanwhile waits for its end.
    """
    if seconds <= 0 or chunk < 1 or interval < 0:
        raise SimError("need seconds > 0, chunk >= 1 and interval >= 0")
    state.hub.drip = Drip(chunk, interval, state.clock.time() + seconds)


def _recent(state: SimState, count: int) -> list[Datapoint]:
    """Return up to ``count`` subscribed datapoints, the most recently changed first."""
    if count < 1:
        raise SimError("count must be >= 1")
    subscribed = set().union(*state.hub.subs.values()) if state.hub.subs else set()
    datapoints = state.scenario.datapoints
    found = [datapoints[q] for q in subscribed if q in datapoints]
    found.sort(key=lambda dp: (-dp.timestamp, dp.qualifier))
    return found[:count]


async def send_duplicates(state: SimState, count: int = 1) -> int:
    """Send the current update of ``count`` subscribed datapoints once more."""
    chosen = _recent(state, count)
    for dp in chosen:
        state.publish(dp)
    await state.hub.drain()
    return len(chosen)


def _other_value(dp: Datapoint) -> Any:
    """Return a valid value of ``dp``'s type that differs from its current one."""
    value = dp.value
    kind = dp.type.kind
    if kind == "enum":
        return next((m for m in dp.type.enum if m != value), value)
    if kind == "switch":
        level = 100.0 if value.get("value") != 100.0 else 0.0
        return {"value": level, "state": 1 if level else 0}
    low = dp.type.minimum
    step = 1 if kind == "int" else 0.5
    return value - step if low is None or value - step >= low else value + step


async def send_stale_updates(state: SimState, count: int = 1) -> int:
    """Send, for ``count`` subscribed datapoints, an update older than the current one.

    The stale update carries another value and a timestamp one second before the
    current value's, as if it had been overtaken on its way: a client that keeps
    the newest value ignores it. (Without ``ws_timestamps`` no client can tell.)
    """
    chosen = _recent(state, count)
    for dp in chosen:
        item = ws_item(state, dp)
        item["value"] = _other_value(dp)
        item.pop("presetValue", None)
        if "timestamp" in item:
            item["timestamp"] = iso_z(dp.timestamp - 1.0)
        state.hub.publish(item)
    await state.hub.drain()
    return len(chosen)
