"""The one WebSocket opener and data-log ends, against a tiny loopback server.

The simulator redirects a dead session's handshake to its login page
(``ws_refuse_status=302``, see ``test_tolerance``); this server also refuses a valid
session and redirects elsewhere.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import itertools
from typing import TYPE_CHECKING, Any

from aiohttp import web
import pytest

from custom_components.smartserver_iap.iap import (
    ConnectionLost,
    IapAuthenticationError,
    IapConnectionError,
    Resynced,
)

from .conftest import Recorder, live

if TYPE_CHECKING:
    from custom_components.smartserver_iap.iap import IapClient

    from .conftest import Serve

ENTRY = '{"dpQualifier": "q", "utc": "2022-04-11T07:00:00.000Z", "value": %d}'


@dataclass
class Server:
    """A SmartServer that knows sessions and redirects those it forgot to /cms."""

    valid: set[str] = field(default_factory=set)
    logins: int = 0
    checks: int = 0
    # What /iap/ws does with a session it knows: accept or redirect anyway.
    refuse_valid: bool = False
    redirect_to: str = "/cms/login"
    origins: list[str | None] = field(default_factory=list)
    closed_by_client: asyncio.Event = field(default_factory=asyncio.Event)
    _numbers: itertools.count[int] = field(default_factory=itertools.count)

    def known(self, request: web.Request) -> bool:
        return request.cookies.get("cmsSID") in self.valid

    async def login(self, request: web.Request) -> web.Response:
        self.logins += 1
        cookie = f"s{next(self._numbers)}"
        self.valid.add(cookie)
        response = web.json_response({"userName": "apollo"})
        response.set_cookie("cmsSID", cookie)
        return response

    async def forgetful_login(self, request: web.Request) -> web.Response:
        """Log in, and forget the session at once (as for refused credentials)."""
        response = await self.login(request)
        self.valid.clear()
        return response

    async def current_user(self, request: web.Request) -> web.Response:
        self.checks += 1
        if not self.known(request):
            raise web.HTTPFound("/cms/login")
        return web.json_response({"userName": "apollo"})

    async def devices(self, request: web.Request) -> web.Response:
        if not self.known(request):
            raise web.HTTPFound("/cms/login")
        return web.json_response([{"id": "1", "category": "SC"}])

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(text="<html>log in</html>", content_type="text/html")

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        self.origins.append(request.headers.get("Origin"))
        if self.refuse_valid or not self.known(request):
            raise web.HTTPFound(self.redirect_to)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        if "value" in request.query:
            for value in range(2):
                await ws.send_str(ENTRY % value)
            # The query's device names the end marker to send.
            await ws.send_str(request.query.get("dev", '"end"'))
        # Never close first: wait for the client's close.
        async for _ in ws:
            pass
        self.closed_by_client.set()
        return ws

    def routes(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "GET /iap/users/current": self.current_user,
            "GET /iap/devs": self.devices,
            "GET /iap/ws": self.websocket,
            "GET /cms/login": self.page,
            "GET /elsewhere": self.page,
        }


@pytest.fixture
async def server() -> Server:
    return Server()


async def _entries(client: IapClient) -> list[Any]:
    return [entry.value async for entry in client.iter_log(idle_timeout=3)]


@pytest.mark.parametrize("marker", ['"end"', "end", ' "end"\n'])
async def test_data_log_ends_on_end_while_the_socket_stays_open(
    serve: Serve, server: Server, marker: str
) -> None:
    client = await serve(server.routes())
    stream = client.iter_log(marker, idle_timeout=3)
    assert [entry.value async for entry in stream] == [0, 1]
    # The server never closed: the client ended on the marker and closed itself.
    async with asyncio.timeout(3):
        await server.closed_by_client.wait()
    await client.close()


async def test_expired_session_redirected_to_login_logs_in_again(
    serve: Serve, server: Server
) -> None:
    client = await serve(server.routes())
    await client.login()
    server.valid.clear()
    assert await _entries(client) == [0, 1]
    # The redirect made the client ask REST, which confirmed the session was gone.
    assert (server.logins, server.checks) == (2, 1)
    # Every handshake named where it came from.
    assert server.origins == [client.session.origin] * 2
    await client.close()


async def test_redirect_although_rest_accepts_the_session_is_an_outage(
    serve: Serve, server: Server
) -> None:
    server.refuse_valid = True
    client = await serve(server.routes())
    with pytest.raises(IapConnectionError, match=r"302 to /cms/login\).*valid"):
        await _entries(client)
    assert server.logins == 1
    await client.close()


async def test_redirect_after_a_fresh_login_refused_by_rest_is_bad_credentials(
    serve: Serve, server: Server
) -> None:
    client = await serve({**server.routes(), "login": server.forgetful_login})
    with pytest.raises(IapAuthenticationError):
        await _entries(client)
    assert (server.logins, server.checks) == (1, 1)
    await client.close()


async def test_redirect_elsewhere_is_an_outage_without_a_session_check(
    serve: Serve, server: Server
) -> None:
    server.refuse_valid = True
    server.redirect_to = "/elsewhere"
    client = await serve(server.routes())
    with pytest.raises(
        IapConnectionError, match=r"refused: HTTP 200 after 302 to /elsewhere"
    ):
        await _entries(client)
    assert server.checks == 0
    await client.close()


async def test_rest_redirect_to_login_is_a_lost_session(
    serve: Serve, server: Server
) -> None:
    client = await serve(server.routes())
    await client.login()
    server.valid.clear()
    assert [d.id for d in await client.list_devices()] == ["1"]
    assert server.logins == 2

    forgetful = await serve({**server.routes(), "login": server.forgetful_login})
    with pytest.raises(IapAuthenticationError):
        await forgetful.list_devices()
    await client.close()
    await forgetful.close()


async def test_live_link_redirected_to_login_logs_in_again(
    serve: Serve, server: Server
) -> None:
    client = await serve(server.routes())
    await client.login()
    server.valid.clear()
    async with live(client, Recorder()) as (rec, _):
        resynced = await rec.wait_for(Resynced)
        assert resynced.values == []
    assert not rec.of(ConnectionLost)
    assert (server.logins, server.checks) == (2, 1)
    await client.close()
