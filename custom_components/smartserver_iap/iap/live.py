"""The live WebSocket listener: connect, resync, dispatch, detect takeovers, reconnect.

One general WebSocket (``/iap/ws``) carries every datapoint update of the user's
subscribe list and the device/alarm/notification traffic. The SmartServer sends no
keep-alive of its own, so aiohttp's ping/pong heartbeat detects a dead link, and a
periodic probe (an on-demand read of one subscribed datapoint, which must be echoed on
the WebSocket) detects both a half-dead link and another session of the same user
that replaced the subscribe list.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import logging
import random
from typing import TYPE_CHECKING, Literal

import aiohttp

from .backoff import Backoff
from .errors import (
    IapAuthenticationError,
    IapCertificateError,
    IapError,
    IapLockedOutError,
    IapPermissionError,
)
from .events import (
    ConnectionLost,
    DatapointsUpdated,
    DeviceDeleted,
    DeviceStatusChanged,
    LiveEvent,
    Resynced,
    SubscriptionTakenOver,
)
from .frames import FrameDecoder
from .session import map_client_error

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from .client import IapClient

_LOGGER = logging.getLogger(__name__)

_WSMsgType = aiohttp.WSMsgType
_DATA_TYPES = (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY)
_MESSAGE_TOO_BIG = aiohttp.WSCloseCode.MESSAGE_TOO_BIG
# max_age of the read-back after a planned session renewal when resync_max_age is None.
_RENEWAL_MAX_AGE = 60.0
# Causes of an outage that retrying alone does not fix (or not soon): reported as soon
# as they appear, not only when the outage starts.
_NEEDS_ATTENTION = (IapCertificateError, IapLockedOutError, IapPermissionError)


@dataclass(slots=True)
class LiveOptions:
    """Timings of the live listener (seconds)."""

    heartbeat: float | None = 30.0
    max_msg_size: int = 4 * 1024 * 1024
    backoff_initial: float = 1.0
    backoff_cap: float = 60.0
    backoff_factor: float = 2.0
    backoff_jitter: float = 0.5
    probe_interval: float | None = 60.0
    probe_timeout: float = 10.0
    connect_timeout: float = 10.0
    # max_age of the read-back after a reconnect: the SmartServer answers from its
    # cache when the value is that young (None reads every datapoint on the wire).
    resync_max_age: float | None = 30.0
    # The back-off resets (and an outage ends) only once a link stayed up this long.
    stable_after: float = 30.0
    rand: Callable[[], float] = field(default=random.random, repr=False)

    def backoff(self) -> Backoff:
        """Return a fresh back-off with these settings."""
        return Backoff(
            self.backoff_initial,
            self.backoff_cap,
            self.backoff_factor,
            self.backoff_jitter,
            self.rand,
        )


async def close_ws(ws: aiohttp.ClientWebSocketResponse[Literal[False]]) -> None:
    """Close a WebSocket and make sure no heartbeat timer survives it."""
    await ws.close()
    # aiohttp 3.14 re-arms the heartbeat from data that arrived while closing (the
    # re-arm runs one loop tick later); cancel it so no timer outlives the socket.
    await asyncio.sleep(0)
    cancel = getattr(ws, "_cancel_heartbeat", None)
    if cancel is not None:
        cancel()


class LiveListener:
    """The state of ``IapClient.run_live``; one per client."""

    def __init__(self, client: IapClient, options: LiveOptions) -> None:
        self._client = client
        self.options = options
        self.decoder = FrameDecoder(client.stats)
        self.connected = False
        self._running = False
        self._stop = asyncio.Event()
        self._ws: aiohttp.ClientWebSocketResponse[Literal[False]] | None = None
        self._backoff = options.backoff()
        self._outage = False
        self._ever_connected = False
        self._probe_qualifier: str | None = None
        self._probe_seen = asyncio.Event()
        self._probe_index = 0
        self._probe_candidates: Callable[[], Sequence[str]] | None = None
        self._up_since: float | None = None
        self._renewed = False
        # The client error behind the current attempt's failure, and the kind of the
        # last one reported in a ConnectionLost.
        self._error: IapError | None = None
        self._reported: type[IapError] | None = None

    async def stop(self) -> None:
        """Make a running ``run`` return, closing its WebSocket."""
        self._stop.set()
        ws = self._ws
        if ws is not None:
            await ws.close()

    def _emit(self, handler: Callable[[LiveEvent], None], event: LiveEvent) -> None:
        try:
            handler(event)
        except Exception:
            # The handler is the integration's code: its bug must not kill the link.
            _LOGGER.exception(
                "The live event handler raised on %s", type(event).__name__
            )

    async def run(
        self,
        handler: Callable[[LiveEvent], None],
        probe_candidates: Callable[[], Sequence[str]] | None = None,
    ) -> None:
        """Listen until cancelled or stopped; see ``IapClient.run_live``."""
        if self._client.session.closed:
            return
        if self._running:
            raise IapError("run_live is already running for this client")
        self._running = True
        self._stop.clear()
        self._backoff = self.options.backoff()
        self._outage = False
        self._probe_candidates = probe_candidates
        loop = asyncio.get_running_loop()
        try:
            while not self._stop.is_set():
                wait = 0.0
                try:
                    reason = await self._connect_and_pump(handler)
                except IapLockedOutError as err:
                    # Locked out (or told to wait): an outage, never a reason to reauth.
                    reason = self._failed(err, f"locked out: {err}")
                    wait = err.retry_after or 0.0
                except IapAuthenticationError:
                    raise
                except IapError as err:
                    reason = self._failed(err, str(err))
                except (aiohttp.ClientError, OSError, TimeoutError) as err:
                    mapped = map_client_error(err, "live link")
                    reason = self._failed(mapped, str(mapped))
                if self._stop.is_set() or self._client.session.closed:
                    return
                up_since, self._up_since = self._up_since, None
                if (
                    up_since is not None
                    and loop.time() - up_since >= self.options.stable_after
                ):
                    # The link was stable: a later loss is a new outage.
                    self._outage = False
                    self._reported = None
                    self._backoff.reset()
                if reason is None:
                    # Planned: the session was renewed, reconnect on the new one now.
                    continue
                _LOGGER.debug("Live link lost: %s", reason)
                new_outage = not self._outage
                error = self._error
                new_cause = isinstance(error, _NEEDS_ATTENTION) and (
                    type(error) is not self._reported
                )
                if new_outage or up_since is not None or new_cause:
                    # Every drop of a resynced link is reported (its consumers showed
                    # it as up); only the first drop of an outage starts a new one.
                    self._outage = True
                    self._reported = type(error) if error is not None else None
                    self._client.stats.connection_losses += new_outage
                    self._emit(
                        handler,
                        ConnectionLost(reason, new_outage=new_outage, error=error),
                    )
                delay = max(self._backoff.next_delay(), wait)
                try:
                    async with asyncio.timeout(delay):
                        await self._stop.wait()
                except TimeoutError:
                    pass
        finally:
            self._running = False
            self.connected = False
            self._probe_candidates = None

    def _failed(self, error: IapError, reason: str) -> str:
        """Remember the client error behind a failed attempt; return its reason."""
        self._error = error
        return reason

    async def _connect(
        self,
    ) -> aiohttp.ClientWebSocketResponse[Literal[False]] | str | None:
        """Open the WebSocket; return it, a reason for failure, or None to retry now."""
        session = self._client.session
        generation_before = session.generation
        try:
            cookie = await session.ensure()
        except IapAuthenticationError:
            raise
        except IapError as err:
            return self._failed(err, f"login failed: {err}")
        generation = session.generation
        timeout = self.options.connect_timeout
        try:
            async with asyncio.timeout(timeout):
                return await self._client.http.ws_connect(
                    session.ws_url(),
                    headers=session.cookie_headers(cookie),
                    heartbeat=self.options.heartbeat,
                    max_msg_size=self.options.max_msg_size,
                    ssl=session.ssl,
                    timeout=aiohttp.ClientWSTimeout(ws_close=timeout),
                    decode_text=False,
                )
        except aiohttp.WSServerHandshakeError as err:
            if err.status != 401:
                # 403 and the rest (a second WebSocket refused, a proxy): an outage.
                return f"WebSocket refused: HTTP {err.status}"
            if generation == generation_before:
                # The server dropped the session (expiry): log in again and retry now.
                session.invalidate(generation)
                return None
            # Refused right after a fresh login: bad credentials only if REST agrees.
            if not await session.cookie_accepted(cookie):
                raise IapAuthenticationError(
                    "the session was refused right after a fresh login"
                ) from err
            return "WebSocket refused (HTTP 401) although the session is valid"
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            mapped = map_client_error(err, "WebSocket connect")
            return self._failed(mapped, str(mapped))

    async def _connect_and_pump(
        self, handler: Callable[[LiveEvent], None]
    ) -> str | None:
        client = self._client
        self._error = None
        connected = await self._connect()
        if not isinstance(connected, aiohttp.ClientWebSocketResponse):
            return connected
        ws = connected
        self._ws = ws
        generation = client.session.generation
        try:
            if self._stop.is_set():
                return None
            try:
                subscribed = client.subscribed
                if subscribed:
                    await client.resubscribe()
                max_age = self.options.resync_max_age
                if self._renewed and max_age is None:
                    # Nothing was lost in a planned renewal: the cache is good enough.
                    max_age = _RENEWAL_MAX_AGE
                self._renewed = False
                values = (
                    await client.read_values(subscribed, max_age) if subscribed else []
                )
            except IapAuthenticationError:
                raise
            except IapError as err:
                return self._failed(err, f"resync failed: {err}")
            if client.session.generation != generation:
                return None
            if ws.closed:
                return "the WebSocket closed during the resync"
            stats = client.stats
            stats.connects += 1
            if self._ever_connected:
                stats.reconnects += 1
            self._ever_connected = True
            stats.resyncs += 1
            self.connected = True
            self._up_since = asyncio.get_running_loop().time()
            self._emit(handler, Resynced(values))
            reason = await self._pump(ws, handler, generation)
            if client.session.generation != generation:
                # The session was renewed (and the old one logged out): planned.
                self._renewed = True
                return None
            return reason
        finally:
            self.connected = False
            self._ws = None
            await close_ws(ws)

    async def _pump(
        self,
        ws: aiohttp.ClientWebSocketResponse[Literal[False]],
        handler: Callable[[LiveEvent], None],
        generation: int,
    ) -> str | None:
        reader = asyncio.create_task(self._read(ws, handler))
        watchdog = asyncio.create_task(self._watch(handler, generation))
        try:
            done, _ = await asyncio.wait(
                (reader, watchdog), return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            reader.cancel()
            watchdog.cancel()
            await asyncio.gather(reader, watchdog, return_exceptions=True)
        if watchdog in done and not watchdog.cancelled():
            return watchdog.result()
        return reader.result()

    async def _read(
        self,
        ws: aiohttp.ClientWebSocketResponse[Literal[False]],
        handler: Callable[[LiveEvent], None],
    ) -> str:
        decode = self.decoder.decode
        emit = self._emit
        receive = ws.receive
        apply_updates = self._client.site.apply_updates
        while True:
            message = await receive()
            kind = message.type
            if kind in _DATA_TYPES:
                event = decode(message.data)
                if event is None:
                    continue
                if type(event) is DatapointsUpdated:
                    apply_updates(event.updates)
                    probe = self._probe_qualifier
                    if probe is not None:
                        for update in event.updates:
                            if update.qualifier == probe:
                                self._probe_seen.set()
                                break
                else:
                    event = self._apply(event)
                    if event is None:
                        continue
                emit(handler, event)
                continue
            if kind is _WSMsgType.ERROR:
                error = message.data
                if getattr(error, "code", None) == _MESSAGE_TOO_BIG:
                    self._client.stats.oversized_frames += 1
                    return "a frame exceeded max_msg_size"
                return f"WebSocket error: {error}"
            if kind in (_WSMsgType.CLOSE, _WSMsgType.CLOSING, _WSMsgType.CLOSED):
                return f"WebSocket closed (code {ws.close_code})"
            # PING and PONG are answered by aiohttp itself.

    def _apply(self, event: LiveEvent) -> LiveEvent | None:
        """Apply a device event to the site; return what to hand on (None: nothing)."""
        site = self._client.site
        if type(event) is DeviceStatusChanged:
            previous = site.set_status(event.device_id, event.status)
            return DeviceStatusChanged(event.device_id, event.status, previous)
        if type(event) is DeviceDeleted:
            smartserver = site.smartserver
            if smartserver is not None and smartserver.id == event.device_id:
                # The hub cannot be deleted from under its own link.
                return None
            site.remove_device(event.device_id)
        return event

    async def _probe(self, qualifier: str) -> bool | None:
        """Read one subscribed datapoint on demand and wait for its WebSocket echo.

        Return True on an echo, False when the read succeeded but no echo came, and
        None when the read itself failed (which says nothing about the WebSocket).
        """
        self._probe_seen.clear()
        self._probe_qualifier = qualifier
        try:
            try:
                await self._client.read_values([qualifier])
            except IapAuthenticationError:
                raise
            except IapError as err:
                self._client.stats.probe_errors += 1
                _LOGGER.debug("Probe read of %s failed: %s", qualifier, err)
                return None
            try:
                async with asyncio.timeout(self.options.probe_timeout):
                    await self._probe_seen.wait()
            except TimeoutError:
                return False
            return True
        finally:
            self._probe_qualifier = None

    def _next_probe_qualifier(self, avoid: str | None = None) -> str | None:
        """Return the next qualifier worth probing, another than ``avoid`` if any."""
        site = self._client.site
        subscribed = site.subscribed
        pick = self._probe_candidates
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
        self._probe_index = (self._probe_index + 1) % len(candidates)
        return candidates[self._probe_index]

    async def _check_subscription(
        self, handler: Callable[[LiveEvent], None]
    ) -> str | None:
        """Probe for a takeover; heal it; return a reason if the link is dead.

        A missing echo after a successful read is only suspicious (the datapoint's
        device may be down): a takeover needs a second miss on another qualifier.
        After re-subscribing, a third miss (again on another qualifier) means the
        WebSocket no longer delivers anything. A failed read proves nothing.
        """
        first = self._next_probe_qualifier()
        if first is None or (await self._probe(first)) is not False:
            return None
        second = self._next_probe_qualifier(avoid=first)
        if second is None or (await self._probe(second)) is not False:
            return None
        _LOGGER.debug(
            "No live echo for %s nor %s: re-asserting the subscription", first, second
        )
        await self._client.resubscribe()
        self._client.stats.takeovers += 1
        self._emit(handler, SubscriptionTakenOver(healed=True))
        third = self._next_probe_qualifier(avoid=second)
        if third is not None and (await self._probe(third)) is False:
            return "no live update after re-subscribing: the link is dead"
        return None

    async def _watch(
        self, handler: Callable[[LiveEvent], None], generation: int
    ) -> str | None:
        """Renew the session before it expires and probe for takeovers; return why to stop."""
        session = self._client.session
        interval = self.options.probe_interval
        loop = asyncio.get_running_loop()
        next_probe = None if interval is None else loop.time() + interval
        try:
            while True:
                delays = [3600.0]
                if next_probe is not None:
                    delays.append(next_probe - loop.time())
                if session.renew_at is not None:
                    delays.append(session.renew_at - session.clock())
                await asyncio.sleep(max(0.0, min(delays)))
                if session.needs_renewal():
                    await session.ensure()
                if session.generation != generation:
                    return None
                if next_probe is None or loop.time() < next_probe:
                    continue
                assert interval is not None
                reason = await self._check_subscription(handler)
                if session.generation != generation:
                    return None
                if reason is not None:
                    return reason
                next_probe = loop.time() + interval
        except IapAuthenticationError:
            raise
        except IapError as err:
            return self._failed(err, f"live check failed: {err}")
