"""The aiohttp application: middleware (auth, faults, errors) and the small routes."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import control, devices, wsroutes
from .auth import BadCredentialsError, LockedOutError
from .errors import ApiError
from .http import SESSION_KEY, SIM_KEY, error_response, json_response, read_json
from .lontypes import TYPES
from .paging import paginate

if TYPE_CHECKING:
    from .sim import SmartServerSim

_LOGGER = logging.getLogger(__name__)

_PUBLIC = {"/iap/auth/login", "/iap/auth/logout"}
COOKIE = "cmsSID"


def build_app(sim: SmartServerSim) -> web.Application:
    """Return the application serving one simulator."""
    app = web.Application(middlewares=[_guard], client_max_size=4 * 1024 * 1024)
    app[SIM_KEY] = sim
    add = app.router.add_route
    add("POST", "/iap/auth/login", _login)
    add("PUT", "/iap/auth/logout", _logout)
    add("POST", "/iap/auth/logout", _logout)
    add("GET", "/iap/auth/sessionTimeout", _session_timeout)
    add("GET", "/iap/users/current", _current_user)
    add("GET", "/iap/version", _version)
    add("PUT", "/iap/dp/updates/subscribe", _subscribe)
    add("GET", "/iap/dp/types", _types)
    add("*", "/iap/devs", devices.devs_root)
    add("*", "/iap/devs/{tail:.*}", devices.devs_tail)
    add("*", "/iap/dp/{tail:.*}", devices.devs_tail)
    add("GET", "/iap/alarms", _alarms)
    add("GET", "/iap/alarms/count", _alarm_count)
    add("PUT", "/iap/alarms/clear", _alarm_clear)
    add("PUT", "/iap/storage/publishes/{flag}", _publishes)
    add("GET", "/iap/ws", wsroutes.ws_handler)
    add("POST", "/sim/control", control.handle)
    return app


def _take_injection(sim: SmartServerSim, path: str) -> int | None:
    for injection in sim.http_errors:
        if path.startswith(injection.prefix):
            injection.remaining -= 1
            if injection.remaining <= 0:
                sim.http_errors.remove(injection)
            return injection.status
    return None


async def _admit(request: web.Request, sim: SmartServerSim, path: str) -> None:
    """Apply injected faults and the session check; raise ApiError to refuse."""
    if not path.startswith("/sim/"):
        if sim.latency:
            await asyncio.sleep(sim.latency)
        status = _take_injection(sim, path)
        if status is not None:
            sim.counters.injected_errors += 1
            raise ApiError(status, "injected fault")
    if path.startswith("/iap/") and path not in _PUBLIC:
        needs = (
            path != "/iap/auth/sessionTimeout" or sim.options.session_timeout_needs_auth
        )
        session = sim.auth.lookup(request.cookies.get(COOKIE))
        if session is None and needs:
            if path == "/iap/ws":
                sim.counters.ws_refused += 1
                raise ApiError(sim.options.ws_refuse_status, "not logged in")
            raise ApiError(401, "not logged in")
        request[SESSION_KEY] = session


@web.middleware
async def _guard(request: web.Request, handler: Any) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    path = request.path
    sim.counters.requests[path] += 1
    response: web.StreamResponse
    try:
        await _admit(request, sim, path)
        response = await handler(request)
    except ApiError as err:
        response = error_response(err.status, err.message)
    except web.HTTPException as exc:
        response = error_response(exc.status, exc.reason)
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
    except asyncio.CancelledError, ConnectionError:
        raise
    except Exception:
        _LOGGER.exception("simulator handler failed for %s %s", request.method, path)
        response = error_response(500, "internal server error")
    sim.counters.statuses[response.status] += 1
    return response


async def _login(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    body = await read_json(request, sim)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("username"), str)
        or not isinstance(body.get("password"), str)
    ):
        raise ApiError(400, "body must be {username, password}")
    try:
        session = sim.auth.login(body["username"], body["password"])
    except LockedOutError as err:
        sim.counters.lockouts += 1
        sim.counters.login_failures += 1
        raise ApiError(429, str(err)) from None
    except BadCredentialsError as err:
        sim.counters.login_failures += 1
        raise ApiError(401, str(err)) from None
    sim.counters.logins += 1
    response = json_response(sim.auth.user_object(session.user))
    response.set_cookie(COOKIE, session.sid, path="/", secure=sim.tls, httponly=True)
    return response


async def _logout(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    session = sim.auth.logout(request.cookies.get(COOKIE))
    if session is not None:
        sim.hub.close_sessions(
            {session.sid}, sim.options.ws_expiry_close_code, "logged out"
        )
    response = web.Response(status=204)
    response.del_cookie(COOKIE, path="/")
    return response


async def _session_timeout(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    millis = round(sim.options.session_timeout * 1000)
    if sim.options.session_timeout_body == "object":
        return json_response({"value": millis})
    return json_response(millis)


async def _current_user(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    return json_response(sim.auth.user_object(request[SESSION_KEY].user))


async def _version(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    return json_response(
        {"type": "SmartServer IoT", "value": sim.options.firmware_version}
    )


async def _subscribe(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    body = await read_json(request, sim)
    if not isinstance(body, list) or not all(isinstance(q, str) for q in body):
        raise ApiError(400, "body must be a JSON array of qualifiers")
    for qualifier in body:
        parts = qualifier.split("/")
        if len(parts) != 6 or not all(parts) or not parts[4].isdigit():
            raise ApiError(400, f"not a datapoint qualifier: {qualifier!r}")
    user = request[SESSION_KEY].user
    sim.hub.subscribe(user, body)
    sim.counters.subscribes += 1
    if sim.options.subscribe_pushes_values:
        for qualifier in body:
            dp = sim.scenario.datapoints.get(qualifier)
            if dp is not None:
                sim.publish(dp, only_user=user)
    return web.Response(status=204)


async def _types(request: web.Request) -> web.StreamResponse:
    name = request.query.get("dpTypeName")
    if name is None:
        return json_response([t.definition() for t in TYPES.values()])
    info = TYPES.get(name)
    if info is None:
        raise ApiError(404, f"no type {name!r}")
    return json_response([info.definition()])


def _alarm_filter(sim: SmartServerSim, request: web.Request) -> list[Any]:
    query = request.query
    alarms = list(sim.scenario.alarms.values())
    if query.get("activeOnly", "").lower() == "true":
        alarms = [a for a in alarms if a.state == "Active"]
    if "deviceId" in query:
        want = query["deviceId"]
        alarms = [
            a
            for a in alarms
            if a.device is not None
            and want in (a.device.id, f"{sim.scenario.sc_id}.{a.device.num}")
        ]
    if "deviceName" in query:
        alarms = [
            a
            for a in alarms
            if a.device is not None and a.device.name == query["deviceName"]
        ]
    if "scId" in query and query["scId"] != sim.scenario.sc_id:
        alarms = []
    if "scName" in query and query["scName"] != sim.scenario.sc_name:
        alarms = []
    sort_by = query.get("sortBy", "timestamp")
    keys: dict[str, Any] = {
        "timestamp": lambda a: (a.timestamp, a.id),
        "id": lambda a: a.id,
        "severity": lambda a: (a.severity, a.id),
        "type": lambda a: (a.type, a.id),
        "state": lambda a: (a.state, a.id),
    }
    if sort_by not in keys:
        raise ApiError(400, f"cannot sort by {sort_by!r}")
    order = query.get("order", "desc").lower()
    if order not in ("asc", "desc"):
        raise ApiError(400, "order must be asc or desc")
    alarms.sort(key=keys[sort_by], reverse=order == "desc")
    return alarms


async def _alarms(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    alarms = _alarm_filter(sim, request)
    return json_response(
        paginate(sim, request, lambda: [sim.alarm_object(a) for a in alarms])
    )


async def _alarm_count(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    active_only = request.query.get("activeOnly", "true").lower() != "false"
    alarms = sim.scenario.alarms.values()
    count = sum(1 for a in alarms if a.state == "Active" or not active_only)
    return json_response({"value": count})


async def _alarm_clear(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    body = await read_json(request, sim)
    if not isinstance(body, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in body
    ):
        raise ApiError(400, "body must be a JSON array of alarm ids")
    sim.clear_alarms(body)
    return web.Response(status=204)


async def _publishes(request: web.Request) -> web.StreamResponse:
    return web.Response(status=204)
