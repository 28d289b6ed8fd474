"""``scripts/develop``: a real Home Assistant with this integration on the simulator.

Home Assistant listens on 127.0.0.1 only. State lives in ``config/`` at the repository
root (ignored by git); a second run reuses it. Runs until Ctrl-C, which stops everything;
if Home Assistant exits on its own, it says so and stops too (a restart asked for in the
UI is carried out).
"""

from __future__ import annotations

import argparse
import asyncio
import errno
from pathlib import Path
import signal
import sys

import aiohttp

from .demo import (
    DEVICES_VIEW,
    RESTART_EXIT_CODE,
    SIM_USER,
    Demo,
    DemoError,
    DemoSettings,
    run_demo,
)
from .hass_config import REPO
from .hass_process import HassExitedError


def _banner(demo: Demo) -> str:
    hass, owner = demo.hass, demo.owner
    lines = [
        f"Home Assistant: {hass.url}  (the SmartServer's devices: {hass.url}{DEVICES_VIEW})",
        (
            f"  log in as {owner.username!r} with password {owner.password!r}"
            f" (kept in {demo.settings.config_dir / '.develop' / 'owner.json'})"
        ),
        f"  log: {hass.log_path}",
        f"SmartServer simulator: {demo.sim.base_url}  (set up in Home Assistant)",
        f"  fingerprint {demo.sim.fingerprint}",
    ]
    if demo.second is not None:
        lines += [
            f"Second SmartServer simulator: {demo.second.base_url}",
            f"  fingerprint {demo.second.fingerprint}",
            (
                "  add it under Settings > Devices & services > Add integration >"
                f" SmartServer IoT: host 127.0.0.1, port {demo.second.port},"
                f" user {SIM_USER[0]!r}, password {SIM_USER[1]!r}"
            ),
        ]
    lines.append("Ctrl-C stops everything.")
    return "\n".join(lines)


async def serve(demo: Demo) -> int:
    """Run until cancelled; return 1 if Home Assistant exits on its own."""
    while True:
        status = await demo.hass.wait_exit()
        if status != RESTART_EXIT_CODE:
            print(
                f"Home Assistant exited with status {status}; stopping the simulator"
                f" too. The end of its log ({demo.hass.log_path}):\n"
                f"{demo.hass.log_tail(30)}",
                file=sys.stderr,
            )
            return 1
        print("Home Assistant asked for a restart: starting it again.", flush=True)
        try:
            await demo.restart_hass()
        except aiohttp.ClientError, HassExitedError:
            if demo.hass.returncode is None:
                raise
            continue  # it exited while starting: the loop reports how
        print(f"Home Assistant is back: {demo.hass.url}", flush=True)


async def run(settings: DemoSettings) -> int:
    """Start the demo and serve it; return the exit status of the command."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()

    def stop() -> None:
        # Once: a second Ctrl-C must not cut short stopping Home Assistant.
        if not task.cancelling():
            task.cancel()

    # Set here, not left to asyncio.run: a shell starts background jobs with SIGINT
    # ignored, and asyncio.run then leaves it so.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop)
    try:
        async with run_demo(settings) as demo:
            print(_banner(demo), flush=True)
            return await serve(demo)
    except (DemoError, HassExitedError) as err:
        print(f"scripts/develop: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        hint = ""
        if err.errno == errno.EADDRINUSE:
            hint = "; is another scripts/develop running? Its ports can be changed"
        print(f"scripts/develop: {err}{hint}", file=sys.stderr)
        return 1


def main() -> None:
    """Parse the command line and run until stopped."""
    parser = argparse.ArgumentParser(prog="scripts/develop", description=__doc__)
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant port")
    parser.add_argument("--sim-port", type=int, default=8443, help="simulator port")
    parser.add_argument(
        "--second-smartserver",
        action="store_true",
        help="also start a second SmartServer simulator, to add through the UI",
    )
    parser.add_argument(
        "--second-sim-port", type=int, default=8444, help="second simulator port"
    )
    parser.add_argument("--config", type=Path, default=REPO / "config")
    args = parser.parse_args()
    settings = DemoSettings(
        config_dir=args.config.resolve(),
        ha_port=args.port,
        sim_port=args.sim_port,
        second_sim_port=args.second_sim_port,
        second_smartserver=args.second_smartserver,
    )
    try:
        status = asyncio.run(run(settings))
    except KeyboardInterrupt, asyncio.CancelledError:
        print("scripts/develop: stopped.")
        status = 0
    sys.exit(status)


if __name__ == "__main__":
    main()
