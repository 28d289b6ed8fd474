"""Login, logout, session timeout and expiry, lockout."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from smartserver_sim import SmartServerSim

from .conftest import Api, make_api, quiet_options


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


async def test_bad_credentials_and_missing_cookie(anon: Api) -> None:
    assert (await anon.login(password="nope")).status == 401
    assert (await anon.login(user="ghost")).status == 401
    status, body = await anon.get("/iap/devs")
    assert status == 401
    assert body["status"] == 401 and body["message"]


async def test_bad_login_bodies(anon: Api) -> None:
    assert (await anon.call("POST", "/iap/auth/login", raw=b"{nope"))[0] == 400
    assert (await anon.call("POST", "/iap/auth/login", [1, 2]))[0] == 400
    assert (await anon.call("POST", "/iap/auth/login", {"username": "apollo"}))[
        0
    ] == 400
    assert (await anon.call("GET", "/iap/auth/login"))[0] == 405


async def test_lockout_after_repeated_failures(socket_enabled: None) -> None:
    opts = quiet_options(lockout_failures=3, lockout_window=10, lockout_duration=0.2)
    async with SmartServerSim(options=opts) as sim:
        api = await make_api(sim)
        try:
            assert (await api.login(password="x")).status == 401
            assert (await api.login(password="x")).status == 401
            status, body = await api.call(
                "POST", "/iap/auth/login", {"username": "apollo", "password": "x"}
            )
            assert status == 429
            assert body["message"] == "Too many failed login attempts"
            # Even the right password is refused while locked.
            assert (await api.login()).status == 429
            await asyncio.sleep(0.25)
            assert (await api.login()).status == 200
            assert sim.counters.lockouts == 2
        finally:
            await api.session.close()


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
    await ws.close()


async def test_session_timeout_body(socket_enabled: None) -> None:
    for body, expected in (("number", 86400000), ("object", {"value": 86400000})):
        async with SmartServerSim(
            options=quiet_options(session_timeout_body=body)
        ) as sim:
            api = await make_api(sim)
            try:
                assert await api.get("/iap/auth/sessionTimeout") == (200, expected)
            finally:
                await api.session.close()
    opts = quiet_options(session_timeout_needs_auth=True)
    async with SmartServerSim(options=opts) as sim:
        api = await make_api(sim)
        try:
            assert (await api.get("/iap/auth/sessionTimeout"))[0] == 401
        finally:
            await api.session.close()


async def test_session_expiry_rest_ws(socket_enabled: None) -> None:
    opts = quiet_options(session_timeout=0.15, session_sliding=False)
    async with SmartServerSim(options=opts) as sim:
        api = await make_api(sim)
        try:
            await api.login()
            ws = await api.ws()
            assert (await api.get("/iap/devs"))[0] == 200
            msg = await asyncio.wait_for(ws.receive(), 2)
            assert msg.type == aiohttp.WSMsgType.CLOSE
            assert ws.close_code == 1008
            await ws.close()
            assert (await api.get("/iap/devs"))[0] == 401
            with pytest.raises(aiohttp.WSServerHandshakeError) as err:
                await api.ws()
            assert err.value.status == 401
            assert sim.counters.ws_refused == 1
        finally:
            await api.session.close()


async def test_sliding_session_stays_alive(socket_enabled: None) -> None:
    opts = quiet_options(session_timeout=0.2, session_check_interval=10)
    async with SmartServerSim(options=opts) as sim:
        api = await make_api(sim)
        try:
            await api.login()
            for _ in range(4):
                await asyncio.sleep(0.08)
                assert (await api.get("/iap/version"))[0] == 200
            await asyncio.sleep(0.25)
            assert (await api.get("/iap/version"))[0] == 401
        finally:
            await api.session.close()


async def test_expire_sessions_per_user(socket_enabled: None) -> None:
    users = {"apollo": "apollo", "hermes": "wings"}
    async with SmartServerSim(options=quiet_options(), users=users) as sim:
        a, h = await make_api(sim), await make_api(sim)
        try:
            await a.login()
            assert (await h.login("hermes", "wings")).status == 200
            assert await sim.expire_sessions("hermes") == 1
            assert (await a.get("/iap/version"))[0] == 200
            assert (await h.get("/iap/version"))[0] == 401
        finally:
            await a.session.close()
            await h.session.close()


async def test_require_content_type(socket_enabled: None) -> None:
    async with SmartServerSim(
        options=quiet_options(require_json_content_type=True)
    ) as sim:
        api = await make_api(sim)
        try:
            status, _ = await api.call(
                "POST",
                "/iap/auth/login",
                raw=b'{"username":"apollo","password":"apollo"}',
            )
            assert status == 415
            assert (await api.login()).status == 200
        finally:
            await api.session.close()
