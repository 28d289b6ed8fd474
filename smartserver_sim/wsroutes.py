"""``GET /iap/ws``: the general WebSocket, or a data-log query when it has parameters."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING
from urllib.parse import unquote

from aiohttp import WSMsgType, web
import orjson

from .errors import ApiError
from .history import TimeRange, iter_entries
from .http import SESSION_KEY, STATE_KEY
from .paths import PathError, Selector, parse_filter
from .selection import Naming, parse_time_filter, select_datapoints
from .websocket import Conn

if TYPE_CHECKING:
    from .state import SimState

LOG_PARAMS = ("dev", "blockName", "blockIndex", "dpName", "value", "dp")


def parse_log_query(raw_query: str) -> dict[str, str]:
    """Split a raw query string into the data-log parameters.

    A client that did not percent-encode ``value`` leaves its inner ``&`` bare; a piece
    that is not a known parameter is glued back onto the previous value.
    """
    params: dict[str, str] = {}
    last: str | None = None
    for piece in raw_query.split("&"):
        key, sep, value = piece.partition("=")
        if sep and key in LOG_PARAMS:
            params[key] = value
            last = key
        elif last is not None:
            params[last] += "&" + piece
        else:
            raise ApiError(400, f"unknown data-log parameter {unquote(key)!r}")
    return {k: unquote(v) for k, v in params.items()}


def _selector(text: str | None) -> Selector:
    try:
        return parse_filter(text) if text is not None else Selector(None)
    except PathError as err:
        raise ApiError(400, str(err)) from None


async def ws_handler(request: web.Request) -> web.StreamResponse:
    """Upgrade to the general or the data-log WebSocket."""
    state = request.app[STATE_KEY]
    raw_query = request.rel_url.raw_query_string
    # The general WebSocket's pings and close frames are answered here: not during a
    # black hole, and a pong not in the middle of a dripping frame.
    ws = web.WebSocketResponse(
        compress=state.options.ws_compress,
        max_msg_size=1024 * 1024,
        autoping=bool(raw_query),
        autoclose=bool(raw_query),
    )
    if not ws.can_prepare(request).ok:
        raise ApiError(400, "WebSocket upgrade expected")
    if state.options.require_origin and "Origin" not in request.headers:
        raise ApiError(403, "cross-origin WebSocket refused")
    if raw_query:
        return await _data_log(request, state, ws, raw_query)
    session = request[SESSION_KEY]
    if state.options.refuse_second_ws and any(
        c.user == session.user for c in state.hub.conns
    ):
        raise ApiError(409, "another WebSocket of this user is open")
    await ws.prepare(request)
    conn = Conn(ws, session.sid, session.user, request.transport)
    state.hub.conns.add(conn)
    state.counters.ws_opened += 1
    try:
        # receive(), not ``async for``: the iteration ends on a close frame unseen.
        while True:
            msg = await ws.receive()
            if msg.type == WSMsgType.PING:
                await state.hub.pong(conn, msg.data)
            elif msg.type == WSMsgType.CLOSE:
                await state.faults.answering.wait()
                await ws.close()
                break
            elif msg.type in (WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                break
    finally:
        state.hub.conns.discard(conn)
    return ws


async def _data_log(
    request: web.Request,
    state: SimState,
    ws: web.WebSocketResponse,
    raw_query: str,
) -> web.StreamResponse:
    params = parse_log_query(raw_query)
    index = params.get("blockIndex")
    if index is not None and index != "*" and not index.isdigit():
        raise ApiError(400, f"blockIndex {index!r} is not a number")
    dps = select_datapoints(
        state.scenario,
        _selector(params.get("dev")),
        _selector(params.get("blockName")),
        _selector(index),
        _selector(params.get("dpName")),
        naming=Naming.of(state.options, log=True),
    )
    rng = parse_time_filter(params["value"]) if "value" in params else TimeRange()
    rng = rng.clip(state.retention_start, state.clock.time())
    state.counters.log_queries += 1
    sid = request[SESSION_KEY].sid
    await ws.prepare(request)
    sent = 0
    try:
        for dp in dps:
            for entry in iter_entries(dp, rng, state.options, state.zone):
                if ws.closed:
                    return ws
                await ws.send_frame(orjson.dumps(entry), WSMsgType.TEXT)
                sent += 1
                state.counters.log_entries_sent += 1
                if sent == state.options.log_cut_after:
                    await ws.close(code=1011, message=b"stream broken")
                    return ws
                if sent % 512 == 0:
                    # Keep the loop responsive while a long history streams, and end
                    # the stream like the general WebSocket when the session dies.
                    await asyncio.sleep(0)
                    if state.auth.lookup(sid, touch=False) is None:
                        await ws.close(
                            code=state.options.ws_expiry_close_code,
                            message=b"session expired",
                        )
                        return ws
        await ws.send_str('"end"' if state.options.log_end_quoted else "end")
        if not state.options.log_close_after_end:
            await _linger(state, ws)
        await ws.close()
    except ConnectionError:
        pass
    finally:
        with contextlib.suppress(Exception):
            await ws.close()
    return ws


async def _linger(state: SimState, ws: web.WebSocketResponse) -> None:
    """Keep a finished data-log socket open until the client (or a shutdown) closes it."""
    state.log_sockets.add(ws)
    try:
        async for _msg in ws:
            pass  # the client has nothing to say; its frames are read and ignored
    finally:
        state.log_sockets.discard(ws)
