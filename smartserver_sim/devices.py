"""Routes under ``/iap/devs`` (and its alias ``/iap/dp``) down to the device level.

Paths that go on to ``/if/{block}/{index}/{datapoint}`` are handed to ``datapoints``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .datapoints import datapoint_resource
from .errors import ApiError
from .http import STATE_KEY, allow, json_response, read_json
from .paging import paginate
from .paths import PathError, Selector, parse_element
from .render import device_object
from .selection import Naming, device_lookup, select_datapoints, select_devices

if TYPE_CHECKING:
    from .model import Device
    from .state import SimState


def _elements(request: web.Request, prefix: str) -> list[str]:
    raw = request.rel_url.raw_path[len(prefix) :]
    parts = raw.split("/")
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _parse(raw: str) -> Selector:
    try:
        return parse_element(raw)
    except PathError as err:
        raise ApiError(400, str(err)) from None


def _query_devices(state: SimState, query: Any) -> list[Device]:
    devices = list(state.scenario.devices.values())
    if "category" in query:
        want = query["category"].lower()
        devices = [
            d
            for d in devices
            if want
            in (str(v).lower() for v in device_lookup(state.scenario, d)["category"])
        ]
    if "sts" in query:
        devices = [d for d in devices if d.state.lower() == query["sts"].lower()]
    if "uid" in query:
        devices = [d for d in devices if d.uid == query["uid"]]
    sort = query.get("sortBy")
    if sort in ("name", "id", "uid", "category"):
        devices.sort(key=lambda d: (str(getattr(d, sort)).lower(), d.num))
    if query.get("sortOrder", "").upper() == "DESC":
        devices.reverse()
    return devices


async def devs_root(request: web.Request) -> web.StreamResponse:
    """``GET /iap/devs`` with its query parameters."""
    allow(request, "GET")
    state = request.app[STATE_KEY]
    short = request.query.get("short", "").lower() == "true"

    def build() -> list[Any]:
        return [
            device_object(state, d, short=short)
            for d in _query_devices(state, request.query)
        ]

    return json_response(paginate(state, request, build))


async def devs_tail(request: web.Request) -> web.StreamResponse:
    """Everything below ``/iap/devs/`` or ``/iap/dp/``."""
    prefix = (
        "/iap/devs/"
        if request.rel_url.raw_path.startswith("/iap/devs/")
        else "/iap/dp/"
    )
    parts = _elements(request, prefix)
    state = request.app[STATE_KEY]
    if not parts:
        return await devs_root(request)
    if prefix == "/iap/dp/" and parts == ["updates", "subscribe"]:
        raise web.HTTPMethodNotAllowed(request.method, ["PUT"])
    if parts == ["listByIDs"]:
        allow(request, "PUT", "POST")
        return await _list_by_ids(request, state)
    dev = _parse(parts[0])
    naming = Naming.of(state.options)
    if len(parts) == 1:
        allow(request, "GET")
        devices = select_devices(state.scenario, dev, naming)
        if not devices and dev.literal is not None:
            raise ApiError(404, f"no device {dev.literal!r}")
        return json_response(
            paginate(state, request, lambda: [device_object(state, d) for d in devices])
        )
    if len(parts) == 2 and parts[1] == "count":
        allow(request, "GET")
        return json_response(
            {"value": len(select_devices(state.scenario, dev, naming))}
        )
    if len(parts) == 2 and parts[1] in ("test", "wink"):
        allow(request, "PUT", "POST")
        return _device_action(state, dev, parts[1], naming)
    if len(parts) < 5 or parts[1] != "if":
        raise ApiError(404, "unknown resource")
    blk, idx, dpe = _parse(parts[2]), _parse(parts[3]), _parse(parts[4])
    if idx.literal is not None and not idx.literal.isdigit():
        raise ApiError(400, f"block index {idx.literal!r} is not a number")
    dps = select_datapoints(state.scenario, dev, blk, idx, dpe, naming=naming)
    literal_path = all(s.literal is not None for s in (dev, blk, idx, dpe))
    if not dps:
        if literal_path or request.method != "GET":
            raise ApiError(404, "no datapoint matches")
        if state.options.empty_wildcard_status != 200:
            raise ApiError(state.options.empty_wildcard_status, "no datapoint matches")
    return await datapoint_resource(request, state, dps, parts[5:])


async def _list_by_ids(request: web.Request, state: SimState) -> web.StreamResponse:
    body = await read_json(request)
    if not isinstance(body, list):
        raise ApiError(400, "body must be a JSON array of device ids")
    wanted = {str(i) for i in body}
    return json_response(
        [
            device_object(state, d)
            for d in state.scenario.devices.values()
            if d.id in wanted
        ]
    )


def _device_action(
    state: SimState, sel: Selector, action: str, naming: Naming
) -> web.StreamResponse:
    devices = select_devices(state.scenario, sel, naming)
    if not devices:
        raise ApiError(404, "no device matches")
    for device in devices:
        reachable = device.reachable
        if action == "test":
            state.hub.broadcast(
                "UPD:DEVICE_TEST_RESULT",
                {
                    "deviceId": device.id,
                    "results": {
                        "state": "Configured Online" if reachable else "Unknown",
                        "health": device.health,
                        "error": "" if reachable else "Device does not respond!",
                    },
                },
            )
        elif not reachable:
            state.hub.broadcast(
                "CRT:NOTIFICATION",
                {
                    "message": "wink  Device does not respond!",
                    "targetType": "DEVICE",
                    "targetName": device.name,
                },
            )
    return web.Response(status=204)
