"""Data-log queries over the data-log WebSocket: one entry per frame, then ``"end"``."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

import aiohttp
import orjson

from .errors import IapAuthenticationError, IapConnectionError, IapProtocolError
from .parsing import parse_log_entry
from .session import map_client_error
from .timestamps import format_query_time

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator
    from datetime import datetime

    from .client import IapClient
    from .models import LogEntry

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
    """
    params: list[tuple[str, str]] = []
    if device_id is not None:
        params.append(("dev", device_id))
    if block_name is not None:
        params.append(("blockName", block_name))
    if block_index is not None:
        params.append(("blockIndex", str(block_index)))
    if datapoint_name is not None:
        params.append(("dpName", datapoint_name))
    conditions = []
    if start is not None:
        conditions.append(f"utc>{format_query_time(start)}")
    if end is not None:
        conditions.append(f"utc<={format_query_time(end)}")
    params.append(("value", "*+" + "&".join(conditions) if conditions else "*"))
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in params)


async def _open(
    client: IapClient, query: str, handshake_timeout: float
) -> aiohttp.ClientWebSocketResponse[Literal[False]]:
    session = client.session
    for attempt in range(2):
        cookie = await session.ensure()
        generation = session.generation
        try:
            async with asyncio.timeout(handshake_timeout):
                return await client.http.ws_connect(
                    session.ws_url(query),
                    headers=session.cookie_headers(cookie),
                    ssl=session.ssl,
                    timeout=aiohttp.ClientWSTimeout(ws_close=handshake_timeout),
                    decode_text=False,
                )
        except aiohttp.WSServerHandshakeError as err:
            if err.status not in (401, 403):
                raise IapConnectionError(
                    f"data-log query refused: HTTP {err.status}"
                ) from err
            if attempt:
                raise IapAuthenticationError(
                    "data-log query refused after a fresh login"
                ) from err
            await session.relogin(generation)
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            raise map_client_error(err, "data-log query") from err
    raise AssertionError("unreachable")  # pragma: no cover


async def _close(ws: aiohttp.ClientWebSocketResponse[Literal[False]]) -> None:
    # A polite close waits for the server's close frame, but a SmartServer still
    # streaming entries answers only after its last one: give it a moment, then abort.
    try:
        async with asyncio.timeout(_CLOSE_GRACE):
            await ws.close()
    except TimeoutError:
        _LOGGER.debug("Data-log socket did not close in time; aborted it")


async def iter_log(  # noqa: PLR0917
    client: IapClient,
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
        IapConnectionError: no frame for ``idle_timeout`` seconds, or the link broke
            before ``"end"`` (for instance when the session expired mid-stream).
    """
    query = log_query(device_id, block_name, block_index, datapoint_name, start, end)
    ws = await _open(client, query, idle_timeout)
    stats = client.stats
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
        await _close(ws)
