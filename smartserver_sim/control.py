"""``POST /sim/control``: the simulator's control API over HTTP (loopback peers only)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import ipaddress
from typing import TYPE_CHECKING, Any

from .errors import ApiError
from .http import SIM_KEY, json_response, read_json
from .sim import NotFoundError, SimError

if TYPE_CHECKING:
    from aiohttp import web

    from .sim import SmartServerSim

_MISSING = object()


def is_loopback(remote: str | None) -> bool:
    """Return True for a loopback peer address."""
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


def _arg(
    body: dict[str, Any],
    name: str,
    kind: type | tuple[type, ...],
    default: Any = _MISSING,
) -> Any:
    if name not in body or body[name] is None:
        if default is _MISSING:
            raise SimError(f"missing argument {name!r}")
        return default
    value = body[name]
    if not isinstance(value, kind) or (
        isinstance(value, bool) and kind in (int, float, (int, float))
    ):
        raise SimError(f"argument {name!r} has the wrong type")
    return value


type Op = Callable[["SmartServerSim", dict[str, Any]], Awaitable[Any]]


async def _set_value(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    if "value" not in b:
        raise SimError("missing argument 'value'")
    await sim.set_value(_arg(b, "qualifier", str), b["value"])


async def _raise_alarm(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    alarm_id = await sim.raise_alarm(
        _arg(b, "device_id", str, None),
        type=_arg(b, "type", str, "Threshold exceeded"),
        details=_arg(b, "details", str, ""),
        severity=_arg(b, "severity", str, "Major Fault"),
        category=_arg(b, "category", str, "System-HW"),
    )
    return {"id": alarm_id}


async def _clear_alarm(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    await sim.clear_alarm(_arg(b, "alarm_id", int))


async def _set_device_status(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    await sim.set_device_status(
        _arg(b, "device_id", str),
        state=_arg(b, "state", str, None),
        health=_arg(b, "health", str, None),
        connection=_arg(b, "connection", str, None),
    )


async def _add_device(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    return {"id": await sim.add_device(_arg(b, "device", dict))}


async def _remove_device(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    await sim.remove_device(_arg(b, "device_id", str))


async def _expire(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    return {"expired": await sim.expire_sessions(_arg(b, "user", str, None))}


async def _drop(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    return {"dropped": await sim.drop_websockets()}


async def _restart(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    seconds = float(_arg(b, "seconds", (int, float), 1.0))

    async def later() -> None:
        # Let this response leave before the listener goes away.
        await asyncio.sleep(0.05)
        await sim.restart(seconds)

    sim._spawn(later())  # noqa: SLF001 - tracked so stop() cancels it
    return {"restarting": seconds}


async def _latency(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    sim.inject_latency(float(_arg(b, "seconds", (int, float))))


async def _http_errors(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    sim.inject_http_errors(
        _arg(b, "status", int),
        _arg(b, "count", int, 1),
        _arg(b, "path_prefix", str, "/iap"),
    )


async def _malformed(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    await sim.send_malformed_frame()


async def _oversized(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    await sim.send_oversized_frame(_arg(b, "size", int))


async def _steal(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    qualifiers = _arg(b, "qualifiers", list)
    if not all(isinstance(q, str) for q in qualifiers):
        raise SimError("qualifiers must be strings")
    await sim.steal_subscription(_arg(b, "user", str), qualifiers)


async def _stream(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    rate = _arg(b, "rate", (int, float), None)
    sent = await sim.stream_updates(
        _arg(b, "count", int),
        _arg(b, "batch_size", int, 100),
        float(rate) if rate is not None else None,
        _arg(b, "qualifiers", list, None),
        send_time_values=_arg(b, "send_time_values", bool, False),
    )
    return {"sent": sent}


async def _counters(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    return sim.counters.as_dict()


async def _reset(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    sim.reset_counters()


async def _tick(sim: SmartServerSim, b: dict[str, Any]) -> Any:
    return {"changed": sim.tick()}


OPS: dict[str, Op] = {
    "set_value": _set_value,
    "raise_alarm": _raise_alarm,
    "clear_alarm": _clear_alarm,
    "set_device_status": _set_device_status,
    "add_device": _add_device,
    "remove_device": _remove_device,
    "expire_sessions": _expire,
    "drop_websockets": _drop,
    "restart": _restart,
    "inject_latency": _latency,
    "inject_http_errors": _http_errors,
    "send_malformed_frame": _malformed,
    "malformed_frame": _malformed,
    "send_oversized_frame": _oversized,
    "oversized_frame": _oversized,
    "steal_subscription": _steal,
    "stream_updates": _stream,
    "counters": _counters,
    "reset_counters": _reset,
    "tick": _tick,
}


async def handle(request: web.Request) -> web.StreamResponse:
    """Run one control op; answer ``{"ok": true, "result": ...}``."""
    if not is_loopback(request.remote):
        raise ApiError(403, "control API is for loopback peers only")
    sim = request.app[SIM_KEY]
    body = await read_json(request, sim)
    if not isinstance(body, dict) or not isinstance(body.get("op"), str):
        raise ApiError(400, 'body must be {"op": "<name>", ...}')
    op = OPS.get(body["op"])
    if op is None:
        raise ApiError(400, f"unknown op {body['op']!r}")
    try:
        result = await op(sim, body)
    except NotFoundError as err:
        raise ApiError(404, str(err)) from None
    except SimError as err:
        raise ApiError(400, str(err)) from None
    except (TypeError, ValueError) as err:
        raise ApiError(400, f"bad arguments: {err}") from None
    return json_response({"ok": True, "result": result})
