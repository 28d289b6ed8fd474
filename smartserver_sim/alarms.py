"""Routes under ``/iap/alarms``: list, count, clear, definitions and types."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .changes import clear_alarms
from .errors import ApiError
from .http import STATE_KEY, json_response, read_json
from .paging import paginate
from .render import alarm_definition_object, alarm_object

if TYPE_CHECKING:
    from .model import Alarm
    from .state import SimState

# [GUESS] The alarm types the SmartServer itself raises (its documentation's list).
PREDEFINED_TYPES = (
    "CMS Error",
    "CMS Warning",
    "Device down",
    "Device not communicating",
    "Firmware update failed",
    "Provisioning failure",
    "Threshold exceeded",
    "Type mismatch",
    "Unknown Type",
)

_SORT_KEYS: dict[str, Any] = {
    "timestamp": lambda a: (a.timestamp, a.id),
    "id": lambda a: a.id,
    "severity": lambda a: (a.severity, a.id),
    "type": lambda a: (a.type, a.id),
    "state": lambda a: (a.state, a.id),
}


def _alarm_filter(state: SimState, request: web.Request) -> list[Alarm]:
    query = request.query
    scenario = state.scenario
    alarms = list(scenario.alarms.values())
    if query.get("activeOnly", "").lower() == "true":
        alarms = [a for a in alarms if a.state == "Active"]
    if "deviceId" in query:
        want = query["deviceId"]
        alarms = [
            a
            for a in alarms
            if a.device is not None
            and want in (a.device.id, scenario.device_id(a.device))
        ]
    if "deviceName" in query:
        alarms = [
            a
            for a in alarms
            if a.device is not None and a.device.name == query["deviceName"]
        ]
    if "scId" in query and query["scId"] != scenario.sc_id:
        alarms = []
    if "scName" in query and query["scName"] != scenario.sc_name:
        alarms = []
    sort_by = query.get("sortBy", "timestamp")
    if sort_by not in _SORT_KEYS:
        raise ApiError(400, f"cannot sort by {sort_by!r}")
    order = query.get("order", "desc").lower()
    if order not in ("asc", "desc"):
        raise ApiError(400, "order must be asc or desc")
    alarms.sort(key=_SORT_KEYS[sort_by], reverse=order == "desc")
    return alarms


async def list_alarms(request: web.Request) -> web.StreamResponse:
    """``GET /iap/alarms``."""
    state = request.app[STATE_KEY]
    alarms = _alarm_filter(state, request)
    return json_response(
        paginate(state, request, lambda: [alarm_object(state, a) for a in alarms])
    )


async def count_alarms(request: web.Request) -> web.StreamResponse:
    """``GET /iap/alarms/count``: active alarms, or all with ``activeOnly=false``."""
    state = request.app[STATE_KEY]
    active_only = request.query.get("activeOnly", "true").lower() != "false"
    alarms = state.scenario.alarms.values()
    count = sum(1 for a in alarms if a.state == "Active" or not active_only)
    return json_response({"value": count})


async def clear(request: web.Request) -> web.StreamResponse:
    """``PUT /iap/alarms/clear`` with a JSON array of alarm ids."""
    state = request.app[STATE_KEY]
    body = await read_json(request)
    if not isinstance(body, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in body
    ):
        raise ApiError(400, "body must be a JSON array of alarm ids")
    clear_alarms(state, body)
    return web.Response(status=204)


async def list_definitions(request: web.Request) -> web.StreamResponse:
    """``GET /iap/alarms/definitions``: the alarm conditions, as IAP/MQ configures them."""
    state = request.app[STATE_KEY]
    definitions = state.scenario.alarm_definitions
    return json_response(
        paginate(
            state, request, lambda: [alarm_definition_object(d) for d in definitions]
        )
    )


async def list_types(request: web.Request) -> web.StreamResponse:
    """``GET /iap/alarms/types``: the type names alarms can have."""
    state = request.app[STATE_KEY]
    names = sorted(
        {*PREDEFINED_TYPES, *(a.type for a in state.scenario.alarms.values())}
    )
    return json_response(paginate(state, request, lambda: list(names)))
