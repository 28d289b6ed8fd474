"""Data-log queries over the data-log WebSocket: one entry per frame, then ``"end"``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import quote

import aiohttp
import orjson

from .errors import IapConnectionError, IapProtocolError
from .parsing import parse_log_entry
from .timestamps import format_query_time
from .websocket import close_websocket, open_websocket

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator
    from datetime import datetime

    from .models import LogEntry
    from .session import IapSession

_LOGGER = logging.getLogger(__name__)

_CLOSE_GRACE = 0.5
_END_MARKERS = (b'"end"', b"end")
_NORMAL_CLOSE = (None, 1000, 1001)
_DATA_TYPES = (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY)


def log_query(  # noqa: PLR0917
    device_id: str | None,
    block_name: str | None,
    block_index: int | None,
    datapoint_name: str | None,
    start: datetime | None,
    end: datetime | None,
) -> str:
    """Return the encoded query of a data-log WebSocket.

    Each parameter is percent-encoded as a whole, so the ``&`` inside the ``value``
    time-range expression travels as ``%26`` (as the vendor's Browser sends it).
    ``dev`` is the device-list id and ``dpName`` the XIF name as ``*+xifName==``, as
    the Browser sends them (a literal ``dpName`` names the instance).
    """
    params: list[tuple[str, str]] = []
    if device_id is not None:
        params.append(("dev", device_id))
    if block_name is not None:
        params.append(("blockName", block_name))
    if block_index is not None:
        params.append(("blockIndex", str(block_index)))
    if datapoint_name is not None:
        params.append(("dpName", f"*+xifName=={datapoint_name}"))
    conditions = []
    if start is not None:
        conditions.append(f"utc>{format_query_time(start)}")
    if end is not None:
        conditions.append(f"utc<={format_query_time(end)}")
    params.append(("value", "*+" + "&".join(conditions) if conditions else "*"))
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in params)


async def iter_log(  # noqa: PLR0917
    session: IapSession,
    device_id: str | None = None,
    block_name: str | None = None,
    block_index: int | None = None,
    datapoint_name: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    idle_timeout: float = 30.0,
) -> AsyncGenerator[LogEntry]:
    """Yield the entries of a data-log query as they arrive; nothing is buffered.

    Ends after the ``"end"`` frame or a normal close. Use it with
    ``contextlib.aclosing`` when breaking out early, so the socket closes at once.

    Raises:
        IapAuthenticationError: the session of a fresh login was refused.
        IapConnectionError: the query was refused (an outage), no frame came for
            ``idle_timeout`` seconds, or the link broke before ``"end"`` (for
            instance when the session expired mid-stream).
    """
    query = log_query(device_id, block_name, block_index, datapoint_name, start, end)
    ws = await open_websocket(
        session, query, what="data-log query", handshake_timeout=idle_timeout
    )
    stats = session.stats
    try:
        while True:
            try:
                message = await ws.receive(timeout=idle_timeout)
            except TimeoutError:
                raise IapConnectionError(
                    f"data-log query: no data for {idle_timeout} s"
                ) from None
            if message.type in _DATA_TYPES:
                data = message.data
                if isinstance(data, str):
                    data = data.encode()
                if data.strip() in _END_MARKERS:
                    return
                try:
                    entry = parse_log_entry(orjson.loads(data))
                except (orjson.JSONDecodeError, IapProtocolError) as err:
                    stats.malformed_frames += 1
                    _LOGGER.debug("Skipping a data-log frame: %s", err)
                    continue
                yield entry
                continue
            if message.type is aiohttp.WSMsgType.ERROR:
                raise IapConnectionError(f"data-log query failed: {message.data}")
            if ws.close_code in _NORMAL_CLOSE:
                return
            raise IapConnectionError(
                f"data-log query closed before its end (code {ws.close_code})"
            )
    finally:
        # A polite close waits for the server's close frame, but a SmartServer still
        # streaming entries answers only after its last one: give it a moment.
        await close_websocket(ws, _CLOSE_GRACE)
