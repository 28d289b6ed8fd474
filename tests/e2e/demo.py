"""What ``scripts/develop`` starts: simulators, Home Assistant, its owner and the entry.

One code path for ``scripts/develop`` and the browser test. State lives in the
configuration directory: Home Assistant's own, plus ``.develop/`` with the simulators'
certificates (their fingerprints, pinned by the entries, stay the same from one run to
the next) and the owner's credentials, made up on the first run. Running it again on the
same directory reuses all of it.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
import json
import secrets
from typing import TYPE_CHECKING, Any

import aiohttp

from smartserver_sim import Scenario, SimOptions, SmartServerSim, default_scenario
from smartserver_sim.tls import generate_certificate

from .hass_config import DEVELOP_CONFIG, write_config
from .hass_process import HassProcess, Owner, free_port

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

DOMAIN = "smartserver_iap"
# The overview dashboard's view of devices without an area: the SmartServer's devices.
DEVICES_VIEW = "/home/other-devices"
SIM_USER = ("apollo", "apollo")  # the simulator's documented default user
SECOND_UID = "00D07111EA6C"
SECOND_NAME = "SmartServer IoT Annex"
OWNER_FILE = "owner.json"
RESTART_EXIT_CODE = 100  # Home Assistant asks its supervisor to start it again


class DemoError(RuntimeError):
    """The demo cannot start; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class DemoSettings:
    """Where and how the demo runs."""

    config_dir: Path
    ha_port: int = 8123
    sim_port: int = 8443
    second_sim_port: int = 8444
    # Start the second SmartServer (also started when an entry for it exists).
    second_smartserver: bool = False
    sim_options: SimOptions | None = None


@dataclass(slots=True)
class Demo:
    """The running demo."""

    settings: DemoSettings
    hass: HassProcess
    owner: Owner
    sim: SmartServerSim
    second: SmartServerSim | None

    async def restart_hass(self) -> None:
        """Start Home Assistant again after it exited, and log in."""
        await self.hass.stop()
        await self.hass.start()
        await self.hass.login(self.owner)
        await self.hass.wait_running()


def quiet_settings(config_dir: Path) -> DemoSettings:
    """Return the demo's settings for a test: free ports, a still simulator.

    The simulator changes values and sends frames only when the test asks it to.
    """
    return DemoSettings(
        config_dir=config_dir,
        ha_port=free_port(),
        sim_port=free_port(),
        sim_options=SimOptions(auto_updates=False, ntf_time_interval=None),
    )


def entry_answers(sim: SmartServerSim) -> dict[str, Any]:
    """Return the config flow's answers for one simulator, trusting its certificate."""
    return {
        "host": sim.host,
        "port": sim.port,
        "username": SIM_USER[0],
        "password": SIM_USER[1],
        "certificate": "pin",
    }


@contextlib.asynccontextmanager
async def run_demo(settings: DemoSettings) -> AsyncIterator[Demo]:
    """Start everything; on exit stop Home Assistant, then the simulators."""
    state = settings.config_dir / ".develop"
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o700)
    async with contextlib.AsyncExitStack() as stack:
        sim = await stack.enter_async_context(
            _simulator(
                default_scenario(), settings.sim_port, state, "simulator", settings
            )
        )
        second = None
        if settings.second_smartserver or _has_entry(settings.config_dir, SECOND_UID):
            second = await stack.enter_async_context(
                _simulator(
                    default_scenario(name=SECOND_NAME, uid=SECOND_UID),
                    settings.second_sim_port,
                    state,
                    "simulator2",
                    settings,
                )
            )
        # Read before Home Assistant starts: its REST API does not show unique ids.
        configured = _has_entry(settings.config_dir, sim.scenario.smartserver().uid)
        write_config(
            settings.config_dir,
            settings.ha_port,
            DEVELOP_CONFIG,
            writer="scripts/develop",
        )
        hass = HassProcess(settings.config_dir, settings.ha_port)
        stack.push_async_callback(hass.stop)
        await hass.start()
        owner, created = await _sign_in(hass, state / OWNER_FILE)
        await hass.wait_running()
        if created:
            await _remove_home_areas(hass)
        if not configured:
            await hass.add_entry(entry_answers(sim))
        await wait_entries_loaded(hass)
        yield Demo(settings, hass, owner, sim, second)


