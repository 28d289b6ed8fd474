"""Servers on 127.0.0.1 that fail the way a wrong host or port fails in the field."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import TYPE_CHECKING

from aiohttp import web
from pytest_homeassistant_custom_component import plugins

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

# A name that never resolves (RFC 6761 reserves .invalid).
UNRESOLVABLE_HOST = "nonexistent.invalid"

# Home Assistant's test plugin makes socket.getaddrinfo refuse every name; this is the
# system resolver it replaced (aiohttp's AsyncResolver in Home Assistant's sessions
# queries DNS itself and is not affected).
SYSTEM_GETADDRINFO: Callable[..., object] = plugins._real_getaddrinfo


def closed_port() -> int:
    """Return a loopback port nobody listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def plain_http_server() -> AsyncIterator[int]:
    """Serve plain HTTP (no TLS) on a free loopback port; yield the port."""

    async def hello(_: web.Request) -> web.Response:
        return web.Response(text="plain HTTP")

    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        assert runner.addresses
        yield int(runner.addresses[0][1])
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """Accept TCP connections and never answer (a TLS handshake hangs); yield the port."""
    writers: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()
