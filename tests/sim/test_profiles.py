"""Every switch of the strict profile, seen on the wire in both its readings.

``tests/iap/test_tolerance.py`` shows that the client copes with either reading of each
[GUESS]; this shows that the simulator really plays both, so those tests mean something.
Each switch has a probe: what a client sees of it, once against the default reading and
once against the strict one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import aiohttp
import pytest

from smartserver_sim.options import STRICT, SimOptions

from .conftest import Api, next_frame
from .test_datalog import collect, value_param, window

if TYPE_CHECKING:
    from smartserver_sim import SmartServerSim

TEMP = "17q4bn7/lon/2.1/Thermostat/0/nvoSpaceTemp"
TEMP_PATH = "/iap/devs/2/if/Thermostat/0/nvoSpaceTemp"
TEMP_LOG = "dev=2&dpName=nvoSpaceTemp&value="

type Probe = Callable[[SmartServerSim, Api], Awaitable[Any]]


async def _handshake(api: Api, query: str = "") -> int:
    """Return the status of a WebSocket upgrade (101 when it is accepted)."""
    try:
        ws = await api.ws(query)
    except aiohttp.WSServerHandshakeError as err:
        # A redirect is followed to the login page: report the refusal itself.
        return err.history[0].status if err.history else err.status
    await ws.close()
    return 101


async def _logged_in(sim: SmartServerSim, api: Api) -> None:
    assert (await api.login()).status == 200


async def session_timeout_body(sim: SmartServerSim, api: Api) -> Any:
    await _logged_in(sim, api)
    return (await api.get("/iap/auth/sessionTimeout"))[1]


async def session_timeout_needs_auth(sim: SmartServerSim, api: Api) -> Any:
    return (await api.get("/iap/auth/sessionTimeout"))[0]


async def require_json_content_type(sim: SmartServerSim, api: Api) -> Any:
    raw = b'{"username": "apollo", "password": "apollo"}'
    return (await api.call("POST", "/iap/auth/login", raw=raw))[0]


async def ws_timestamps(sim: SmartServerSim, api: Api) -> Any:
    await _logged_in(sim, api)
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    ws = await api.ws()
    await sim.set_value(TEMP, 20.5)
    item = (await next_frame(ws, "UPD:DATAPOINT"))["payload"][0]
    await ws.close()
    return "timestamp" in item


async def ws_refuse_status(sim: SmartServerSim, api: Api) -> Any:
    return await _handshake(api)


async def _alarm_frame(sim: SmartServerSim, api: Api, action: str) -> Any:
    await _logged_in(sim, api)
    ws = await api.ws()
    alarm_id = await sim.raise_alarm("2", type="Probe")
    await sim.clear_alarm(alarm_id)
    payload = (await next_frame(ws, action))["payload"]
    await ws.close()
    return sorted(payload)


async def crt_alarm_payload(sim: SmartServerSim, api: Api) -> Any:
    return "type" in await _alarm_frame(sim, api, "CRT:ALARM")


async def del_alarm_payload(sim: SmartServerSim, api: Api) -> Any:
    return "type" in await _alarm_frame(sim, api, "DEL:ALARM")


async def subscribe_pushes_values(sim: SmartServerSim, api: Api) -> Any:
    await _logged_in(sim, api)
    ws = await api.ws()
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    # The hub writes in order: a marker queued after the subscribe's push follows it.
    await sim.hub.drain()
    sim.hub.broadcast("TEST:MARK", None)
    action = (await next_frame(ws))["action"]
    await ws.close()
    return action


async def refuse_second_ws(sim: SmartServerSim, api: Api) -> Any:
    await _logged_in(sim, api)
    first = await api.ws()
    second = await _handshake(api)
    await first.close()
    return second


async def empty_wildcard_status(sim: SmartServerSim, api: Api) -> Any:
    await _logged_in(sim, api)
    return (await api.get("/iap/devs/2/if/Thermostat/0/*+name==nosuch/value"))[0]


async def _log(sim: SmartServerSim, api: Api) -> tuple[list[Any], list[str]]:
    await _logged_in(sim, api)
    start, end = window(1)
    return await collect(api, TEMP_LOG + value_param(start, end))


async def log_utc_format(sim: SmartServerSim, api: Api) -> Any:
    entries, _ = await _log(sim, api)
    return entries[0]["utc"][19:]


async def log_order(sim: SmartServerSim, api: Api) -> Any:
    entries, _ = await _log(sim, api)
    return entries[0]["id"] < entries[-1]["id"]


async def log_end_quoted(sim: SmartServerSim, api: Api) -> Any:
    _, texts = await _log(sim, api)
    return texts[-1]


async def log_close_after_end(sim: SmartServerSim, api: Api) -> Any:
    """Return the close code seen after "end" once the server shuts down.

    A socket the server closed after "end" is closed normally before; one it keeps
    open is still there when the shutdown closes it.
    """
    await _logged_in(sim, api)
    ws = await api.ws("?dev=nosuch")
    assert (await ws.receive()).type is aiohttp.WSMsgType.TEXT
    after_end = asyncio.create_task(ws.receive())
    await sim.stop()
    await after_end
    await ws.close()
    return ws.close_code


async def page_shape(sim: SmartServerSim, api: Api) -> Any:
    await _logged_in(sim, api)
    return type((await api.get("/iap/devs?pg=1&sz=5"))[1]).__name__


async def read_echo(sim: SmartServerSim, api: Api) -> Any:
    """Return whether a read of an unchanged value is echoed on the WebSocket."""
    await _logged_in(sim, api)
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    ws = await api.ws()
    await api.get(TEMP_PATH + "/value")
    # The echo follows the read after ``live_read_delay`` on this loop's timers: a
    # later timer of the same loop wakes after it, echo or not.
    await asyncio.sleep(sim.options.live_read_delay * 2)
    await sim.hub.drain()
    sim.hub.broadcast("TEST:MARK", None)
    action = (await next_frame(ws))["action"]
    await ws.close()
    return action


async def device_ids(sim: SmartServerSim, api: Api) -> Any:
    await _logged_in(sim, api)
    return (await api.get("/iap/devs/17q4bn7.2"))[0]


async def literal_names(sim: SmartServerSim, api: Api) -> Any:
    """Return the answer to a datapoint named by its XIF name, not its instance name."""
    await _logged_in(sim, api)
    path = "/iap/devs/8/if/" + quote("Büro 1", safe="") + "/0/nviTimeout/value"
    return (await api.get(path))[0]


async def override_paths(sim: SmartServerSim, api: Api) -> Any:
    await _logged_in(sim, api)
    setpoint = "/iap/devs/2/if/Thermostat/0/nviSetpoint"
    return (await api.put(setpoint + "/8/overrides/value", 22.0))[0]


async def props_qualifier(sim: SmartServerSim, api: Api) -> Any:
    await _logged_in(sim, api)
    return "dpQualifier" in (await api.get(TEMP_PATH + "/*"))[1][0]


async def logout_methods(sim: SmartServerSim, api: Api) -> Any:
    await _logged_in(sim, api)
    return (await api.put("/iap/auth/logout"))[0]


async def rest_refuse_status(sim: SmartServerSim, api: Api) -> Any:
    return (await api.get("/iap/devs", allow_redirects=False))[0]


async def value_time_fields(sim: SmartServerSim, api: Api) -> Any:
    await _logged_in(sim, api)
    item = (await api.get(TEMP_PATH + "/value"))[1][0]
    return sorted({"timestamp", "utc", "local"} & set(item))


async def status_case(sim: SmartServerSim, api: Api) -> Any:
    await _logged_in(sim, api)
    device = (await api.get("/iap/devs/2"))[1][0]
    return device["status"]["state"]


async def require_origin(sim: SmartServerSim, api: Api) -> Any:
    await _logged_in(sim, api)
    return await _handshake(api)


# Switch -> (its probe, what it sees by default, what it sees in the strict reading).
PROBES: dict[str, tuple[Probe, Any, Any]] = {
    "session_timeout_body": (session_timeout_body, 86_400_000, {"value": 86_400_000}),
    "session_timeout_needs_auth": (session_timeout_needs_auth, 200, 401),
    "require_json_content_type": (require_json_content_type, 200, 415),
    "ws_timestamps": (ws_timestamps, True, False),
    "ws_refuse_status": (ws_refuse_status, 401, 302),
    "crt_alarm_payload": (crt_alarm_payload, True, False),
    "del_alarm_payload": (del_alarm_payload, True, False),
    "subscribe_pushes_values": (subscribe_pushes_values, "TEST:MARK", "UPD:DATAPOINT"),
    "refuse_second_ws": (refuse_second_ws, 101, 409),
    "empty_wildcard_status": (empty_wildcard_status, 200, 404),
    "log_utc_format": (log_utc_format, ".000Z[UTC]", ".000 UTC"),
    "log_order": (log_order, True, False),
    "log_end_quoted": (log_end_quoted, '"end"', "end"),
    "log_close_after_end": (
        log_close_after_end,
        aiohttp.WSCloseCode.OK,
        aiohttp.WSCloseCode.GOING_AWAY,
    ),
    "page_shape": (page_shape, "dict", "list"),
    "read_echo": (read_echo, "UPD:DATAPOINT", "TEST:MARK"),
    "device_ids": (device_ids, 200, 404),
    "literal_names": (literal_names, 200, 404),
    "override_paths": (override_paths, 204, 404),
    "props_qualifier": (props_qualifier, True, False),
    "logout_methods": (logout_methods, 204, 404),
    "rest_refuse_status": (rest_refuse_status, 401, 403),
    "value_time_fields": (value_time_fields, ["timestamp"], ["local", "utc"]),
    "status_case": (status_case, "provisioned", "PROVISIONED"),
    "require_origin": (require_origin, 101, 403),
}


def test_every_switch_has_a_probe() -> None:
    assert set(PROBES) == set(STRICT)


@pytest.mark.parametrize(
    ("switch", "sim_overrides", "strict"),
    [
        pytest.param(switch, overrides, strict, id=f"{switch}-{reading}")
        for switch in PROBES
        for reading, strict, overrides in (
            ("default", False, {}),
            ("strict", True, {switch: STRICT[switch]}),
        )
    ],
)
async def test_each_switch_changes_the_wire(
    sim: SmartServerSim, anon: Api, switch: str, strict: bool
) -> None:
    probe, by_default, when_strict = PROBES[switch]
    assert getattr(sim.options, switch) == (
        STRICT[switch] if strict else getattr(SimOptions(), switch)
    )
    assert await probe(sim, anon) == (when_strict if strict else by_default)
