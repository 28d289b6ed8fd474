"""The takeover probe: does the live WebSocket still deliver our subscription?

Another session of the same user replaces the subscribe list silently (one list per
user on the SmartServer), and a half-dead link delivers nothing without closing. The
probe reads one subscribed datapoint on demand and waits for its ``UPD:DATAPOINT``
echo on the WebSocket. The mechanics (candidates, round robin, the echo awaited) are
``probe``; the policy that turns misses into a verdict is ``check``.
"""

from __future__ import annotations

import asyncio
from enum import Enum
import logging
from typing import TYPE_CHECKING

from .errors import IapAuthenticationError, IapError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from .models import DatapointUpdate
    from .site import Site
    from .stats import ClientStats

_LOGGER = logging.getLogger(__name__)

# Reads values by qualifier (``max_age`` None: on the wire) and keeps them in the site.
type ReadValues = Callable[
    [Sequence[str], float | None], Awaitable[list[DatapointUpdate]]
]


class Verdict(Enum):
    """What one ``TakeoverProbe.check`` concluded."""

    # An echo came, nothing could be probed, or a read failed (which proves nothing).
    FINE = "fine"
    # Two candidates stayed silent: the subscription was re-asserted and works again.
    HEALED = "healed"
    # Still silent after re-asserting the subscription: the link delivers nothing.
    DEAD = "dead"


class TakeoverProbe:
    """On-demand reads of subscribed datapoints that must echo on the WebSocket.

    Args:
        site: the subscribe list and the device health the default candidates use.
        read: reads values by qualifier on demand (the SmartServer then echoes them).
        stats: counts failed probe reads (``probe_errors``).
        timeout: seconds to wait for an echo.
    """

    __slots__ = (
        "_index",
        "_read",
        "_seen",
        "_site",
        "_stats",
        "awaiting",
        "candidates",
        "timeout",
    )

    def __init__(
        self,
        site: Site,
        read: ReadValues,
        stats: ClientStats,
        timeout: float,
    ) -> None:
        self._site = site
        self._read = read
        self._stats = stats
        self.timeout = timeout
        # Returns the subscribed qualifiers worth probing; None: the site decides.
        self.candidates: Callable[[], Sequence[str]] | None = None
        # The qualifier whose echo a running probe waits for (read on the hot path).
        self.awaiting: str | None = None
        self._seen = asyncio.Event()
        self._index = 0

    def saw(self, updates: list[DatapointUpdate]) -> None:
        """Note a batch of live updates; the listener calls it while ``awaiting``."""
        awaiting = self.awaiting
        for update in updates:
            if update.qualifier == awaiting:
                self._seen.set()
                return

    def next_qualifier(self, avoid: str | None = None) -> str | None:
        """Return the next qualifier worth probing, another than ``avoid`` if any."""
        site = self._site
        subscribed = site.subscribed
        pick = self.candidates
        if pick is not None:
            wanted = set(subscribed)
            candidates = list(dict.fromkeys(q for q in pick() if q in wanted))
        else:
            # Datapoints of devices that are down would not echo: not worth probing.
            candidates = [
                q
                for q in subscribed
                if (device := site.device_of(q)) is None or site.is_healthy(device)
            ]
        if avoid is not None and len(candidates) > 1:
            candidates = [q for q in candidates if q != avoid]
        if not candidates:
            return None
        self._index = (self._index + 1) % len(candidates)
        return candidates[self._index]

    async def probe(self, qualifier: str) -> bool | None:
        """Read one subscribed datapoint on demand and wait for its WebSocket echo.

        Return True on an echo, False when the read succeeded but no echo came, and
        None when the read itself failed (which says nothing about the WebSocket).
        """
        self._seen.clear()
        self.awaiting = qualifier
        try:
            try:
                await self._read([qualifier], None)
            except IapAuthenticationError:
                raise
            except IapError as err:
                self._stats.probe_errors += 1
                _LOGGER.debug("Probe read of %s failed: %s", qualifier, err)
                return None
            try:
                async with asyncio.timeout(self.timeout):
                    await self._seen.wait()
            except TimeoutError:
                return False
            return True
        finally:
            self.awaiting = None

    async def check(self, heal: Callable[[], Awaitable[None]]) -> Verdict:
        """Probe for a takeover; ``heal`` re-asserts the subscription when one is seen.

        A missing echo after a successful read is only suspicious (the datapoint's
        device may be down): a takeover needs a second miss on another qualifier.
        After healing, a third miss (again on another qualifier) means the WebSocket
        no longer delivers anything. A failed read proves nothing.
        """
        first = self.next_qualifier()
        if first is None or (await self.probe(first)) is not False:
            return Verdict.FINE
        second = self.next_qualifier(avoid=first)
        if second is None or (await self.probe(second)) is not False:
            return Verdict.FINE
        _LOGGER.debug(
            "No live echo for %s nor %s: re-asserting the subscription", first, second
        )
        await heal()
        third = self.next_qualifier(avoid=second)
        if third is not None and (await self.probe(third)) is False:
            return Verdict.DEAD
        return Verdict.HEALED
