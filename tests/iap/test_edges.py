"""Protocol edges the simulator does not produce, served by a tiny loopback server."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.smartserver_iap.iap import (
    IapClient,
    IapConnectionError,
    IapNotFoundError,
    IapProtocolError,
    IapRateLimitedError,
)

from .conftest import json_handler as _json


async def test_paging_edges(serve: Any) -> None:
    pages: list[str] = []

    async def devs(request: web.Request) -> web.Response:
        pages.append(request.query_string)
        page = int(request.query["pg"])
        if "bare" in request.path:
            return web.json_response([{"id": "1"}])
        snapshot = len(pages) if len(pages) < 3 else 7
        return web.json_response(
            {
                "snapshot": snapshot,
                "resources": [{"id": str(page)}],
                "remainingPages": 2 - page,
            }
        )

    client = await serve(
        {"GET /iap/devs": devs, "GET /iap/auth/sessionTimeout": _json("nope")}
    )
    devices = await client.list_devices()
    # The snapshot changed between page 1 and 2 twice, then stayed put.
    assert [d.id for d in devices] == ["1", "2"]
    assert "xs=7" in pages[-1]
    assert client.session.session_timeout is None
    await client.close()


async def test_listing_that_never_settles(serve: Any) -> None:
    counter = iter(range(100))

    async def devs(request: web.Request) -> web.Response:
        return web.json_response(
            {"snapshot": next(counter), "resources": [{"id": "1"}], "remainingPages": 1}
        )

    client = await serve({"GET /iap/devs": devs})
    with pytest.raises(IapProtocolError, match="kept changing"):
        await client.list_devices()


@pytest.mark.parametrize("remaining", ["2", 2.0, None, "many"])
async def test_remaining_pages_that_are_no_int(serve: Any, remaining: object) -> None:
    # Five devices in pages of two: a page count that is no int (or none at all)
    # must not end the listing early; full pages go on, the short one ends it.
    async def devs(request: web.Request) -> web.Response:
        page = int(request.query["pg"])
        ids = range(2 * page - 1, min(2 * page, 5) + 1)
        body: dict[str, Any] = {"resources": [{"id": str(i)} for i in ids]}
        if remaining is not None:
            body["remainingPages"] = remaining
        return web.json_response(body)

    client = await serve({"GET /iap/devs": devs})
    client.rest.page_size = 2
    assert [d.id for d in await client.list_devices()] == ["1", "2", "3", "4", "5"]
    await client.close()


async def test_paging_is_bounded(serve: Any) -> None:
    asked: list[int] = []

    async def same_page(request: web.Request) -> web.Response:
        asked.append(int(request.query["pg"]))
        return web.json_response(
            {"resources": [{"id": "1"}], "remainingPages": 1, "snapshot": 1}
        )

    async def endless(request: web.Request) -> web.Response:
        page = request.query["pg"]
        return web.json_response({"resources": [{"id": page}], "remainingPages": 1})

    repeating = await serve({"GET /iap/devs": same_page})
    with pytest.raises(IapProtocolError, match="page 2 repeats"):
        await repeating.list_devices()
    assert asked == [1, 2]
    forever = await serve({"GET /iap/devs": endless})
    forever.rest.max_pages = 30
    with pytest.raises(IapProtocolError, match="more than 30 pages"):
        await forever.list_devices()
    await repeating.close()
    await forever.close()


async def test_bare_array_that_ignores_paging(serve: Any) -> None:
    # Everything at once, as many items as a page holds: page 2 is the same list.
    asked: list[str] = []

    async def devs(request: web.Request) -> web.Response:
        asked.append(request.query["pg"])
        return web.json_response([{"id": "1"}, {"id": "2"}])

    client = await serve({"GET /iap/devs": devs})
    client.rest.page_size = 2
    assert [d.id for d in await client.list_devices()] == ["1", "2"]
    assert asked == ["1", "2"]
    await client.close()


async def test_bad_bodies(serve: Any) -> None:
    async def text(request: web.Request) -> web.Response:
        return web.Response(text="<html>")

    client = await serve(
        {
            "GET /iap/devs": _json({"what": 1}),
            "GET /iap/alarms": text,
            "GET /iap/devs/{tail:.*}": _json(
                {"resources": [{"dpQualifier": "q", "value": 1}, {}]}
            ),
            "PUT /iap/dp/updates/subscribe": _json(None, 404),
            "GET /iap/auth/sessionTimeout": _json({"sessionTimeout": True}),
        }
    )
    with pytest.raises(IapProtocolError, match="not a paged"):
        await client.list_devices()
    with pytest.raises(IapProtocolError, match="not JSON"):
        await client.list_alarms()
    values = await client.read_values(["q"])
    assert [v.value for v in values] == [1]
    with pytest.raises(IapNotFoundError):
        await client.subscribe(["q"])
    await client.close()


async def test_login_without_cookie_and_logout_405(serve: Any) -> None:
    async def no_cookie(request: web.Request) -> web.Response:
        return web.json_response({})

    client = await serve({"login": no_cookie})
    with pytest.raises(IapProtocolError, match="cookie"):
        await client.login()
    calls: list[str] = []

    async def logout(request: web.Request) -> web.Response:
        calls.append(request.method)
        return web.Response(status=405 if request.method == "POST" else 204)

    other = await serve(
        {"PUT /iap/auth/logout": logout, "POST /iap/auth/logout": logout}
    )
    await other.login()
    await other.close()
    assert calls == ["POST", "PUT"]


async def test_datapoint_listing_skips_bad_items_and_empty_smartserver(
    serve: Any,
) -> None:
    client = await serve(
        {
            "GET /iap/devs": _json([{"id": "2", "category": "EDGE"}]),
            "GET /iap/devs/{tail:.*}": _json([{"dpQualifier": "q"}, "junk"]),
        }
    )
    assert await client.list_datapoints() == []
    with pytest.raises(IapNotFoundError):
        await client.get_smartserver()
    assert [v.value for v in await client.read_values(["q"])] == [None]
    await client.close()
    odd = await serve({"GET /iap/devs/{tail:.*}": _json({"value": 1})})
    with pytest.raises(IapProtocolError, match="list"):
        await odd.read_values(["q"])


async def test_data_log_malformed_and_abnormal_close(serve: Any) -> None:
    async def ws_handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str("{bad")
        await ws.send_str('{"dpQualifier": "q"}')
        await ws.send_bytes(
            b'{"dpQualifier": "q", "utc": "2022-04-11T07:00:00Z", "value": 1}'
        )
        if request.query.get("dev") == "abort":
            await ws.close(code=1011)
        else:
            await ws.close()
        return ws

    client = await serve({"GET /iap/ws": ws_handler})
    entries = [e async for e in client.iter_log("ok")]
    assert [e.value for e in entries] == [1]
    assert client.stats.malformed_frames == 2
    with pytest.raises(IapConnectionError, match="before its end"):
        async for _ in client.iter_log("abort"):
            pass
    await client.close()
    refused = IapClient(client.http, "127.0.0.1", 1, "apollo", "apollo", scheme="http")
    with pytest.raises(IapConnectionError):
        async for _ in refused.iter_log():
            pass


async def test_429_retry_after_and_foreign_cookies(
    serve: Any, http: aiohttp.ClientSession
) -> None:
    async def limited(request: web.Request) -> web.Response:
        return web.json_response("slow down", status=429, headers={"Retry-After": "7"})

    async def hands_out_cookie(request: web.Request) -> web.Response:
        response = web.json_response([])
        response.set_cookie("cmsSID", "planted")
        return response

    client = await serve(
        {
            "GET /iap/alarms": limited,
            "GET /iap/devs": hands_out_cookie,
            "GET /iap/auth/sessionTimeout": _json(None, 404),
        }
    )
    with pytest.raises(IapRateLimitedError) as caught:
        await client.list_alarms()
    assert caught.value.retry_after == 7
    assert await client.list_devices() == []
    # Any cmsSID a response hands out is kept out of the shared jar.
    assert not [c for c in http.cookie_jar if c.key == "cmsSID"]
    await client.close()


MIB = 1024 * 1024


@pytest.mark.parametrize("chunked", [True, False])
async def test_rest_bodies_are_capped(serve: Any, chunked: bool) -> None:
    """A 64 MiB answer (valid JSON) fails at 32 MiB, and is read no further."""
    written: list[int] = []

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        if not chunked:
            response.content_length = 64 * MIB
        await response.prepare(request)
        piece = b"[" + b"0," * (MIB // 2 - 1) + b"0"
        sent = 0
        try:
            for n in range(64):
                await response.write(piece if n == 0 else b"," + piece[1:])
                sent += MIB
            await response.write(b"]")
        except ConnectionError:
            pass
        written.append(sent)
        return response

    client = await serve({"GET /iap/big": huge})
    with pytest.raises(IapProtocolError, match="exceeds 33554432 bytes"):
        await client.request("GET", "/iap/big")
    await client.close()
    if chunked:
        # Stopped at the cap: the server could not write the rest.
        assert written and written[0] < 48 * MIB


async def test_login_body_capped(serve: Any) -> None:
    async def login(request: web.Request) -> web.Response:
        response = web.json_response({"userName": "x" * 2000})
        response.set_cookie("cmsSID", "abc")
        return response

    client = await serve({"login": login})
    client.session.max_body_size = 1000
    with pytest.raises(IapProtocolError, match="login: the answer exceeds 1000"):
        await client.login()
