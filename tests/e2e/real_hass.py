"""A real ``hass`` process beside the simulator, its entry added through the config flow."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from smartserver_sim import SimOptions, SmartServerSim, default_scenario

from .hass_config import write_config
from .hass_process import HassProcess, Owner, free_port

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

PASSWORD = "Pa55-word-never-logged"


@contextlib.asynccontextmanager
async def hass_with_entry(
    config_dir: Path,
) -> AsyncIterator[tuple[SmartServerSim, HassProcess, dict[str, Any]]]:
    """Start the simulator and ``hass``, onboard it and add the entry over its REST API.

    Yields the simulator, the process and the config flow's result. A failure in the
    block prints the tail of Home Assistant's log; Home Assistant stops on the way out.
    """
    async with SmartServerSim(
        default_scenario(),
        users={"homeassistant": PASSWORD},
        options=SimOptions(auto_updates=False, ntf_time_interval=None),
    ) as sim:
        port = free_port()
        write_config(config_dir, port)
        hass = HassProcess(config_dir, port)
        try:
            await hass.start()
            await hass.onboard(Owner("owner", "owner-password-e2e"))
            entry = await hass.add_entry(
                {
                    "host": sim.host,
                    "port": sim.port,
                    "username": "homeassistant",
                    "password": PASSWORD,
                    "certificate": "pin",
                }
            )
            yield sim, hass, entry
        except BaseException:
            print(hass.log_tail())
            raise
        finally:
            await hass.stop()
