"""Shared HTTP helpers: the app key, JSON responses and request bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web
import orjson

from .errors import ApiError

if TYPE_CHECKING:
    from .auth import Session
    from .state import SimState

STATE_KEY: web.AppKey[SimState] = web.AppKey("state")
SESSION_KEY = "session"


def json_response(body: Any, status: int = 200) -> web.Response:
    """Return ``body`` serialised with orjson."""
    return web.Response(
        body=orjson.dumps(body), status=status, content_type="application/json"
    )


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    """Return the short JSON error every failure uses."""
    response = json_response({"status": status, "message": message}, status)
    if headers:
        response.headers.update(headers)
    return response


async def read_json(request: web.Request) -> Any:
    """Parse the request body; raise ApiError 400 (or 415) when it is not JSON."""
    if (
        request.app[STATE_KEY].options.require_json_content_type
        and request.content_type != "application/json"
    ):
        raise ApiError(415, "Content-type must be application/json")
    raw = await request.read()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ApiError(400, "malformed JSON body") from None


def session_user(request: web.Request) -> str | None:
    """Return the logged-in user of a request, if any."""
    session: Session | None = request.get(SESSION_KEY)
    return session.user if session is not None else None


def allow(request: web.Request, *methods: str) -> None:
    """Answer 405 (with ``Allow``) unless the request uses one of ``methods``."""
    if request.method not in methods:
        raise web.HTTPMethodNotAllowed(request.method, methods)
