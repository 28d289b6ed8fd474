"""``scripts/develop``: a real Home Assistant with this integration on the simulator.

Keeps its state in ``config/`` at the repository root (ignored by git): Home Assistant's
configuration, the simulator's certificate (so its fingerprint stays the same from one run
to the next) and the owner's refresh token. Runs until interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path
import signal

from smartserver_sim import SimOptions, SmartServerSim, default_scenario
from smartserver_sim.tls import generate_certificate

from .hass_process import DEVELOP_CONFIG, OWNER, REPO, HassProcess, write_config

SIM_USER = ("apollo", "apollo")


def _certificate_files(state: Path) -> tuple[Path, Path]:
    cert, key = state / "simulator-cert.pem", state / "simulator-key.pem"
    if not cert.exists() or not key.exists():
        bundle = generate_certificate("127.0.0.1")
        cert.write_text(bundle.cert_pem)
        key.write_text(bundle.key_pem)
        key.chmod(0o600)
    return cert, key


async def _sign_in(hass: HassProcess, token_file: Path) -> None:
    """Onboard on the first run; later runs use the stored refresh token."""
    assert hass.session is not None
    async with hass.session.get(f"{hass.url}/api/onboarding") as resp:
        steps = await resp.json()
    if not any(step["step"] == "user" and step["done"] for step in steps):
        await hass.onboard()
        async with hass.session.post(
            f"{hass.url}/api/onboarding/core_config",
            headers={"Authorization": f"Bearer {hass.token}"},
        ) as resp:
            resp.raise_for_status()
        for step in ("analytics", "integration"):
            payload = {} if step == "analytics" else {"client_id": "http://127.0.0.1/"}
            payload.setdefault("redirect_uri", "http://127.0.0.1/")
            with contextlib.suppress(Exception):
                await hass.api("POST", f"/api/onboarding/{step}", payload)
        token_file.write_text(hass.refresh_token or "")
        token_file.chmod(0o600)
        return
    await hass.refresh(token_file.read_text().strip())


async def run(ha_port: int, sim_port: int, config_dir: Path) -> None:
    """Start the simulator and Home Assistant, add the entry once, wait for Ctrl-C."""
    state = config_dir / ".develop"
    state.mkdir(parents=True, exist_ok=True)
    cert, key = _certificate_files(state)
    write_config(config_dir, ha_port, DEVELOP_CONFIG)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with SmartServerSim(
        default_scenario(),
        port=sim_port,
        cert_file=cert,
        key_file=key,
        users=dict([SIM_USER]),
        options=SimOptions(),
    ) as sim:
        print(f"SmartServer simulator: {sim.base_url}  fingerprint {sim.fingerprint}")
        hass = HassProcess(config_dir, ha_port)
        try:
            await hass.start()
            await _sign_in(hass, state / "refresh-token")
            entries = await hass.api(
                "GET", "/api/config/config_entries/entry?domain=smartserver_iap"
            )
            if not entries:
                await hass.add_entry(
                    {
                        "host": "127.0.0.1",
                        "port": sim.port,
                        "username": SIM_USER[0],
                        "password": SIM_USER[1],
                        "certificate": "pin",
                    }
                )
            print(
                f"Home Assistant: {hass.url}  (user {OWNER['username']!r}, password "
                f"{OWNER['password']!r}); log: {hass.log_path}\nCtrl-C stops both."
            )
            await stop.wait()
        finally:
            await hass.stop()


def main() -> None:
    """Parse the command line and run until interrupted."""
    parser = argparse.ArgumentParser(prog="scripts/develop", description=__doc__)
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant port")
    parser.add_argument("--sim-port", type=int, default=8443, help="simulator port")
    parser.add_argument("--config", type=Path, default=REPO / "config")
    args = parser.parse_args()
    asyncio.run(run(args.port, args.sim_port, args.config))


if __name__ == "__main__":
    main()
