"""``python -m smartserver_sim`` as a subprocess."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

import aiohttp
import pytest

from smartserver_sim.__main__ import parse_args


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
