"""Pure pieces: types, generators, scenarios, path filters, time strings, auth."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from smartserver_sim import build_scenario, large_scenario, load_scenario
from smartserver_sim.auth import Auth, BadCredentialsError
from smartserver_sim.generators import generator_from_spec
from smartserver_sim.lontypes import lookup_type
from smartserver_sim.options import SimOptions
from smartserver_sim.paths import PathError, parse_element, parse_filter
from smartserver_sim.timefmt import parse_time, space_utc

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Api


async def test_types_endpoint(api: Api) -> None:
    status, one = await api.get("/iap/dp/types?dpTypeName=SNVT_hvac_mode")
    assert status == 200 and "HVAC_HEAT" in one[0]["enum"]
    _, switch = await api.get("/iap/dp/types?dpTypeName=SNVT_switch")
    assert switch[0]["fields"][0]["name"] == "value"
    _, temp = await api.get("/iap/dp/types?dpTypeName=SNVT_temp_p")
    assert temp[0]["unit"] == "°C" and "min" in temp[0] and "max" in temp[0]
    _, everything = await api.get("/iap/dp/types")
    assert len(everything) >= 16
    assert (await api.get("/iap/dp/types?dpTypeName=SNVT_nope"))[0] == 404
    assert (await api.put("/iap/storage/publishes/true"))[0] == 204
    assert (await api.get("/nowhere"))[0] == 404


def test_type_validation() -> None:
    count = lookup_type("SNVT_count")
    assert count.validate(3.0) == 3
    with pytest.raises(ValueError, match="integer"):
        count.validate(2.5)
    with pytest.raises(ValueError, match="finite"):
        lookup_type("SNVT_temp_p").validate(float("nan"))
    assert lookup_type("UCPTunknown").kind == "number"
    with pytest.raises(ValueError, match="state"):
        lookup_type("SNVT_switch").validate({"value": 1, "state": True})


def test_generators() -> None:
    assert generator_from_spec(None) is None
    with pytest.raises(ValueError, match="kind"):
        generator_from_spec({"kind": "chaos"})
    with pytest.raises(ValueError, match="values"):
        generator_from_spec({"kind": "cycle"})
    with pytest.raises(ValueError, match="positive"):
        generator_from_spec({"kind": "sine", "period": 0})
    const = generator_from_spec({"kind": "constant", "value": "HVAC_AUTO"})
    assert const is not None and const.value_at(123.0, 1) == "HVAC_AUTO"
    rnd = generator_from_spec(
        {"kind": "random", "base": 10, "amplitude": 1, "epoch": 0}
    )
    assert rnd is not None and 9 <= rnd.value_at(5.0, 7) <= 11
    assert rnd.value_at(5.0, 7) == rnd.value_at(5.0, 7)
    counter = generator_from_spec(
        {"kind": "counter", "start": 5, "rate": 3600, "epoch": 0}
    )
    assert counter is not None and counter.value_at(10.0, 1) == 15.0


def test_scenario_files(tmp_path: Path) -> None:
    spec = {
        "scId": "abc1234",
        "timezone": "UTC",
        "users": {"u": "p"},
        "devices": [
            {"name": "D", "id": "77", "blocks": [{"name": "B", "datapoints": [
                {"name": "nviE", "type": "SNVT_hvac_mode", "direction": "in"},
                {"name": "nviS", "type": "SNVT_switch", "direction": "in"},
                {"name": "nvoN", "type": "SNVT_temp_p", "initial": 3.5, "tags": {"floor": 1}},
            ]}]},
        ],
        "alarms": [{"type": "X", "state": "Cleared"}],
    }  # fmt: skip
    (tmp_path / "s.json").write_text(json.dumps(spec))
    scenario = load_scenario(tmp_path / "s.json")
    assert scenario.devices["77"].datapoints[0].default == "HVAC_AUTO"
    assert scenario.devices["77"].datapoints[1].default == {"value": 0.0, "state": 0}
    assert scenario.datapoints["abc1234/lon/2.1/B/0/nvoN"].tags == {"floor": "1"}
    assert len(large_scenario(3, 4).datapoints) == 12
    bad: object
    for bad in (
        [],
        {"devices": [{"blocks": []}]},
        {"devices": [{"name": "a", "id": "1"}]},
        {
            "devices": [
                {
                    "name": "a",
                    "blocks": [{"name": "B", "datapoints": [{"name": "x/y"}]}],
                }
            ]
        },
        {
            "devices": [
                {
                    "name": "a",
                    "blocks": [
                        {"name": "B", "datapoints": [{"name": "x", "direction": "up"}]}
                    ],
                }
            ]
        },
        {
            "devices": [
                {
                    "name": "a",
                    "blocks": [
                        {"name": "B", "datapoints": [{"name": "x"}, {"name": "x"}]}
                    ],
                }
            ]
        },
    ):
        with pytest.raises(ValueError):
            build_scenario(bad)


def test_path_elements() -> None:
    sel = parse_element("%2A%2Bname%3D%3DA%26health%3D%3Ddown")
    assert [c.key for c in sel.conditions] == ["name", "health"]
    assert sel.is_wildcard
    assert not parse_element("abc").is_wildcard
    with pytest.raises(PathError):
        parse_element("%20"[:0] or "")
    assert parse_filter("*").literal is None
    assert parse_filter("Sensor 1").literal == "Sensor 1"
    with pytest.raises(PathError):
        parse_filter("")
    with pytest.raises(PathError):
        parse_filter("*+name")


async def test_datapoint_filters(api: Api) -> None:
    _, upper = await api.get("/iap/devs/*+name>S/count")
    assert upper["value"] >= 3
    _, rate = await api.get("/iap/devs/*/if/*/*/*+monitor.rate=>30/*")
    assert all(p["monitor"]["rate"] >= 30 for p in rate) and rate
    _, tagged = await api.get("/iap/devs/*/if/*/*/*+tag==none/value")
    assert tagged == []
    _, not_rx = await api.get("/iap/devs/2/if/*/*/*+name!~Temp/value")
    assert all("Temp" not in i["datapointName"] for i in not_rx)


def test_time_strings() -> None:
    assert parse_time("2022-04-11T07:00:00.000+02:00") == parse_time(
        "2022-04-11T05:00:00Z"
    )
    assert parse_time("2022-04-11 07:00:00.000 UTC") == parse_time("2022-04-11T07:00")
    assert parse_time("2022-04-11T07:00:00-0130") == parse_time("2022-04-11T08:30:00")
    assert space_utc(0.5) == "1970-01-01 00:00:00.500 UTC"
    with pytest.raises(ValueError, match="time"):
        parse_time("soon")


def test_auth_window_and_unknown_user_object() -> None:
    clock = [0.0]
    auth = Auth(
        {"a": "b"}, SimOptions(lockout_failures=2, lockout_window=1.0), lambda: clock[0]
    )
    with pytest.raises(BadCredentialsError):
        auth.login("a", "x")
    clock[0] = 5.0  # the first failure has left the window
    with pytest.raises(BadCredentialsError):
        auth.login("a", "x")
    assert auth.lookup(None) is None
    assert auth.lookup("nope") is None
    assert auth.logout(None) is None
    assert auth.user_object("ghost")["id"] == 0
