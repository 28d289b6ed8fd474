"""The takeover probe: does the live WebSocket still deliver the whole subscription?

Another session of the same user replaces the subscribe list silently (one list per
user on the SmartServer), wholly or in part, and a half-dead link delivers nothing
without closing. A check reads every candidate at once from the SmartServer's cache (a
bulk read with a long ``max_age``, which the SmartServer answers without reading the
device network) and compares the answer with what the WebSocket delivered:

- a value that changed but was never sent (nor arrives within ``timeout``) proves the
  datapoint is no longer delivered, whichever datapoints another session kept;
- on a SmartServer that echoes unchanged reads (learned from its echoes), a datapoint
  that stays silent is suspect; it counts once re-subscribing makes it echo.

A missing echo alone proves nothing: the documentation only says that updates *occur*
on on-demand reads. The mechanics (candidates, rounds, the echoes awaited) are the
probe's; the policy that turns evidence into a ``Verdict`` is ``check``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import Enum
import logging
from typing import TYPE_CHECKING

from .errors import IapAuthenticationError, IapError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from .models import DatapointUpdate, JsonValue
    from .site import Site
    from .stats import ClientStats

_LOGGER = logging.getLogger(__name__)

# Reads values by qualifier (``max_age`` None: on the wire) and keeps them in the site.
type ReadValues = Callable[
    [Sequence[str], float | None], Awaitable[list[DatapointUpdate]]
]


class Verdict(Enum):
    """What one ``TakeoverProbe.check`` concluded."""

    # Everything was delivered, nothing could be probed, or a read failed (which
    # proves nothing).
    FINE = "fine"
    # Datapoints were not delivered until the subscription was re-asserted: the
    # values they missed must be read again.
    TAKEN_OVER = "taken_over"
    # Nothing at all arrived since the last check, not even after re-subscribing.
    DEAD = "dead"


@dataclass(slots=True, frozen=True)
class _Round:
    """One probe read: the site's values before, the answer, what the WebSocket sent."""

    before: dict[str, JsonValue]
    answered: dict[str, JsonValue]
    seen: dict[str, JsonValue]


