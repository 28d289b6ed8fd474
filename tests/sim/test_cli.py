"""``python -m smartserver_sim`` as a subprocess."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

import aiohttp
import pytest
import yaml

from smartserver_sim import SimOptions, build_scenario, default_scenario, default_spec
from smartserver_sim.__main__ import main, parse_args, sim_options


async def test_cli_runs_and_serves(socket_enabled: None, tmp_path: object) -> None:
    from pathlib import Path

    scenario = Path(str(tmp_path)) / "site.yaml"
    scenario.write_text(
        "scId: cli0001\ndevices:\n  - name: Only\n    blocks:\n      - name: B\n        datapoints:\n          - {name: nvoT, type: SNVT_temp_p}\n"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "smartserver_sim",
        "--port",
        "0",
        "--tls",
        "self-signed",
        "--user",
        "ops:secret",
        "--scenario",
        str(scenario),
        "--no-auto-updates",
        "--name",
        "SmartServer Annex",
        "--uid",
        "00:d0:71:11:ea:6c",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while len(lines) < 3:
            line = await asyncio.wait_for(proc.stdout.readline(), 20)
            assert line, "simulator exited early"
            lines.append(line.decode())
        text = "".join(lines)
        url = re.search(r"URL: (\S+)", text)
        fp = re.search(r"fingerprint: ([0-9A-F:]{95})", text)
        assert url and fp
        connector = aiohttp.TCPConnector(ssl=False)
        async with aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)
        ) as session:
            async with session.post(
                url.group(1) + "/iap/auth/login",
                json={"username": "ops", "password": "secret"},
            ) as resp:
                assert resp.status == 200
            async with session.get(url.group(1) + "/iap/devs") as resp:
                devs = await resp.json()
                assert devs[1]["scId"] == "cli0001"
                # A second SmartServer from the command line: its own name and uid.
                assert devs[0]["category"] == "SC"
                assert (devs[0]["name"], devs[0]["uid"]) == (
                    "SmartServer Annex",
                    "00D07111EA6C",
                )
                assert devs[0]["MACaddress"] == "00:d0:71:11:ea:6c"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 10) == 0


def test_parse_args_defaults() -> None:
    args = parse_args([])
    assert args.port == 8443 and args.tls == "self-signed" and args.host == "127.0.0.1"


async def test_bad_user_argument(socket_enabled: None) -> None:
    from smartserver_sim.__main__ import run

    with pytest.raises(SystemExit):
        await run(parse_args(["--user", "nopassword", "--port", "0"]))


def test_options_from_the_command_line() -> None:
    options = sim_options(
        parse_args(
            [
                "--session-timeout",
                "120",
                "--lockout",
                "3",
                "60",
                "30",
                "--option",
                "ws_timestamps=false",
                "--option",
                "ntf_time_interval=none",
                "--option",
                "cpu_interval=5",
                "--option",
                "ws_refuse_status=403",
                "--option",
                "log_utc_format=space",
                "--option",
                "firmware_version=4.1.0",
                "--no-auto-updates",
            ]
        )
    )
    assert options.session_timeout == 120
    assert (options.lockout_failures, options.lockout_window) == (3, 60)
    assert options.lockout_duration == 30
    assert options.ws_timestamps is False
    assert options.ntf_time_interval is None
    assert options.cpu_interval == 5.0
    assert options.ws_refuse_status == 403
    assert options.log_utc_format == "space"
    assert options.firmware_version == "4.1.0"
    assert options.auto_updates is False
    assert sim_options(parse_args([])) == SimOptions()


@pytest.mark.parametrize(
    "option",
    [
        "no_such_switch=1",
        "ws_timestamps",
        "ws_timestamps=maybe",
        "ws_refuse_status=four",
        "log_utc_format=iso",
    ],
)
def test_bad_options(option: str) -> None:
    with pytest.raises(SystemExit):
        sim_options(parse_args(["--option", option]))


def test_strict_takes_the_other_reading_of_every_switch() -> None:
    from dataclasses import fields

    from smartserver_sim import SimOptions
    from smartserver_sim.options import STRICT

    assert parse_args(["--strict"]).strict
    assert not parse_args([]).strict
    default, strict = SimOptions(), SimOptions.strict(auto_updates=False)
    names = {f.name for f in fields(SimOptions)}
    assert set(STRICT) <= names
    for name, value in STRICT.items():
        assert getattr(default, name) != value, name
        assert getattr(strict, name) == value, name
    assert not strict.auto_updates
    # docs/protocol.md lists every switch of the strict profile, and only those.
    from pathlib import Path

    text = Path(__file__).parents[2].joinpath("docs", "protocol.md").read_text()
    table = text.split("## Strict", 1)[1].split("\n## ", 1)[0]
    listed = {
        line.split("`")[1] for line in table.splitlines() if line.startswith("| `")
    }
    assert listed == set(STRICT)


def test_strict_with_an_option_over_it() -> None:
    options = sim_options(
        parse_args(["--strict", "--option", "ws_timestamps=true", "--no-auto-updates"])
    )
    assert options == SimOptions.strict(ws_timestamps=True, auto_updates=False)


def test_name_and_uid_replace_the_smartservers() -> None:
    """Without a scenario file: the default building under another SmartServer."""
    args = parse_args(["--name", "Annex", "--uid", "00-D0-71-00-00-02"])
    assert (args.name, args.uid) == ("Annex", "00D071000002")
    first = default_scenario()
    second = default_scenario(name=args.name, uid=args.uid)
    assert (second.smartserver().name, second.smartserver().uid, second.sc_name) == (
        "Annex",
        "00D071000002",
        "Annex",
    )
    assert first.smartserver().uid == "00D07111EA6B"
    assert len(second.devices) == len(first.devices)


@pytest.mark.parametrize("uid", ["00D0711", "00D07111EA6G", "00D07111EA6B00"])
def test_uid_must_be_a_mac_address(
    uid: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--uid", uid])
    assert "is not a MAC address (12 hex digits)" in capsys.readouterr().err


def test_print_scenario_is_the_default_as_yaml(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A start for one's own scenario: printed, it reads back as the default site."""
    main(["--print-scenario"])
    printed = capsys.readouterr().out
    assert yaml.safe_load(printed) == default_spec()
    assert "Thermostat Büro 1" in printed  # readable, not escaped
    assert len(build_scenario(yaml.safe_load(printed)).datapoints) == len(
        default_scenario().datapoints
    )
