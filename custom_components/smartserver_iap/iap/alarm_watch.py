"""Alarms on the live link: a ``CRT:ALARM`` or ``DEL:ALARM`` means "read them again".

The payloads of those frames are undocumented (the vendor's Browser ignores them and
reads ``/iap/alarms`` again), so their shape is never trusted: a frame only marks the
alarms as changed, and one read after ``debounce`` seconds serves a burst of frames.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, NoReturn

from .errors import IapAuthenticationError, IapError
from .events import AlarmsChanged

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from .events import LiveEvent
    from .models import Alarm

_LOGGER = logging.getLogger(__name__)

# Lists the active alarms (``GET /iap/alarms?activeOnly=true``), kept in the site.
type ListAlarms = Callable[[], Awaitable[list[Alarm]]]


class AlarmWatch:
    """Reads the alarms again, debounced, whenever a frame says they changed.

    Args:
        list_alarms: reads the active alarms (and keeps them in the site).
        debounce: seconds to wait after a change before reading, so that a burst of
            frames costs one read.
    """

    __slots__ = ("_action", "_due", "_list", "debounce")

    def __init__(self, list_alarms: ListAlarms, debounce: float) -> None:
        self._list = list_alarms
        self.debounce = debounce
        self._due = asyncio.Event()
        self._action = ""

    def changed(self, event: AlarmsChanged) -> None:
        """Note an alarm frame; the running ``run`` reads the alarms soon."""
        self._action = event.action
        self._due.set()

    async def run(self, emit: Callable[[LiveEvent], None]) -> NoReturn:
        """Read the alarms after each change and ``emit`` them; runs until cancelled.

        A failed read is logged and dropped (the next change reads again); only bad
        credentials end it.
        """
        while True:
            await self._due.wait()
            await asyncio.sleep(self.debounce)
            self._due.clear()
            try:
                alarms = await self._list()
            except IapAuthenticationError:
                raise
            except IapError as err:
                _LOGGER.debug(
                    "Reading the alarms after %s failed: %s", self._action, err
                )
                continue
            emit(AlarmsChanged(self._action, alarms))