class TakeoverProbe:
    """Cached bulk reads of the subscribed datapoints, checked against the WebSocket.

    Args:
        site: the subscribe list, the latest values and the device health.
        read: reads values by qualifier (the SmartServer may then echo them).
        stats: counts failed probe reads (``probe_errors``); its ``frames`` tell
            whether anything arrived at all.
        timeout: seconds to wait for updates after a read.
        max_age: ``max_age`` of the probe's reads (None: on the wire).
    """

    __slots__ = (
        "_arrived",
        "_echoing",
        "_healed",
        "_mark",
        "_read",
        "_seen",
        "_silent",
        "_site",
        "_stats",
        "awaiting",
        "candidates",
        "max_age",
        "timeout",
    )

    def __init__(
        self,
        site: Site,
        read: ReadValues,
        stats: ClientStats,
        timeout: float,
        max_age: float | None = None,
    ) -> None:
        self._site = site
        self._read = read
        self._stats = stats
        self.timeout = timeout
        self.max_age = max_age
        # Returns the subscribed qualifiers worth probing; None: the site decides.
        self.candidates: Callable[[], Sequence[str]] | None = None
        # The qualifiers a running round waits for (read on the hot path).
        self.awaiting: set[str] | None = None
        self._seen: dict[str, JsonValue] = {}
        self._arrived = asyncio.Event()
        # Datapoints whose unchanged value the SmartServer echoed on a read.
        self._echoing: set[str] = set()
        # Datapoints expected to echo that stayed silent after re-subscribing.
        self._silent: set[str] = set()
        # Suspects the last check's re-subscription brought back.
        self._healed: set[str] = set()
        # ``stats.frames`` when the last check ended (or the link came up).
        self._mark = 0

    def reset(self) -> None:
        """Start on a new link: count frames from now, expect echoes again."""
        self._silent.clear()
        self._healed.clear()
        self._mark = self._stats.frames

    def saw(self, updates: list[DatapointUpdate]) -> None:
        """Note a batch of live updates; the listener calls it while ``awaiting``."""
        awaiting = self.awaiting
        if awaiting is None:
            return
        seen = self._seen
        for update in updates:
            if update.qualifier in awaiting:
                seen[update.qualifier] = update.value
        if len(seen) >= len(awaiting):
            self._arrived.set()

    def batch(self) -> list[str]:
        """Return the qualifiers a check reads: subscribed, readable, worth probing."""
        site = self._site
        subscribed = site.subscribed
        pick = self.candidates
        if pick is not None:
            wanted = set(subscribed)
            candidates = [q for q in dict.fromkeys(pick()) if q in wanted]
        else:
            # Datapoints of devices that are down deliver nothing: not worth probing.
            candidates = [
                q
                for q in subscribed
                if (device := site.device_of(q)) is None or site.is_healthy(device)
            ]
        unreadable = site.unreadable
        return [q for q in candidates if q not in unreadable]

    async def _round(self, qualifiers: list[str]) -> _Round | None:
        """Read ``qualifiers`` and gather the updates that follow within ``timeout``.

        None when the read failed, which says nothing about the WebSocket.
        """
        values = self._site.values
        before = {q: values[q].value for q in qualifiers if q in values}
        self._seen = {}
        self._arrived.clear()
        self.awaiting = set(qualifiers)
        try:
            try:
                read = await self._read(qualifiers, self.max_age)
            except IapAuthenticationError:
                raise
            except IapError as err:
                self._stats.probe_errors += 1
                _LOGGER.debug("Probe read failed: %s", err)
                return None
            try:
                async with asyncio.timeout(self.timeout):
                    await self._arrived.wait()
            except TimeoutError:
                pass
            answered = {update.qualifier: update.value for update in read}
            return _Round(before, answered, dict(self._seen))
        finally:
            self.awaiting = None

    def _evidence(self, found: _Round) -> tuple[list[str], list[str]]:
        """Return the datapoints proven undelivered and those suspect of it.

        Proven: the SmartServer has another value than the WebSocket delivered, and
        did not deliver it within the timeout. Suspect: not echoed on a SmartServer
        that echoes unchanged reads (this datapoint did before, or others just did).
        """
        before, seen = found.before, found.seen
        echoes_now = False
        for qualifier, value in seen.items():
            if qualifier in before and value == before[qualifier]:
                echoes_now = True
                self._echoing.add(qualifier)
                self._silent.discard(qualifier)
        proven: list[str] = []
        suspect: list[str] = []
        healed, self._healed = self._healed, set()
        for qualifier, value in found.answered.items():
            if qualifier in seen or qualifier not in before:
                continue
            if value != before[qualifier]:
                proven.append(qualifier)
            elif qualifier in self._silent or not (
                echoes_now or qualifier in self._echoing
            ):
                continue
            elif qualifier in healed:
                # Silent again right after a re-subscription seemed to bring it
                # back: whatever that update was, this one does not echo reliably.
                self._demote(qualifier)
            else:
                suspect.append(qualifier)
        return proven, suspect

    def _demote(self, qualifier: str) -> None:
        self._echoing.discard(qualifier)
        self._silent.add(qualifier)

    async def check(self, heal: Callable[[], Awaitable[None]]) -> Verdict:
        """Check every candidate once; ``heal`` re-asserts the subscription.

        Evidence of a takeover re-asserts the subscription. Proven: taken over.
        Suspect only: the suspects are read again; those that echo now were taken
        over; those that stay silent are not expected to echo any more, and if not a
        single frame arrived since the last check the link is dead. A suspect that
        echoed after re-subscribing and is silent again at the next check is not
        expected to echo any more either (on a SmartServer that pushes the values
        of a new subscribe list, that update was no echo).
        """
        try:
            return await self._check(heal)
        finally:
            self._mark = self._stats.frames

    async def _check(self, heal: Callable[[], Awaitable[None]]) -> Verdict:
        qualifiers = self.batch()
        if not qualifiers:
            return Verdict.FINE
        found = await self._round(qualifiers)
        if found is None:
            return Verdict.FINE
        proven, suspect = self._evidence(found)
        if not proven and not suspect:
            return Verdict.FINE
        _LOGGER.debug(
            "Not delivered: %d changed, %d silent: re-asserting the subscription",
            len(proven),
            len(suspect),
        )
        await heal()
        if not suspect:
            return Verdict.TAKEN_OVER
        again = await self._round(suspect)
        if again is None:
            return Verdict.TAKEN_OVER if proven else Verdict.FINE
        echoed = [q for q in suspect if q in again.seen]
        if not echoed and self._stats.frames == self._mark:
            return Verdict.DEAD
        for qualifier in suspect:
            if qualifier not in again.seen:
                self._demote(qualifier)
        self._healed.update(echoed)
        return Verdict.TAKEN_OVER if proven or echoed else Verdict.FINE