async def sim_control(sim: SmartServerSim, op: str, **args: Any) -> Any:
    """Run an operation of the simulator's control API over HTTP, as a test rig would.

    Return its result; raise with the simulator's answer if it refused.
    """
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{sim.base_url}/sim/control", json={"op": op, **args}, ssl=False
        ) as resp,
    ):
        body = await resp.json(content_type=None)
        if resp.status != 200:
            raise RuntimeError(f"control op {op} -> {resp.status}: {body}")
        return body["result"]


def _simulator(
    scenario: Scenario, port: int, state: Path, name: str, settings: DemoSettings
) -> SmartServerSim:
    cert, key = state / f"{name}-cert.pem", state / f"{name}-key.pem"
    if not cert.exists() or not key.exists():
        bundle = generate_certificate("127.0.0.1")
        cert.write_text(bundle.cert_pem)
        key.write_text(bundle.key_pem)
        key.chmod(0o600)
    return SmartServerSim(
        scenario,
        port=port,
        cert_file=cert,
        key_file=key,
        users=dict([SIM_USER]),
        options=settings.sim_options or SimOptions(),
    )


def _has_entry(config_dir: Path, unique_id: str) -> bool:
    """Return True if Home Assistant stored an entry of ours with ``unique_id``."""
    path = config_dir / ".storage" / "core.config_entries"
    if not path.exists():
        return False
    entries = json.loads(path.read_text())["data"]["entries"]
    return any(
        entry["domain"] == DOMAIN and entry.get("unique_id") == unique_id
        for entry in entries
    )


async def _sign_in(hass: HassProcess, owner_file: Path) -> tuple[Owner, bool]:
    """Create the owner on the first run (a fresh password), log in on later runs.

    Return the owner and whether it was created now.
    """
    if owner_file.exists():
        owner = Owner(**json.loads(owner_file.read_text()))
    else:
        owner = Owner("owner", secrets.token_urlsafe(12))
    if await hass.onboarding_open():
        # Saved first: a run that dies right after creating the owner must not lose it.
        owner_file.write_text(
            json.dumps({"username": owner.username, "password": owner.password})
        )
        owner_file.chmod(0o600)
        await hass.onboard(owner)
        return owner, True
    if not owner_file.exists():
        raise DemoError(
            f"{hass.config_dir} already has an owner, but not the credentials file "
            f"{owner_file} that scripts/develop writes. Delete {hass.config_dir} to "
            "start afresh, or choose another directory with --config."
        )
    try:
        await hass.login(owner)
    except PermissionError as err:
        raise DemoError(
            f"{err}; the password in {owner_file} is no longer the owner's. "
            f"Delete {hass.config_dir} to start afresh."
        ) from None
    return owner, False


async def _remove_home_areas(hass: HassProcess) -> None:
    """Remove the areas onboarding creates (living room, kitchen, bedroom).

    They have nothing to do with the simulated office building and would fill the
    overview with empty rooms.
    """
    (areas,) = await hass.ws({"type": "config/area_registry/list"})
    await hass.ws(
        *(
            {"type": "config/area_registry/delete", "area_id": area["area_id"]}
            for area in areas
        )
    )


async def wait_entries_loaded(hass: HassProcess, timeout: float = 60) -> None:
    """Wait until every entry of the integration is loaded; raise if one is not."""
    entries: list[dict[str, Any]] = []
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            while True:
                entries = await hass.entries()
                if all(entry["state"] == "loaded" for entry in entries):
                    return
                await asyncio.sleep(0.5)
    failed = [f"{e['title']}: {e['state']} {e.get('reason') or ''}" for e in entries]
    raise DemoError(
        f"the SmartServer entries did not load: {'; '.join(failed)}; "
        f"see {hass.log_path}"
    )
