"""Login, logout, the session timeout endpoint, expiry on demand, content type.

Expiry and lockout over time: ``test_timing.py``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

if TYPE_CHECKING:
    from smartserver_sim import SmartServerSim

    from .conftest import Api


async def test_login_returns_user_and_cookie(sim: SmartServerSim, anon: Api) -> None:
    async with anon.session.post(
        anon.url("/iap/auth/login"),
        json={"username": "apollo", "password": "apollo"},
        ssl=anon.ssl,
    ) as resp:
        assert resp.status == 200
        body = await resp.json()
        cookie = resp.cookies["cmsSID"]
    assert body["userName"] == "apollo"
    assert {
        "id",
        "firstName",
        "lastName",
        "emailAddress",
        "locale",
        "customerId",
    } <= set(body)
    assert cookie["path"] == "/"
    assert cookie["httponly"]
    assert cookie["secure"]
    assert sim.counters.logins == 1
    status, user = await anon.get("/iap/users/current")
    assert status == 200 and user["userName"] == "apollo"
    status, version = await anon.get("/iap/version")
    assert version == {"type": "SmartServer IoT", "value": "4.4.021"}


@pytest.mark.parametrize(
    ("user", "password"), [("apollo", "nope"), ("ghost", "apollo")]
)
async def test_bad_credentials(
    sim: SmartServerSim, anon: Api, user: str, password: str
) -> None:
    assert (await anon.login(user, password)).status == 401
    assert sim.counters.login_failures == 1
    status, body = await anon.get("/iap/devs")
    assert status == 401
    assert body == {"status": 401, "message": "not logged in"}


@pytest.mark.parametrize(
    ("method", "body", "raw", "status"),
    [
        ("POST", None, b"{nope", 400),
        ("POST", [1, 2], None, 400),
        ("POST", {"username": "apollo"}, None, 400),
        ("POST", {"username": "apollo", "password": 1}, None, 400),
        ("GET", None, None, 405),
    ],
)
async def test_bad_login_requests(
    sim: SmartServerSim,
    anon: Api,
    *,
    method: str,
    body: Any,
    raw: bytes | None,
    status: int,
) -> None:
    got, _ = await anon.call(method, "/iap/auth/login", body, raw=raw)
    assert got == status
    assert sim.counters.logins == 0 and not sim.auth.sessions


async def test_logout_put_and_post(api: Api) -> None:
    assert (await api.put("/iap/auth/logout"))[0] == 204
    assert (await api.get("/iap/devs"))[0] == 401
    await api.login()
    assert (await api.call("POST", "/iap/auth/logout"))[0] == 204
    assert (await api.get("/iap/devs"))[0] == 401
    # Logging out without a session is harmless.
    assert (await api.call("POST", "/iap/auth/logout"))[0] == 204


async def test_logout_closes_websocket(api: Api) -> None:
    ws = await api.ws()
    await api.put("/iap/auth/logout")
    msg = await asyncio.wait_for(ws.receive(), 2)
    assert msg.type == aiohttp.WSMsgType.CLOSE
    assert ws.close_code == 1008
    assert msg.extra == "logged out"
    await ws.close()


@pytest.mark.parametrize(
    ("sim_overrides", "answer"),
    [
        ({}, (200, 86400000)),
        ({"session_timeout_body": "object"}, (200, {"value": 86400000})),
        ({"session_timeout": 60.0}, (200, 60000)),
        ({"session_timeout_needs_auth": True}, (401, {"status": 401, "message": "not logged in"})),
    ],
)  # fmt: skip
async def test_session_timeout_endpoint(anon: Api, answer: tuple[int, Any]) -> None:
    assert await anon.get("/iap/auth/sessionTimeout") == answer


@pytest.mark.parametrize("sim_users", [{"apollo": "apollo", "hermes": "wings"}])
async def test_expire_sessions_per_user(
    sim: SmartServerSim, api: Api, other: Api
) -> None:
    assert (await other.login("hermes", "wings")).status == 200
    assert await sim.expire_sessions("hermes") == 1
    assert (await api.get("/iap/version"))[0] == 200
    assert (await other.get("/iap/version"))[0] == 401


@pytest.mark.parametrize("sim_overrides", [{"require_json_content_type": True}])
async def test_require_content_type(anon: Api) -> None:
    status, body = await anon.call(
        "POST",
        "/iap/auth/login",
        raw=b'{"username":"apollo","password":"apollo"}',
    )
    assert status == 415 and "Content-type" in body["message"]
    assert (await anon.login()).status == 200
