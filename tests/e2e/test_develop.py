"""``scripts/develop`` on a fresh configuration, again on the same one, and when HA exits.

A fresh run must come up quiet (no other integration, no repair, no notification, no
ERROR line), bound to loopback with a stable HTTP setting (no trial that reverts and
restarts Home Assistant five minutes later); a second run on the same directory must reuse
the owner and the entry; a restart asked for in the UI is carried out; an exit of Home
Assistant on its own ends the command with a message.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import signal
import sys

import aiohttp

from .demo import DOMAIN
from .hass_config import REPO
from .hass_process import HassProcess, Owner, error_lines, free_port

_LISTEN = "0A"
# Entries Home Assistant makes itself for its default integrations.
DEFAULT_ENTRIES = {"analytics", "backup"}  # TCP state LISTEN in /proc/net/tcp


def listening_addresses(port: int) -> set[str]:
    """Return the local addresses (hex, as the kernel shows them) listening on ``port``."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, _, hex_port = fields[1].rpartition(":")
            if int(hex_port, 16) == port and fields[3] == _LISTEN:
                found.add(address)
    return found


async def _quiet_and_loopback(hass: HassProcess, config_dir: Path) -> None:
    entries = await hass.api("GET", "/api/config/config_entries/entry")
    assert {e["state"] for e in entries} == {"loaded"}
    domains = sorted(e["domain"] for e in entries)
    assert [d for d in domains if d not in DEFAULT_ENTRIES] == [DOMAIN]
    issues, notifications = await hass.ws(
        {"type": "repairs/list_issues"}, {"type": "persistent_notification/get"}
    )
    assert issues["issues"] == []
    assert notifications == []
    http = json.loads((config_dir / ".storage" / "http").read_text())["data"]
    assert http["pending"] is None
    assert http["stable"]["server_host"] == ["127.0.0.1"]
    assert listening_addresses(hass.port) == {"0100007F"}  # 127.0.0.1


async def _wait_restarted(hass: HassProcess, command: Command) -> None:
    """Wait until a new Home Assistant process is up and running."""
    old_pid = command.hass_pid()
    async with asyncio.timeout(120):
        while True:
            await asyncio.sleep(0.5)
            if command.hass_pid() in (None, old_pid):
                continue
            with contextlib.suppress(aiohttp.ClientError):
                await hass.login(owner_of(hass.config_dir))
                await hass.wait_running()
                return


def owner_of(config_dir: Path) -> Owner:
    """Return the owner whose credentials scripts/develop kept."""
    return Owner(**json.loads((config_dir / ".develop" / "owner.json").read_text()))


@dataclass
class Command:
    """``scripts/develop`` (its Python part) running in a subprocess."""

    process: asyncio.subprocess.Process
    output: list[str] = field(default_factory=list)

    @classmethod
    async def start(cls, config_dir: Path, ports: tuple[int, int, int]) -> Command:
        """Start it and wait for its banner."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.e2e.develop",
            *("--config", str(config_dir), "--port", str(ports[0])),
            *("--sim-port", str(ports[1]), "--second-sim-port", str(ports[2])),
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        command = cls(process)
        async with asyncio.timeout(180):
            while (
                not command.output or command.output[-1] != "Ctrl-C stops everything."
            ):
                line = await command.readline()
                assert line is not None, "\n".join(command.output)
        return command

    async def readline(self) -> str | None:
        """Return the next line of output, None at its end."""
        assert self.process.stdout is not None
        raw = await self.process.stdout.readline()
        if not raw:
            return None
        self.output.append(raw.decode().rstrip("\n"))
        return self.output[-1]

    async def finish(self, timeout: float = 60) -> int:
        """Read the rest of the output; return the exit status."""
        async with asyncio.timeout(timeout):
            while await self.readline() is not None:
                pass
            return await self.process.wait()

    def hass_pid(self) -> int | None:
        """Return the pid of the Home Assistant process it runs, if any."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return int(children[0]) if children else None


async def test_develop_twice_on_one_config(
    tmp_path: Path, socket_enabled: None
) -> None:
    """First run on nothing, Ctrl-C; second run on what the first left; restart; exit."""
    config_dir = tmp_path / "config"
    ports = (free_port(), free_port(), free_port())
    hass = HassProcess(config_dir, ports[0])
    hass.session = aiohttp.ClientSession()
    commands: list[Command] = []
    try:
        command = await Command.start(config_dir, ports)
        commands.append(command)
        owner = owner_of(config_dir)
        assert owner.password != "owner-password"
        assert f"password {owner.password!r}" in "\n".join(command.output)
        await hass.login(owner)
        await _quiet_and_loopback(hass, config_dir)
        ha_pid = command.hass_pid()
        command.process.send_signal(signal.SIGINT)
        assert await command.finish() == 0
        assert command.output[-1] == "scripts/develop: stopped."
        assert not Path(f"/proc/{ha_pid}").exists()
        assert "Using stable HTTP config" in hass.log_path.read_text()
        assert error_lines(hass.log_path) == []

        command = await Command.start(config_dir, ports)
        commands.append(command)
        assert owner_of(config_dir) == owner
        await hass.login(owner)
        await _quiet_and_loopback(hass, config_dir)
        await hass.api("POST", "/api/services/homeassistant/restart")
        await _wait_restarted(hass, command)
        async with asyncio.timeout(60):
            while not (await command.readline() or "").startswith(
                "Home Assistant is back"
            ):
                pass
        await _quiet_and_loopback(hass, config_dir)
        assert command.process.returncode is None
        os.kill(command.hass_pid() or 0, signal.SIGKILL)
        assert await command.finish() == 1
        assert "Home Assistant exited with status -9" in "\n".join(command.output)
        assert error_lines(hass.log_path) == []
    finally:
        await hass.stop()
        for running in commands:
            if running.process.returncode is None:
                running.process.terminate()
                await running.process.wait()
