"""Bad scenarios: one line that names the place and the problem, no traceback."""

from __future__ import annotations

import copy
import socket
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from smartserver_sim import ScenarioError, build_scenario, default_spec, load_scenario
from smartserver_sim.__main__ import main
from smartserver_sim.scenario import add_device
from smartserver_sim.spec import KEYS

if TYPE_CHECKING:
    from pathlib import Path


def one_device(**datapoint: Any) -> dict[str, Any]:
    """Return a scenario of one device with one datapoint (``nvoA`` and ``datapoint``)."""
    return {
        "devices": [
            {
                "name": "D",
                "blocks": [
                    {"name": "B", "datapoints": [{"name": "nvoA", **datapoint}]}
                ],
            }
        ]
    }


def without_devices(*names: str) -> dict[str, Any]:
    """Return the default scenario without the devices ``names`` (and nothing else)."""
    spec = default_spec()
    spec["devices"] = [d for d in spec["devices"] if d["name"] not in names]
    return spec


D0 = "devices[0]"
DP = "devices[0].blocks[0].datapoints[0]"

BAD: list[tuple[Any, str]] = [
    # A site cut down from the default: its alarm still names the dropped device.
    (without_devices("Roof Weather Station"), "alarms[0].device: no device 'Roof Weather Station' in the scenario"),
    # Missing keys.
    ({"devices": [{"blocks": []}]}, f"{D0}.name: missing"),
    ({"devices": [{"name": "D", "blocks": [{"datapoints": []}]}]}, f"{D0}.blocks[0].name: missing"),
    ({"devices": [{"name": "D", "blocks": [{"name": "B", "datapoints": [{}]}]}]}, f"{DP}.name: missing"),
    # Ill-typed keys.
    ([], "the scenario: a scenario is a mapping, not a list"),
    (None, "the scenario: a scenario is a mapping, not nothing"),
    ({"devices": 5}, "devices: needs a list, not 5"),
    ({"devices": [7]}, f"{D0}: a device is a mapping, not 7"),
    ({"seed": "abc"}, "seed: needs a whole number, not 'abc'"),
    ({"users": ["apollo"]}, "users: needs a mapping, not a list"),
    ({"users": {"ops": ["x"]}}, "users.ops: needs a text, not a list"),
    ({"devices": [{"name": "D", "blocks": [{"name": "B", "index": "x"}]}]}, f"{D0}.blocks[0].index: needs a whole number"),
    (one_device(monitor="often"), f"{DP}.monitor: needs a number, not 'often'"),
    (one_device(log=-5), f"{DP}.log: cannot be negative"),
    (one_device(name=True), f"{DP}.name: needs a text, not true"),
    (one_device(type="SNVT_temp_p", initial="warm"), f"{DP}.initial: SNVT_temp_p needs a number"),
    (one_device(type="SNVT_temp_p", initial=400), f"{DP}.initial: 400 is above the maximum"),
    (one_device(type="SNVT_switch", presets={"ON": 1}), f"{DP}.presets.ON: SNVT_switch needs an object"),
    (one_device(type="SNVT_hvac_mode", generator={"kind": "sine"}), f"{DP}.generator: a sine generator gives numbers, not SNVT_hvac_mode"),
    (one_device(type="SNVT_hvac_mode", generator={"kind": "cycle", "values": ["HVAC_AUTO", "HOT"]}), f"{DP}.generator.values[1]: 'HOT' is not a member of SNVT_hvac_mode"),
    (one_device(generator={"kind": "sine", "period": "day"}), f"{DP}.generator.period: needs a number, not 'day'"),
    (one_device(generator={"kind": "constant"}), f"{DP}.generator.value: a constant generator needs a value"),
    (one_device(direction="up"), f"{DP}.direction: must be in or out, not 'up'"),
    (one_device(follows="nviNone"), f"{DP}.follows: no datapoint 'nviNone' in block B/0"),
    ({"timezone": "Mars/Olympus"}, "timezone: unknown time zone 'Mars/Olympus'"),
    ({"smartserver": {"uid": "not-a-mac"}}, "smartserver.uid: 'not-a-mac' is not a MAC address"),
    ({"alarms": [{"device": "D", "type": "Leak"}]}, "alarms[0].device: no device 'D' in the scenario (devices: SmartServer IoT)"),
    ({"alarms": [{"group": "G", "target_type": "DEVICE"}]}, "alarms[0].target_type: a DEVICE alarm names a device"),
    ({"alarms": [{"group": "G", "raise_after": "soon"}]}, "alarms[0].raise_after: needs a number"),
    # Unknown types, kinds and keys.
    (one_device(type="SNVT_nope"), f"{DP}.type: unknown type 'SNVT_nope' (known: SNVT_amp,"),
    (one_device(generator={"kind": "chaos"}), f"{DP}.generator.kind: unknown generator kind 'chaos'"),
    ({"devices": [{"name": "D", "blocks": [{"name": "B", "datapionts": []}]}]}, f"{D0}.blocks[0].datapionts: unknown key in a block (known: name, index, datapoints)"),
    ({"scID": "x"}, "scID: unknown key in a scenario"),
    # Duplicates.
    ({"devices": [{"name": "A", "id": "5"}, {"name": "B", "id": "5"}]}, "devices[1].id: device id '5' is taken"),
    ({"devices": [{"name": "A", "id": "1"}]}, f"{D0}.id: device id '1' is taken"),
    ({"devices": [{"name": "D", "blocks": [{"name": "B", "datapoints": [{"name": "nvoA"}, {"name": "nvoA"}]}]}]},
     f"{D0}.blocks[0].datapoints[1].name: the datapoint 17q4bn7/lon/2.1/B/0/nvoA exists already"),
    ({"devices": [{"name": "D", "did": "9.1", "blocks": [{"name": "B", "datapoints": [{"name": "nvoA"}]}]},
                  {"name": "E", "did": "9.1", "blocks": [{"name": "B", "datapoints": [{"name": "nvoA"}]}]}]},
     "devices[1].blocks[0].datapoints[0].name: the datapoint 17q4bn7/lon/9.1/B/0/nvoA exists already"),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "message"), BAD)
