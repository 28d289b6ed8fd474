"""The first endpoints a vendor web page calls, answered with plausible bodies.

The vendor's Browser (and pages built like it) asks for these before the device list
and the WebSocket. Their shapes are [GUESS]es except where the page's code reads a
field (``lonmode``: ``json.value``); they exist so that such a page loads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .http import SESSION_KEY, STATE_KEY, json_response

if TYPE_CHECKING:
    from aiohttp import web

    from .state import SimState


async def lon_mode(request: web.Request) -> web.StreamResponse:
    """``GET /iap/devs/lonmode``: the LON management mode (the page reads ``value``)."""
    return json_response({"value": "IMM"})


async def license_status(request: web.Request) -> web.StreamResponse:
    """``GET /iap/lic/status``: licensed, with room for the scenario's devices."""
    devices = len(request.app[STATE_KEY].scenario.devices)
    return json_response(
        {"status": "licensed", "licensedDevices": max(devices, 100), "devices": devices}
    )


async def context(request: web.Request) -> web.StreamResponse:
    """``GET /iap/context``: who is logged in, and where."""
    state = request.app[STATE_KEY]
    user = request[SESSION_KEY].user
    return json_response(
        {
            "user": state.auth.user_object(user),
            "scId": state.scenario.sc_id,
            "scName": state.scenario.sc_name,
            "timezone": state.zone.key,
        }
    )


async def device_types(request: web.Request) -> web.StreamResponse:
    """``GET /iap/devTypes/*``: the device types of the scenario's devices."""
    return json_response(_device_types(request.app[STATE_KEY]))


def _device_types(state: SimState) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for device in state.scenario.devices.values():
        seen.setdefault(
            device.type_name,
            {
                "name": device.type_name,
                "xifName": device.type_name,
                "typeId": device.type_id,
                "protocol": device.protocol,
            },
        )
    return sorted(seen.values(), key=lambda t: str(t["name"]))


async def monitoring(request: web.Request) -> web.StreamResponse:
    """``GET /iap/dlaRules/monitoring``: event monitoring is active."""
    return json_response({"active": True})


async def limits(request: web.Request) -> web.StreamResponse:
    """``GET /iap/settings/limits/configuration``: generous limits."""
    return json_response({"maxDevices": 1000, "maxDatapoints": 50000})


ROUTES: dict[str, Any] = {
    "/iap/devs/lonmode": lon_mode,
    "/iap/lic/status": license_status,
    "/iap/context": context,
    "/iap/devTypes/{tail:.*}": device_types,
    "/iap/dlaRules/monitoring": monitoring,
    "/iap/settings/limits/configuration": limits,
}
