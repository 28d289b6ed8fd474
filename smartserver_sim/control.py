"""``POST /sim/control``: the simulator's control API over HTTP (loopback peers only)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import ipaddress
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from . import changes, frame_faults, streaming
from .errors import ApiError, NotFoundError, SimError
from .http import STATE_KEY, json_response, read_json
from .timefmt import iso_z

if TYPE_CHECKING:
    from .state import SimState


class Lifecycle(Protocol):
    """What only the running server can do, given by whoever runs the app."""

    async def restart(self, seconds: float) -> None:
        """Close everything and refuse connections for ``seconds``."""

    def change_certificate(self, seconds: float | None = None) -> str:
        """Present a new certificate (for ``seconds``); return its fingerprint."""

    def restore_certificate(self) -> None:
        """Present the configured certificate again."""


LIFECYCLE_KEY: web.AppKey[Lifecycle] = web.AppKey("lifecycle")

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


type Op = Callable[[web.Request, SimState, dict[str, Any]], Awaitable[Any]]


async def _set_value(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    if "value" not in b:
        raise SimError("missing argument 'value'")
    changes.set_value(
        state, _arg(b, "qualifier", str), b["value"], hold=_arg(b, "hold", bool, True)
    )


async def _resume(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    qualifier = _arg(b, "qualifier", str, None)
    qualifiers = None if qualifier is None else [qualifier]
    return {"resumed": streaming.resume_generators(state, qualifiers)}


async def _raise_alarm(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    alarm_id = changes.raise_alarm(
        state,
        _arg(b, "device_id", str, None),
        type=_arg(b, "type", str, "Threshold exceeded"),
        details=_arg(b, "details", str, ""),
        severity=_arg(b, "severity", str, "Major Fault"),
        category=_arg(b, "category", str, "System-HW"),
        target_type=_arg(b, "target_type", str, None),
        group=_arg(b, "group", str, None),
    )
    return {"id": alarm_id}


async def _clear_alarm(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    changes.clear_alarm(state, _arg(b, "alarm_id", int))


async def _set_device_status(
    request: web.Request, state: SimState, b: dict[str, Any]
) -> Any:
    changes.set_device_status(
        state,
        _arg(b, "device_id", str),
        status=_arg(b, "state", str, None),
        health=_arg(b, "health", str, None),
        connection=_arg(b, "connection", str, None),
    )


async def _add_device(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    return {"id": changes.add_device(state, _arg(b, "device", dict))}


async def _remove_device(
    request: web.Request, state: SimState, b: dict[str, Any]
) -> Any:
    changes.remove_device(state, _arg(b, "device_id", str))


async def _expire(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    return {"expired": changes.expire_sessions(state, _arg(b, "user", str, None))}


async def _drop(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    return {"dropped": state.hub.abort_all()}


async def _restart(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    seconds = float(_arg(b, "seconds", (int, float), 1.0))
    lifecycle = request.app[LIFECYCLE_KEY]

    async def later() -> None:
        # Let this response leave before the listener goes away (real time, on
        # purpose: this waits for the network, not for simulated time).
        await asyncio.sleep(0.05)
        await lifecycle.restart(seconds)

    state.spawn(later())
    return {"restarting": seconds}


async def _certificate(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    seconds = _arg(b, "seconds", (int, float), None)
    lifecycle = request.app[LIFECYCLE_KEY]
    return {"fingerprint": lifecycle.change_certificate(seconds)}


async def _restore_certificate(
    request: web.Request, state: SimState, b: dict[str, Any]
) -> Any:
    request.app[LIFECYCLE_KEY].restore_certificate()


async def _latency(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    state.faults.inject_latency(
        float(_arg(b, "seconds", (int, float))), _arg(b, "path_prefix", str, None)
    )


async def _http_errors(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    retry_after = _arg(b, "retry_after", (int, float), None)
    state.faults.inject_http_errors(
        _arg(b, "status", int),
        _arg(b, "count", int, 1),
        _arg(b, "path_prefix", str, "/iap"),
        None if retry_after is None else float(retry_after),
    )


async def _body(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    state.faults.inject_body(
        _arg(b, "body", str),
        _arg(b, "count", int, 1),
        _arg(b, "path_prefix", str, "/iap"),
        _arg(b, "status", int, 200),
        _arg(b, "content_type", str, "application/json"),
    )


async def _cut(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    state.faults.inject_cut(
        _arg(b, "mode", str, "reset"),
        _arg(b, "count", int, 1),
        _arg(b, "path_prefix", str, "/iap"),
    )


async def _black_hole(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    seconds = _arg(b, "seconds", (int, float), None)
    state.faults.black_hole(None if seconds is None else float(seconds))


async def _end_black_hole(
    request: web.Request, state: SimState, b: dict[str, Any]
) -> Any:
    state.faults.end_black_hole()


async def _clear_faults(
    request: web.Request, state: SimState, b: dict[str, Any]
) -> Any:
    state.faults.clear()
    state.hub.drip = None
    request.app[LIFECYCLE_KEY].restore_certificate()


async def _malformed(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    await frame_faults.send_malformed_frame(state.hub)


async def _oversized(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    await frame_faults.send_oversized_frame(state.hub, _arg(b, "size", int))


async def _frame(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    await frame_faults.send_frame(state.hub, _arg(b, "data", str))


async def _close(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    closed = await frame_faults.close_websockets(
        state.hub, _arg(b, "code", int), _arg(b, "reason", str, "")
    )
    return {"closed": closed}


async def _drip(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    frame_faults.start_drip(
        state,
        float(_arg(b, "seconds", (int, float))),
        _arg(b, "chunk", int, 16),
        float(_arg(b, "interval", (int, float), 0.05)),
    )


async def _duplicates(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    return {"sent": await frame_faults.send_duplicates(state, _arg(b, "count", int, 1))}


async def _stale(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    sent = await frame_faults.send_stale_updates(state, _arg(b, "count", int, 1))
    return {"sent": sent}


async def _values(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    qualifiers = _arg(b, "qualifiers", list, None)
    datapoints = state.scenario.datapoints
    names = list(datapoints) if qualifiers is None else qualifiers
    return {
        q: {"value": datapoints[q].value, "timestamp": iso_z(datapoints[q].timestamp)}
        for q in names
        if isinstance(q, str) and q in datapoints
    }


async def _steal(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    qualifiers = _arg(b, "qualifiers", list)
    if not all(isinstance(q, str) for q in qualifiers):
        raise SimError("qualifiers must be strings")
    state.hub.subscribe(_arg(b, "user", str), list(qualifiers))


async def _stream(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    rate = _arg(b, "rate", (int, float), None)
    sent = await streaming.stream_updates(
        state,
        _arg(b, "count", int),
        _arg(b, "batch_size", int, 100),
        float(rate) if rate is not None else None,
        _arg(b, "qualifiers", list, None),
        send_time_values=_arg(b, "send_time_values", bool, False),
    )
    return {"sent": sent}


async def _counters(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    return state.counters.as_dict()


async def _reset(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    state.reset_counters()


async def _tick(request: web.Request, state: SimState, b: dict[str, Any]) -> Any:
    return {"changed": streaming.tick(state)}


OPS: dict[str, Op] = {
    "set_value": _set_value,
    "resume_generator": _resume,
    "raise_alarm": _raise_alarm,
    "clear_alarm": _clear_alarm,
    "set_device_status": _set_device_status,
    "add_device": _add_device,
    "remove_device": _remove_device,
    "expire_sessions": _expire,
    "drop_websockets": _drop,
    "restart": _restart,
    "change_certificate": _certificate,
    "restore_certificate": _restore_certificate,
    "inject_latency": _latency,
    "inject_http_errors": _http_errors,
    "inject_body": _body,
    "inject_cut": _cut,
    "black_hole": _black_hole,
    "end_black_hole": _end_black_hole,
    "clear_faults": _clear_faults,
    "send_malformed_frame": _malformed,
    "malformed_frame": _malformed,
    "send_oversized_frame": _oversized,
    "oversized_frame": _oversized,
    "send_frame": _frame,
    "close_websockets": _close,
    "drip": _drip,
    "send_duplicates": _duplicates,
    "send_stale_updates": _stale,
    "values": _values,
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
    state = request.app[STATE_KEY]
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("op"), str):
        raise ApiError(400, 'body must be {"op": "<name>", ...}')
    op = OPS.get(body["op"])
    if op is None:
        raise ApiError(400, f"unknown op {body['op']!r}")
    try:
        result = await op(request, state, body)
    except NotFoundError as err:
        raise ApiError(404, str(err)) from None
    except SimError as err:
        raise ApiError(400, str(err)) from None
    except (TypeError, ValueError) as err:
        raise ApiError(400, f"bad arguments: {err}") from None
    return json_response({"ok": True, "result": result})
