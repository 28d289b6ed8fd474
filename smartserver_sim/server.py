"""The aiohttp application: middleware (faults, sessions, errors) and the small routes."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import alarms, control, devices, webpage, wsroutes
from .auth import BadCredentialsError, LockedOutError
from .changes import end_sessions
from .errors import ApiError
from .http import SESSION_KEY, STATE_KEY, error_response, json_response, read_json
from .lontypes import TYPES

if TYPE_CHECKING:
    from .control import Lifecycle
    from .faults import BodyInjection
    from .state import SimState

_LOGGER = logging.getLogger(__name__)

_PUBLIC = {"/iap/auth/login", "/iap/auth/logout"}
COOKIE = "cmsSID"
# Where a refused session is redirected (ws_refuse_status, rest_refuse_status 3xx).
LOGIN_PAGE = "/cms/login"


def build_app(state: SimState, lifecycle: Lifecycle) -> web.Application:
    """Return the application serving one simulator.

    ``lifecycle`` backs the control ops only the running server can carry out
    (restart, certificate change).
    """
    app = web.Application(middlewares=[_guard], client_max_size=4 * 1024 * 1024)
    app[STATE_KEY] = state
    app[control.LIFECYCLE_KEY] = lifecycle
    add = app.router.add_route
    add("POST", "/iap/auth/login", _login)
    add("PUT", "/iap/auth/logout", _logout)
    add("POST", "/iap/auth/logout", _logout)
    add("GET", "/iap/auth/sessionTimeout", _session_timeout)
    add("GET", "/iap/users/current", _current_user)
    add("GET", "/iap/version", _version)
    add("PUT", "/iap/dp/updates/subscribe", _subscribe)
    add("GET", "/iap/dp/types", _types)
    # Before /iap/devs/{tail}: /iap/devs/lonmode is one of them.
    for path, handler in webpage.ROUTES.items():
        add("GET", path, handler)
    add("*", "/iap/devs", devices.devs_root)
    add("*", "/iap/devs/{tail:.*}", devices.devs_tail)
    add("*", "/iap/dp/{tail:.*}", devices.devs_tail)
    add("GET", "/iap/alarms", alarms.list_alarms)
    add("GET", "/iap/alarms/count", alarms.count_alarms)
    add("PUT", "/iap/alarms/clear", alarms.clear)
    add("GET", "/iap/alarms/definitions", alarms.list_definitions)
    add("GET", "/iap/alarms/types", alarms.list_types)
    add("PUT", "/iap/storage/publishes/{flag}", _publishes)
    add("GET", "/iap/ws", wsroutes.ws_handler)
    add("POST", "/sim/control", control.handle)
    add("GET", "/cms/{tail:.*}", _login_page)
    return app


async def _admit(
    request: web.Request, state: SimState, path: str
) -> BodyInjection | None:
    """Apply injected faults and the session check; raise ApiError to refuse.

    Returns an injected body to answer instead of the handler.
    """
    injected = await state.faults.admit(path)
    if injected is not None:
        return injected
    if path.startswith("/iap/") and path not in _PUBLIC:
        needs = (
            path != "/iap/auth/sessionTimeout"
            or state.options.session_timeout_needs_auth
        )
        session = state.auth.lookup(request.cookies.get(COOKIE))
        if session is None and needs:
            if path == "/iap/ws":
                state.counters.ws_refused += 1
                raise ApiError(state.options.ws_refuse_status, "not logged in")
            raise ApiError(state.options.rest_refuse_status, "not logged in")
        request[SESSION_KEY] = session
    return None


@web.middleware
async def _guard(request: web.Request, handler: Any) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    path = request.path
    state.counters.requests[path] += 1
    cut = state.faults.take_cut(path)
    if cut == "reset" or (cut is not None and path == "/iap/ws"):
        # aiohttp finds the transport gone and drops this answer quietly.
        _break(request, reset=True)
        return web.Response(status=204)
    response: web.StreamResponse
    try:
        injected = await _admit(request, state, path)
        if injected is not None:
            response = web.Response(
                body=injected.body,
                status=injected.status,
                headers={"Content-Type": injected.content_type},
            )
        else:
            response = await handler(request)
    except ApiError as err:
        if 300 <= err.status < 400:
            # A refused session sent to the web UI's login page.
            response = web.Response(status=err.status, headers={"Location": LOGIN_PAGE})
        else:
            response = error_response(err.status, err.message, err.headers)
    except web.HTTPException as exc:
        response = error_response(exc.status, exc.reason)
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
    except asyncio.CancelledError, ConnectionError:
        raise
    except Exception:
        _LOGGER.exception("simulator handler failed for %s %s", request.method, path)
        response = error_response(500, "internal server error")
    state.counters.statuses[response.status] += 1
    if cut is not None:
        return await _truncate(request, response)
    return response


def _break(request: web.Request, *, reset: bool) -> None:
    """End the connection now: abort (RST, unsent data lost) or close (flushes)."""
    transport = request.transport
    if transport is not None:
        if reset:
            transport.abort()
        else:
            transport.close()


async def _truncate(
    request: web.Request, response: web.StreamResponse
) -> web.StreamResponse:
    """Send the head and half the body of ``response``, then close the connection."""
    body = response.body if isinstance(response, web.Response) else None
    raw = bytes(body) if isinstance(body, bytes | bytearray) else b""
    stream = web.StreamResponse(status=response.status, headers=response.headers)
    stream.content_length = max(len(raw), 2)
    await stream.prepare(request)
    await stream.write(raw[: len(raw) // 2])
    _break(request, reset=False)
    return stream


async def _login(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    body = await read_json(request)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("username"), str)
        or not isinstance(body.get("password"), str)
    ):
        raise ApiError(400, "body must be {username, password}")
    try:
        session = state.auth.login(body["username"], body["password"])
    except LockedOutError as err:
        state.counters.lockouts += 1
        state.counters.login_failures += 1
        raise ApiError(429, str(err)) from None
    except BadCredentialsError as err:
        state.counters.login_failures += 1
        raise ApiError(401, str(err)) from None
    state.counters.logins += 1
    response = json_response(state.auth.user_object(session.user))
    response.set_cookie(COOKIE, session.sid, path="/", secure=state.tls, httponly=True)
    return response


async def _logout(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    methods = state.options.logout_methods
    if methods != "both" and request.method.lower() != methods:
        # A SmartServer that does not know this form of the route.
        raise ApiError(404, "not found")
    session = state.auth.logout(request.cookies.get(COOKIE))
    if session is not None:
        end_sessions(state, [session], "logged out")
    response = web.Response(status=204)
    response.del_cookie(COOKIE, path="/")
    return response


async def _session_timeout(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    millis = round(state.options.session_timeout * 1000)
    if state.options.session_timeout_body == "object":
        return json_response({"value": millis})
    return json_response(millis)


async def _current_user(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    return json_response(state.auth.user_object(request[SESSION_KEY].user))


async def _version(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    return json_response(
        {"type": "SmartServer IoT", "value": state.options.firmware_version}
    )


async def _subscribe(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    body = await read_json(request)
    if not isinstance(body, list) or not all(isinstance(q, str) for q in body):
        raise ApiError(400, "body must be a JSON array of qualifiers")
    for qualifier in body:
        parts = qualifier.split("/")
        if len(parts) != 6 or not all(parts) or not parts[4].isdigit():
            raise ApiError(400, f"not a datapoint qualifier: {qualifier!r}")
    user = request[SESSION_KEY].user
    state.hub.subscribe(user, body)
    state.counters.subscribes += 1
    if state.options.subscribe_pushes_values:
        for qualifier in body:
            dp = state.scenario.datapoints.get(qualifier)
            if dp is not None:
                state.publish(dp, only_user=user)
    return web.Response(status=204)


async def _types(request: web.Request) -> web.StreamResponse:
    name = request.query.get("dpTypeName")
    if name is None:
        return json_response([t.definition() for t in TYPES.values()])
    info = TYPES.get(name)
    if info is None:
        raise ApiError(404, f"no type {name!r}")
    return json_response([info.definition()])


async def _login_page(request: web.Request) -> web.StreamResponse:
    return web.Response(
        text="<!doctype html><title>SmartServer IoT</title><form>Log in</form>",
        content_type="text/html",
    )


async def _publishes(request: web.Request) -> web.StreamResponse:
    return web.Response(status=204)
