"""Values that move by themselves and the frames that carry them.

Generator ticks and monitored polling, wire reads after a GET, the periodic time and CPU
reports, and synthetic update streams for benchmarks.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import orjson

from .timefmt import iso_z, zoned_local

if TYPE_CHECKING:
    from .model import Datapoint
    from .state import SimState
    from .websocket import Conn


def tick(state: SimState) -> int:
    """Advance generators and monitored polling once; return how many changed."""
    now = state.clock.time()
    changed = 0
    for dp in list(state.scenario.datapoints.values()):
        if dp.generator is None or not dp.generated or not dp.device.reachable:
            continue
        if dp.monitor_rate > 0:
            if now - state.last_poll.get(dp.uid, 0.0) < dp.monitor_rate:
                continue
            state.last_poll[dp.uid] = now
        value = dp.generator.value_at(now, dp.seed)
        if value != dp.default:
            dp.default = value
            dp.timestamp = now
            state.publish(dp)
            changed += 1
    return changed


def refresh(state: SimState, dp: Datapoint) -> None:
    """Read ``dp`` on the wire now: adopt the live value, publish it if it changed."""
    state.counters.wire_reads += 1
    _adopt_live_value(state, dp)


def resume_generators(state: SimState, qualifiers: list[str] | None = None) -> int:
    """Let the generators of held datapoints (all, or ``qualifiers``) drive them again.

    A resumed value takes the generator's at once (with ``auto_updates``); return how
    many datapoints were held.
    """
    if qualifiers is None:
        dps = [dp for dp in state.scenario.datapoints.values() if dp.held]
    else:
        dps = [state.datapoint(q) for q in qualifiers]
    resumed = 0
    for dp in dps:
        if dp.held:
            resumed += 1
            dp.held = False
        _adopt_live_value(state, dp)
    return resumed


def _adopt_live_value(state: SimState, dp: Datapoint) -> None:
    if not state.options.auto_updates or not dp.generated or not dp.device.reachable:
        return
    now = state.clock.time()
    live = dp.live_value(now)
    if live != dp.default:
        dp.default = live
        dp.timestamp = now
        state.publish(dp)


def on_demand_read(
    state: SimState, dps: list[Datapoint], user: str, on_wire: list[Datapoint]
) -> None:
    """Model what follows an on-demand GET on the WebSocket.

    Datapoints read ``on_wire`` (past the GET's ``max_age``) take the value the wire
    read finds a moment later; a change goes to every subscriber. A value that did
    not change is echoed to the requesting user (and only for datapoints on that
    user's list) with ``read_echo="always"``, or with ``"wire"`` after a wire read.
    """
    wire = set(map(id, on_wire))
    echo = state.options.read_echo

    def finish() -> None:
        for dp in dps:
            if dp.qualifier not in state.scenario.datapoints:
                continue
            if not dp.device.reachable:
                if state.hub.subscribed(user, dp.qualifier):
                    state.hub.broadcast(
                        "CRT:NOTIFICATION",
                        {
                            "message": "queryStatus  Device does not respond!",
                            "targetType": "DEVICE",
                            "targetName": dp.device.name,
                        },
                        user,
                    )
                continue
            before = dp.default
            read_on_wire = id(dp) in wire
            if read_on_wire:
                _adopt_live_value(state, dp)
            if dp.default == before and (
                echo == "always" or (echo == "wire" and read_on_wire)
            ):
                state.publish(dp, only_user=user)

    state.call_later(state.options.live_read_delay, finish)


def send_time(state: SimState) -> None:
    """Broadcast NTF:TIME with the local time of the site."""
    state.hub.broadcast(
        "NTF:TIME", {"value": zoned_local(state.clock.time(), state.zone)}
    )


class CpuReport:
    """Broadcasts UPD:CPU, UPD:SC:CPU and UPD:EPS (updates sent per second since last)."""

    def __init__(self, state: SimState) -> None:
        self._state = state
        self._mark = (state.clock.monotonic(), state.counters.updates_sent)

    def __call__(self) -> None:
        """Send one report."""
        state = self._state
        now = state.clock.monotonic()
        mark, sent = self._mark
        eps = (state.counters.updates_sent - sent) / max(now - mark, 1e-6)
        self._mark = (now, state.counters.updates_sent)
        cpu = round(5.0 + 10.0 * abs(math.sin(now / 60.0)), 1)
        state.hub.broadcast("UPD:CPU", cpu)
        state.hub.broadcast("UPD:SC:CPU", {state.scenario.sc_id: cpu})
        state.hub.broadcast("UPD:EPS", round(eps, 1))


def _stream_plans(
    state: SimState, qualifiers: list[str] | None
) -> list[tuple[list[Conn], list[str]]]:
    hub = state.hub
    plans: list[tuple[list[Conn], list[str]]] = []
    if qualifiers is not None:
        plans.append((list(hub.conns), list(qualifiers)))
    else:
        for user in sorted(hub.users_with_conns()):
            subs = sorted(hub.subs.get(user, ()))
            if subs:
                plans.append((hub.targets(user), subs))
    return [(conns, qs) for conns, qs in plans if conns and qs]


def _synthetic_items(
    qs: list[str], first: int, n: int, value: float | None, ts: str | None
) -> list[dict[str, object]]:
    """Return items ``first`` .. ``first + n - 1`` cycling over ``qs``.

    The value is ``value`` when given, else a number from the item's position. Two
    comprehensions with literal dicts, as this builds every item of a benchmark stream.
    """
    nq = len(qs)
    if ts is None:
        return [
            {
                "datapointQualifier": qs[(first + j) % nq],
                "value": (first + j) % 1000 / 10 if value is None else value,
            }
            for j in range(n)
        ]
    return [
        {
            "datapointQualifier": qs[(first + j) % nq],
            "value": (first + j) % 1000 / 10 if value is None else value,
            "timestamp": ts,
        }
        for j in range(n)
    ]


async def stream_updates(
    state: SimState,
    count: int,
    batch_size: int = 100,
    rate: float | None = None,
    qualifiers: list[str] | None = None,
    *,
    send_time_values: bool = False,
) -> int:
    """Push ``count`` synthetic updates per connection, ``batch_size`` per frame.

    With ``send_time_values`` every value is the clock's time (s) at which its frame is
    built, so a receiver on this machine can measure the latency.

    Without ``qualifiers`` each user gets updates cycling over its own subscription;
    with them, every general WebSocket gets them. ``rate`` caps updates per second.
    Returns the number of updates written.
    """
    await state.hub.drain()
    plans = _stream_plans(state, qualifiers)
    if not plans or count <= 0:
        return 0
    clock = state.clock
    batch = max(1, batch_size)
    began = clock.monotonic()
    sent = 0
    stamp = state.options.ws_timestamps
    for done in range(0, count, batch):
        n = min(batch, count - done)
        now = clock.time()
        ts = iso_z(now) if stamp else None
        for conns, qs in plans:
            payload = _synthetic_items(
                qs, done, n, now if send_time_values else None, ts
            )
            frame = orjson.dumps({"action": "UPD:DATAPOINT", "payload": payload})
            await state.hub.send_now(conns, frame, n)
            sent += n * len(conns)
        if rate:
            delay = began + (done + n) / rate - clock.monotonic()
            if delay > 0:
                await clock.sleep(delay)
    return sent