def test_bad_scenario_names_place_and_problem(spec: Any, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        build_scenario(copy.deepcopy(spec))
    text = str(caught.value)
    assert text.startswith(message)
    assert "\n" not in text


def test_cut_down_default_site_is_served() -> None:
    """Devices dropped with what names them: a valid site."""
    spec = without_devices("Roof Weather Station", "AHU Controller", "Water Meter")
    spec["alarms"] = []
    spec["alarm_definitions"] = []
    scenario = build_scenario(spec)
    names = {d.name for d in scenario.devices.values()}
    assert "Water Meter" not in names and "Energy Meter" in names


def test_every_key_of_the_default_site_is_known() -> None:
    """The key lists are complete for what the simulator's own sites use."""
    used: dict[str, set[str]] = {}

    def collect(what: str, data: dict[str, Any]) -> None:
        used.setdefault(what, set()).update(data)

    spec = default_spec()
    collect("scenario", spec)
    collect("smartserver", spec["smartserver"])
    for device in spec["devices"]:
        collect("device", device)
        for block in device.get("blocks", []):
            collect("block", block)
            for dp in block["datapoints"]:
                collect("datapoint", dp)
                if "generator" in dp:
                    collect("generator", dp["generator"])
    for alarm in spec["alarms"]:
        collect("alarm", alarm)
    for definition in spec["alarm_definitions"]:
        collect("alarm_definition", definition)
    for what, keys in used.items():
        assert keys <= set(KEYS[what]), what


def test_failed_add_changes_nothing() -> None:
    scenario = build_scenario({})
    before = (scenario.next_device, scenario.next_datapoint, set(scenario.devices))
    device = one_device(type="SNVT_nope")["devices"][0]
    with pytest.raises(ScenarioError):
        add_device(scenario, device)
    assert (scenario.next_device, scenario.next_datapoint, set(scenario.devices)) == (
        before
    )


def test_file_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("devices: [\n")
    with pytest.raises(ScenarioError, match=r"broken.yaml: line 2, column 1: "):
        load_scenario(broken)
    with pytest.raises(ScenarioError, match=r"absent.yaml: No such file"):
        load_scenario(tmp_path / "absent.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("scName: Büro".encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"latin.yaml: not UTF-8 text"):
        load_scenario(latin)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(without_devices("Roof Weather Station")))
    with pytest.raises(ScenarioError, match=r"bad.yaml: alarms\[0\].device: no device"):
        load_scenario(bad)


def test_command_line_says_it_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(one_device(type="SNVT_nope")))
    with pytest.raises(SystemExit) as caught:
        main(["--port", "0", "--scenario", str(bad)])
    assert str(caught.value).startswith(
        f"python -m smartserver_sim: bad scenario: {bad}: {DP}.type: unknown type"
    )


def test_process_exits_without_traceback(tmp_path: Path) -> None:
    """What a user sees: one line on stderr, a non-zero exit status."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(without_devices("Roof Weather Station")))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "smartserver_sim",
            "--port",
            "0",
            "--scenario",
            str(bad),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        (
            f"python -m smartserver_sim: bad scenario: {bad}: alarms[0].device: no device"
            " 'Roof Weather Station' in the scenario (devices: SmartServer IoT,"
            " Thermostat Büro 1, Thermostat Meeting Room, Lighting Büro 1/2, Lighting"
            " Meeting Room, Energy Meter, Water Meter, Präsenzmelder Büro 1, Air Quality"
            " Meeting Room, AHU Controller, Spare Lighting Node)"
        )
    ]


def test_port_in_use_is_one_line(socket_enabled: None) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as caught:
            main(["--port", str(port)])
    assert str(caught.value).startswith(
        f"python -m smartserver_sim: cannot listen on 127.0.0.1:{port}: "
    )
