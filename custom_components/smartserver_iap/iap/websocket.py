"""The one WebSocket opener, used by the live link and by data-log queries.

It sends the session cookie, the TLS trust and an ``Origin`` header, and applies one
policy to every refused handshake: a 401, a 403 or a redirect towards ``/cms`` or a
login page may mean that the session is gone, so the session is checked over REST
(``GET /iap/users/current``). Gone: log in again and retry once. Refused again right
after a fresh login, and refused by REST too: bad credentials. Anything else (REST
accepts the session, another status, a time-out) is an outage.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Final, Literal

import aiohttp

from .errors import IapAuthenticationError, IapServerError
from .transport import map_client_error, redirects_to_login

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .session import IapSession

_LOGGER = logging.getLogger(__name__)

type WebSocket = aiohttp.ClientWebSocketResponse[Literal[False]]

# Answers to a handshake that may mean "no session" rather than "not now".
_SESSION_STATUSES: Final = frozenset({401, 403})
DEFAULT_MAX_MSG_SIZE: Final = 4 * 1024 * 1024


def _may_mean_lost_session(err: aiohttp.WSServerHandshakeError) -> bool:
    if err.status in _SESSION_STATUSES:
        return True
    # aiohttp follows redirects: the login page answers 200, the redirect is history.
    answers: list[tuple[int, Mapping[str, str] | None]] = [
        (r.status, r.headers) for r in err.history
    ]
    answers.append((err.status, err.headers))
    return any(redirects_to_login(status, headers) for status, headers in answers)


def _status_text(err: aiohttp.WSServerHandshakeError) -> str:
    hops = [f"{r.status} to {r.headers.get('Location')}" for r in err.history]
    return f"HTTP {err.status}" + (f" after {', '.join(hops)}" if hops else "")


async def open_websocket(
    session: IapSession,
    query: str = "",
    *,
    what: str,
    handshake_timeout: float,
    heartbeat: float | None = None,
    max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
) -> WebSocket:
    """Open ``/iap/ws`` (with an encoded ``query``) on the client's session.

    ``handshake_timeout`` bounds the upgrade and the wait for the server's close frame.

    Raises:
        IapAuthenticationError: the handshake and REST refused the session of a fresh
            login (or the login itself failed on the credentials).
        IapConnectionError: every other failure, an outage.
    """
    for attempt in range(2):
        before = session.generation
        cookie = await session.ensure()
        generation = session.generation
        fresh = attempt > 0 or generation != before
        try:
            async with asyncio.timeout(handshake_timeout):
                return await session.http.ws_connect(
                    session.ws_url(query),
                    headers=session.cookie_headers(cookie),
                    origin=session.origin,
                    heartbeat=heartbeat,
                    max_msg_size=max_msg_size,
                    ssl=session.ssl,
                    timeout=aiohttp.ClientWSTimeout(ws_close=handshake_timeout),
                    decode_text=False,
                )
        except aiohttp.WSServerHandshakeError as err:
            status = _status_text(err)
            if not _may_mean_lost_session(err):
                # A second WebSocket refused, a proxy, a 5xx: an outage.
                raise IapServerError(f"{what} refused: {status}") from err
            if await session.cookie_accepted(cookie):
                raise IapServerError(
                    f"{what} refused ({status}) although the session is valid"
                ) from err
            if fresh:
                raise IapAuthenticationError(
                    f"{what}: the session was refused right after a fresh login"
                ) from err
            _LOGGER.debug("%s refused (%s): the session expired", what, status)
            session.invalidate(generation)
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            raise map_client_error(err, what) from err
    raise AssertionError("unreachable")  # pragma: no cover


async def close_websocket(ws: WebSocket, grace: float | None = None) -> None:
    """Close a WebSocket and make sure no heartbeat timer survives it.

    With ``grace``, stop waiting for the server's close frame after that many seconds
    (a SmartServer still streaming a data log answers only after its last entry).
    """
    try:
        async with asyncio.timeout(grace):
            await ws.close()
    except TimeoutError:
        _LOGGER.debug("WebSocket did not close within %s s; left it", grace)
    # aiohttp 3.14 re-arms the heartbeat from data that arrived while closing (the
    # re-arm runs one loop tick later); cancel it so no timer outlives the socket.
    await asyncio.sleep(0)
    cancel = getattr(ws, "_cancel_heartbeat", None)
    if cancel is not None:
        cancel()
