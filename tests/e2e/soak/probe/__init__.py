"""The soak's probe inside Home Assistant: how many asyncio tasks the process runs.

Linked into the soak's configuration directory only. ``GET /api/soak_probe`` (with the
owner's token) answers ``{"tasks": n, "integration_tasks": m}``; ``m`` counts the tasks
named after the integration or running its code.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from homeassistant.helpers.http import HomeAssistantView

if TYPE_CHECKING:
    from aiohttp import web
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.typing import ConfigType

DOMAIN = "soak_probe"
INTEGRATION = "smartserver_iap"


def _ours(task: asyncio.Task[object]) -> bool:
    code = getattr(task.get_coro(), "cr_code", None)
    filename = code.co_filename if code is not None else ""
    return INTEGRATION in task.get_name() or INTEGRATION in filename


class TasksView(HomeAssistantView):
    """Count the running tasks."""

    url = "/api/soak_probe"
    name = "api:soak_probe"

    async def get(self, request: web.Request) -> web.Response:
        """Return the number of tasks, and of the integration's."""
        tasks = asyncio.all_tasks()
        return self.json(
            {"tasks": len(tasks), "integration_tasks": sum(map(_ours, tasks))}
        )


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Serve the view."""
    hass.http.register_view(TasksView())
    return True
