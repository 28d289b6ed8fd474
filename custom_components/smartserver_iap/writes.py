"""The write path: values written to input datapoints, coalesced and confirmed.

Every write of an entry goes through its ``DatapointWriter``. Per datapoint at most one
request is on its way to the SmartServer; a write that arrives meanwhile replaces the
one still waiting at the same priority (the last value wins, and the callers of both
get its outcome), and requests to one datapoint start at least ``MIN_WRITE_INTERVAL``
apart: a slider dragged across its range sends a handful of writes, not one per step.

A write is done when the SmartServer reports the value: its echo on the WebSocket, or,
when none comes within ``ECHO_TIMEOUT`` (a SmartServer need not push an input written to
it), a read-back. Entities show only what the SmartServer reports: an echo reaches them
through the usual update path, a read-back is handed to them here. A value that does not
arrive within ``CONFIRM_TIMEOUT`` fails the write with a translated error.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, field
import logging
import math
from typing import TYPE_CHECKING

from homeassistant.exceptions import HomeAssistantError

from .const import CONF_WRITE_PRIORITY, DEFAULT_WRITE_PRIORITY, DOMAIN
from .iap.errors import IapError, IapPriorityConflictError

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .iap.client import IapClient
    from .iap.models import JsonValue
    from .listeners import CallbackRegistry

_LOGGER = logging.getLogger(__name__)

# Seconds between the starts of two requests to one datapoint: at most five a second
# reach the device network, whatever an automation or a slider asks for.
MIN_WRITE_INTERVAL = 0.2
# Seconds to wait for the echo of a write before reading the value back.
ECHO_TIMEOUT = 2.0
# Seconds within which a write must be confirmed (request, echo or read-back).
CONFIRM_TIMEOUT = 5.0


@dataclass(slots=True)
class WriteStats:
    """Counters for diagnostics: requests sent, confirmed, failed, merged."""

    attempted: int = 0
    confirmed: int = 0
    failed: int = 0
    coalesced: int = 0
    relinquished: int = 0

    def as_dict(self) -> dict[str, int]:
        """Return the counters by name."""
        return asdict(self)


@dataclass(slots=True)
class _Request:
    """A write (or, with ``relinquish``, a release) waiting to be sent."""

    value: JsonValue
    relinquish: bool
    tolerance: float
    label: str
    waiters: list[asyncio.Future[None]]


@dataclass(slots=True)
class _Queue:
    """The requests of one datapoint: waiting ones by priority, oldest first."""

    requests: dict[int, _Request] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None
    last_start: float = -math.inf


def values_match(expected: JsonValue, actual: JsonValue, tolerance: float) -> bool:
    """Return True when ``actual`` is the value written as ``expected``.

    Numbers match within ``tolerance`` (a SmartServer stores a type's resolution);
    a structure matches when every field written matches.
    """
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            name in actual and values_match(value, actual[name], tolerance)
            for name, value in expected.items()
        )
    if (
        isinstance(expected, (int, float))
        and isinstance(actual, (int, float))
        and not isinstance(expected, bool)
        and not isinstance(actual, bool)
    ):
        return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=tolerance)
    return expected == actual


def _error(key: str, **placeholders: object) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={k: str(v) for k, v in placeholders.items()},
    )


class DatapointWriter:
    """Writes and releases input datapoints of one entry, one request at a time each."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: IapClient,
        listeners: CallbackRegistry[str],
    ) -> None:
        """Write through ``client``; ``listeners`` are the entities by qualifier."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._site = client.site
        self._listeners = listeners
        self.priority = int(
            entry.options.get(CONF_WRITE_PRIORITY, DEFAULT_WRITE_PRIORITY)
        )
        self.stats = WriteStats()
        self._queues: dict[str, _Queue] = {}
        # Datapoints whose last write was not echoed: read back at once next time.
        self._silent: set[str] = set()

    @property
    def tasks(self) -> list[asyncio.Task[None]]:
        """Return the running write tasks (stopped before the client logs out)."""
        return [q.task for q in self._queues.values() if q.task is not None]

    async def write(
        self,
        qualifier: str,
        value: JsonValue,
        *,
        label: str,
        priority: int | None = None,
        tolerance: float = 0.0,
    ) -> None:
        """Write ``value`` at ``priority`` (default: the entry's); wait until reported.

        Raises:
            HomeAssistantError: refused (a higher priority holds the datapoint), failed,
                or the value did not arrive within CONFIRM_TIMEOUT.
        """
        await self._enqueue(
            qualifier,
            self.priority if priority is None else priority,
            _Request(value, False, tolerance, label, []),
        )

    async def relinquish(
        self, qualifier: str, *, label: str, priority: int | None = None
    ) -> None:
        """Release ``priority`` (default: the entry's); the next level takes control."""
        await self._enqueue(
            qualifier,
            self.priority if priority is None else priority,
            _Request(None, True, 0.0, label, []),
        )

    async def _enqueue(self, qualifier: str, priority: int, request: _Request) -> None:
        queue = self._queues.setdefault(qualifier, _Queue())
        future: asyncio.Future[None] = self._hass.loop.create_future()
        replaced = queue.requests.pop(priority, None)
        if replaced is not None:
            self.stats.coalesced += 1
            request.waiters.extend(replaced.waiters)
        request.waiters.append(future)
        queue.requests[priority] = request
        if queue.task is None:
            queue.task = self._entry.async_create_background_task(
                self._hass, self._drain(qualifier, queue), f"{DOMAIN} write {qualifier}"
            )
        await future

    async def _drain(self, qualifier: str, queue: _Queue) -> None:
        """Send the datapoint's requests one after another until none waits."""
        loop = self._hass.loop
        request: _Request | None = None
        try:
            while queue.requests:
                wait = queue.last_start + MIN_WRITE_INTERVAL - loop.time()
                if wait > 0:
                    # Requests arriving meanwhile replace the waiting one.
                    await asyncio.sleep(wait)
                priority = next(iter(queue.requests))
                request = queue.requests.pop(priority)
                queue.last_start = loop.time()
                try:
                    await self._send(qualifier, priority, request)
                except HomeAssistantError as err:
                    _settle(request.waiters, err)
                else:
                    _settle(request.waiters, None)
                request = None
        finally:
            queue.task = None
            if request is not None or queue.requests:
                for left in (request, *queue.requests.values()):
                    if left is not None:
                        _settle(
                            left.waiters, _error("write_stopped", entity=left.label)
                        )
                queue.requests.clear()

    async def _send(self, qualifier: str, priority: int, request: _Request) -> None:
        if request.relinquish:
            await self._send_relinquish(qualifier, priority, request)
            return
        self.stats.attempted += 1
        try:
            await self._write_confirmed(qualifier, priority, request)
        except HomeAssistantError:
            self.stats.failed += 1
            raise
        self.stats.confirmed += 1

    async def _write_confirmed(
        self, qualifier: str, priority: int, request: _Request
    ) -> None:
        expected, tolerance = request.value, request.tolerance
        values = self._site.values
        current = values.get(qualifier)
        # Writing the value the SmartServer already reports changes nothing it
        # would push: read it back rather than wait for an echo that never comes.
        read_back = qualifier in self._silent or (
            current is not None and values_match(expected, current.value, tolerance)
        )
        echoed = asyncio.Event()

        def check() -> None:
            update = values.get(qualifier)
            if update is not None and values_match(expected, update.value, tolerance):
                echoed.set()

        # Listening before the request: the echo may overtake the HTTP answer.
        remove = self._listeners.add(qualifier, check)
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT):
                await self._client.write_value(
                    self._site.datapoints.get(qualifier, qualifier), expected, priority
                )
                if not read_back:
                    try:
                        async with asyncio.timeout(ECHO_TIMEOUT):
                            await echoed.wait()
                    except TimeoutError:
                        self._silent.add(qualifier)
                    else:
                        self._silent.discard(qualifier)
                        return
                reported = await self._read_back(qualifier)
        except IapPriorityConflictError as err:
            held = await self._held_priority(qualifier)
            if held is None:
                raise _error(
                    "priority_conflict_unknown",
                    entity=request.label,
                    priority=priority,
                ) from err
            raise _error(
                "priority_conflict", entity=request.label, priority=priority, held=held
            ) from err
        except TimeoutError as err:
            now = values.get(qualifier)
            raise _error(
                "write_not_confirmed",
                value=expected,
                entity=request.label,
                seconds=CONFIRM_TIMEOUT,
                reported=None if now is None else now.value,
            ) from err
        except IapError as err:
            raise _error(
                "write_failed", value=expected, entity=request.label, error=err
            ) from err
        finally:
            remove()
        if not values_match(expected, reported, tolerance):
            raise _error(
                "write_not_confirmed",
                value=expected,
                entity=request.label,
                seconds=CONFIRM_TIMEOUT,
                reported=reported,
            )

    async def _send_relinquish(
        self, qualifier: str, priority: int, request: _Request
    ) -> None:
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT):
                await self._client.relinquish(
                    self._site.datapoints.get(qualifier, qualifier), priority
                )
                # The level below takes over: show what it holds.
                await self._read_back(qualifier)
        except (IapError, TimeoutError) as err:
            raise _error(
                "relinquish_failed",
                entity=request.label,
                priority=priority,
                error=str(err) or "timed out",
            ) from err
        self.stats.relinquished += 1

    async def _read_back(self, qualifier: str) -> JsonValue:
        """Read the value on the wire; the entity shows it (the site keeps it)."""
        updates = await self._client.read_values([qualifier])
        self._listeners.notify(qualifier)
        return next((u.value for u in updates if u.qualifier == qualifier), None)

    async def _held_priority(self, qualifier: str) -> int | None:
        """Return the priority in control of a datapoint (``values.level``), if known."""
        device_id = self._site.device_of(qualifier)
        if device_id is None:
            return None
        try:
            datapoints = await self._client.list_datapoints(device_id)
        except IapError as err:
            _LOGGER.debug("Reading the priority of %s failed: %s", qualifier, err)
            return None
        for dp in datapoints:
            if dp.qualifier == qualifier:
                values = dp.raw.get("values")
                level = values.get("level") if isinstance(values, dict) else None
                if isinstance(level, int) and not isinstance(level, bool):
                    return level
        return None


def _settle(
    waiters: list[asyncio.Future[None]], error: HomeAssistantError | None
) -> None:
    for waiter in waiters:
        if waiter.done():  # its caller gave up
            continue
        if error is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(error)
