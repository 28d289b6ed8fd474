"""Data-log WebSocket queries: entries, "end", close; deterministic history."""

from __future__ import annotations

import asyncio
from dataclasses import replace
import time
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import orjson
import pytest

from smartserver_sim import SmartServerSim, expected_log_entries, hourly_means
from smartserver_sim.timefmt import parse_time

from .conftest import Api, quiet_options

TEMP = "17q4bn7/lon/2.1/Thermostat/0/nvoSpaceTemp"
LUX = "17q4bn7/lon/4.1/Light Sensor/0/nvoLuxLevel"


def fmt(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000", time.gmtime(t))


def window(hours: int = 6) -> tuple[float, float]:
    end = (time.time() // 3600) * 3600 - 86400
    return end - hours * 3600, end


async def collect(api: Api, query: str) -> tuple[list[Any], list[str]]:
    ws = await api.ws("?" + query)
    entries: list[Any] = []
    texts: list[str] = []
    async for msg in ws:
        assert msg.type == aiohttp.WSMsgType.TEXT
        texts.append(msg.data)
        if msg.data not in ('"end"', "end"):
            entries.append(orjson.loads(msg.data))
    assert ws.closed
    return entries, texts


def value_param(start: float, end: float, z: str = "") -> str:
    return quote(f"*+utc>{fmt(start)}{z}&utc<={fmt(end)}{z}", safe="")


async def test_one_datapoint_query(sim: SmartServerSim, api: Api) -> None:
    start, end = window()
    query = (
        "dev=2&blockName=Thermostat&blockIndex=0&dpName=nvoSpaceTemp&value="
        + value_param(start, end)
    )
    entries, texts = await collect(api, query)
    assert texts[-1] == '"end"'
    expected = expected_log_entries(sim.scenario, TEMP, start, end, options=sim.options)
    assert entries == expected
    assert len(entries) == 24
    first = entries[0]
    assert first["utc"] == fmt(start + 900) + "Z[UTC]"
    assert first["local"].endswith("[Europe/Berlin]")
    for key in (
        "id",
        "dpQualifier",
        "deviceId",
        "deviceName",
        "blockName",
        "blockIndex",
        "datapointName",
        "name",
        "value",
        "deviceHealth",
        "tags",
    ):
        assert key in first
    # Fields the vendor's Browser adds to the entries it keeps, not the SmartServer's.
    assert "liveData" not in first
    assert "timestamp" not in first
    means = hourly_means(entries)
    assert len(means) == 7  # entries lie in (start, end]: end opens one more hour
    assert sim.counters.log_queries == 1 and sim.counters.log_entries_sent == 24


async def test_device_filter_and_unencoded_value(sim: SmartServerSim, api: Api) -> None:
    start, end = window(1)
    dev = quote("*+name==Lighting Büro 1/2", safe="")
    raw_value = f"*%2Butc>{fmt(start)}Z&utc<={fmt(end)}Z"  # inner & left bare
    entries, _ = await collect(api, f"dev={dev}&value={raw_value}")
    assert len(entries) == 60
    assert {e["dpQualifier"] for e in entries} == {LUX}
    by_name, _ = await collect(
        api,
        urlencode(
            {
                "dev": "*+name==Lighting Büro 1/2",
                "dpName": "*+xifName==nvoLuxLevel",
                "blockName": "Light Sensor",
                "value": f"*+utc>={fmt(start)}&utc<{fmt(end)}",
            },
            quote_via=quote,
        ),
    )
    assert by_name[0]["utc"].startswith(fmt(start)[:16])
    assert len(by_name) == 60


@pytest.mark.parametrize("sim_overrides", [{"history_days": 1.0}])
async def test_entries_start_at_the_retention(sim: SmartServerSim, api: Api) -> None:
    start = time.time() - 3 * 86400
    entries, _ = await collect(
        api, "dev=2&dpName=nvoSpaceTemp&value=" + quote(f"*+utc>{fmt(start)}", safe="")
    )
    first = parse_time(entries[0]["utc"])
    # Kept for a day: the first entry is the first 15-minute step inside it.
    assert sim.retention_start <= first < sim.retention_start + 900


async def test_nothing_matches_sends_only_end(api: Api) -> None:
    start, end = window(1)
    entries, texts = await collect(
        api, "dev=2&dpName=nviSetpoint&value=" + value_param(start, end)
    )
    assert entries == [] and texts == ['"end"']
    entries, texts = await collect(api, "dev=nosuch&value=" + value_param(start, end))
    assert texts == ['"end"']


async def test_all_datapoints_and_clipping(sim: SmartServerSim, api: Api) -> None:
    now = time.time()
    start = now - 1800
    entries, _ = await collect(api, "value=" + quote(f"*+utc>{fmt(start)}", safe=""))
    assert entries
    assert all(parse_time(e["utc"]) <= now + 60 for e in entries)
    everything, _ = await collect(
        api,
        "dev=4&dpName=nvoLuxLevel&value="
        + quote("*+utc==" + fmt((now // 60) * 60 - 120), safe=""),
    )
    assert len(everything) == 1


@pytest.mark.parametrize(
    ("sim_overrides", "suffix", "end"),
    [
        ({"log_utc_format": "z", "log_order": "desc", "log_end_quoted": False}, "Z", "end"),
        ({"log_utc_format": "space", "log_order": "desc"}, " UTC", '"end"'),
    ],
    ids=["z-desc-bare-end", "space-desc"],
)  # fmt: skip
async def test_utc_formats_order_and_end_marker(
    sim: SmartServerSim, api: Api, suffix: str, end: str
) -> None:
    start, stop = window(1)
    entries, texts = await collect(
        api, "dev=2&dpName=nvoSpaceTemp&value=" + value_param(start, stop)
    )
    assert texts[-1] == end
    assert entries[0]["utc"].endswith(suffix)
    assert parse_time(entries[0]["utc"]) > parse_time(entries[-1]["utc"])
    assert entries == expected_log_entries(
        sim.scenario, TEMP, start, stop, options=sim.options
    )


@pytest.mark.parametrize(
    ("sim_overrides", "close_code"),
    [({}, aiohttp.WSCloseCode.OK), ({"log_close_after_end": False}, aiohttp.WSCloseCode.GOING_AWAY)],
    ids=["closes-after-end", "stays-open-after-end"],
)  # fmt: skip
async def test_socket_after_end(sim: SmartServerSim, api: Api, close_code: int) -> None:
    """After "end" the server closes at once, or (switch) keeps the socket open.

    Open means the socket is still there when the server later shuts down: the client
    then sees the shutdown's close code instead of the normal close after "end".
    """
    start, stop = window(1)
    ws = await api.ws("?dev=2&dpName=nvoSpaceTemp&value=" + value_param(start, stop))
    texts: list[str] = []
    while not texts or texts[-1] != '"end"':
        msg = await ws.receive()
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        texts.append(msg.data)
    assert len(texts) == 5
    after_end = asyncio.create_task(ws.receive())
    await sim.stop()
    msg = await after_end
    assert msg.type == aiohttp.WSMsgType.CLOSE
    assert ws.close_code == close_code
    await ws.close()


@pytest.mark.parametrize("sim_overrides", [{"log_close_after_end": False}])
async def test_client_closes_a_socket_left_open(sim: SmartServerSim, api: Api) -> None:
    for _ in range(2):  # the second query is served like the first
        ws = await api.ws("?dev=nosuch")
        assert (await ws.receive()).data == '"end"'
        await ws.close()
        assert ws.close_code == aiohttp.WSCloseCode.OK
    assert sim.counters.log_queries == 2


@pytest.mark.parametrize(
    "query",
    [
        "foo=1",
        "dev=2&blockIndex=x",
        "value=" + quote("*+utc>yesterday", safe=""),
        "value=" + quote("*+bogus>2020-01-01T00:00:00", safe=""),
        "value=" + quote("*+utc!=2020-01-01T00:00:00", safe=""),
        "value=2020",
        "dev=" + quote("*+name=~(", safe=""),
    ],
)
async def test_bad_queries(sim: SmartServerSim, api: Api, query: str) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as err:
        await api.ws("?" + query)
    assert err.value.status == 400
    assert sim.counters.log_queries == 0


async def test_client_closing_early(sim: SmartServerSim, api: Api) -> None:
    ws = await api.ws(
        "?dev=4&dpName=nvoLuxLevel&value="
        + quote(f"*+utc>{fmt(time.time() - 5 * 86400)}", safe="")
    )
    await ws.receive()
    await ws.close()
    assert (await api.get("/iap/version"))[0] == 200


async def test_rest_log_values(sim: SmartServerSim, api: Api) -> None:
    start, end = window(2)
    path = "/iap/devs/2/if/Thermostat/0/nvoSpaceTemp/logs/value/" + quote(
        f"*+utc>{fmt(start)}&utc<={fmt(end)}", safe=""
    )
    status, entries = await api.get(path)
    assert status == 200 and len(entries) == 8
    _, page = await api.get(path + "?pg=2&sz=3&sortBy=desc")
    assert len(page) == 3 and parse_time(page[0]["utc"]) > parse_time(page[-1]["utc"])
    status, everything = await api.get(
        "/iap/devs/2/if/Thermostat/0/nvoSpaceTemp/logs/value?sz=5"
    )
    assert status == 200 and len(everything) == 5
    assert (await api.get(path + "?pg=x"))[0] == 400
    assert (await api.get("/iap/devs/2/if/Thermostat/0/nvoSpaceTemp/logs/count"))[
        0
    ] == 404


def test_expected_entries_are_deterministic() -> None:
    from smartserver_sim import default_scenario

    start, end = window(24)
    a = expected_log_entries(default_scenario(), TEMP, start, end)
    b = expected_log_entries(default_scenario(), TEMP, start, end)
    assert a == b and len(a) == 96
    c = expected_log_entries(
        default_scenario(),
        LUX,
        start,
        end,
        options=replace(quiet_options(), log_order="asc"),
    )
    assert len(c) == 1440
    assert [e["id"] for e in c] == sorted(e["id"] for e in c)


def test_year_of_minutes_streams_lazily() -> None:
    from zoneinfo import ZoneInfo

    from smartserver_sim import default_scenario
    from smartserver_sim.history import TimeRange, iter_entries

    scenario = default_scenario()
    dp = scenario.datapoints[LUX]
    end = time.time()
    gen = iter_entries(
        dp,
        TimeRange(end - 366 * 86400, False, end, True),
        quiet_options(),
        ZoneInfo("UTC"),
    )
    first = next(gen)
    assert first["value"] is not None
    from smartserver_sim.history import log_steps

    assert len(log_steps(60, TimeRange(end - 366 * 86400, False, end, True))) in (
        527039,
        527040,
    )


@pytest.mark.parametrize(
    "sim_overrides", [{"device_ids": "list", "literal_names": "instance"}]
)
async def test_strict_log_parameters(sim: SmartServerSim, api: Api) -> None:
    # dev: the device-list id alone (a name filter "does not work", the Browser says);
    # dpName: the instance name, or *+xifName== for the XIF name.
    start, end = window(1)
    value = "&value=" + value_param(start, end)
    xif = quote("*+xifName==nvoSpaceTemp", safe="")
    entries, _ = await collect(api, f"dev=2&dpName={xif}{value}")
    assert {e["dpQualifier"] for e in entries} == {TEMP}
    for dev in ("17q4bn7.2", quote("*+name==Thermostat Büro 1", safe="")):
        assert (await collect(api, f"dev={dev}&dpName={xif}{value}"))[0] == []
