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
from .errors import IapAuthenticationError, IapError
from .events import (
    ConnectionLost,
    DatapointsUpdated,
    LiveEvent,
    Resynced,
    SubscriptionTakenOver,
)
from .frames import FrameDecoder
from .session import map_client_error

if TYPE_CHECKING:
    from collections.abc import Callable

    from .client import IapClient

_LOGGER = logging.getLogger(__name__)

_WSMsgType = aiohttp.WSMsgType
_DATA_TYPES = (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY)
_MESSAGE_TOO_BIG = aiohttp.WSCloseCode.MESSAGE_TOO_BIG


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
    # None reads on the wire after a reconnect; the values may have moved meanwhile.
    resync_max_age: float | None = None
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

    async def run(self, handler: Callable[[LiveEvent], None]) -> None:
        """Listen until cancelled or stopped; see ``IapClient.run_live``."""
        if self._running:
            raise IapError("run_live is already running for this client")
        self._running = True
        self._stop.clear()
        self._backoff = self.options.backoff()
        self._outage = False
        try:
            while not self._stop.is_set():
                reason = await self._connect_and_pump(handler)
                if self._stop.is_set():
                    return
                if reason is None:
                    # Planned: the session was renewed, reconnect on the new one now.
                    continue
                _LOGGER.debug("Live link lost: %s", reason)
                if not self._outage:
                    self._outage = True
                    self._client.stats.connection_losses += 1
                    self._emit(handler, ConnectionLost(reason))
                delay = self._backoff.next_delay()
                try:
                    async with asyncio.timeout(delay):
                        await self._stop.wait()
                except TimeoutError:
                    pass
        finally:
            self._running = False
            self.connected = False

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
            return f"login failed: {err}"
        generation = session.generation
        try:
            return await self._client.http.ws_connect(
                session.ws_url(),
                headers=session.cookie_headers(cookie),
                heartbeat=self.options.heartbeat,
                max_msg_size=self.options.max_msg_size,
                ssl=session.ssl,
                timeout=aiohttp.ClientWSTimeout(ws_close=self.options.connect_timeout),
                decode_text=False,
            )
        except aiohttp.WSServerHandshakeError as err:
            if err.status in (401, 403):
                if generation != generation_before:
                    raise IapAuthenticationError(
                        "the WebSocket was refused right after a fresh login"
                    ) from err
                # The server dropped the session (expiry): log in again and retry now.
                session.invalidate(generation)
                return None
            return f"WebSocket refused: HTTP {err.status}"
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            return str(map_client_error(err, "WebSocket connect"))

    async def _connect_and_pump(
        self, handler: Callable[[LiveEvent], None]
    ) -> str | None:
        client = self._client
        connected = await asyncio.wait_for(
            self._connect(), self.options.connect_timeout * 3
        )
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
                values = (
                    await client.read_values(subscribed, self.options.resync_max_age)
                    if subscribed
                    else []
                )
            except IapAuthenticationError:
                raise
            except IapError as err:
                return f"resync failed: {err}"
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
            self._outage = False
            self._backoff.reset()
            self._emit(handler, Resynced(values))
            return await self._pump(ws, handler, generation)
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
        while True:
            message = await receive()
            kind = message.type
            if kind in _DATA_TYPES:
                event = decode(message.data)
                if event is None:
                    continue
                probe = self._probe_qualifier
                if probe is not None and type(event) is DatapointsUpdated:
                    for update in event.updates:
                        if update.qualifier == probe:
                            self._probe_seen.set()
                            break
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

    async def _probe(self, qualifier: str) -> bool:
        """Read one subscribed datapoint on demand and wait for its WebSocket echo."""
        self._probe_seen.clear()
        self._probe_qualifier = qualifier
        try:
            await self._client.read_values([qualifier])
            try:
                async with asyncio.timeout(self.options.probe_timeout):
                    await self._probe_seen.wait()
            except TimeoutError:
                return False
            return True
        finally:
            self._probe_qualifier = None

    def _next_probe_qualifier(self) -> str | None:
        subscribed = self._client.subscribed
        if not subscribed:
            return None
        self._probe_index = (self._probe_index + 1) % len(subscribed)
        return subscribed[self._probe_index]

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
                next_probe = loop.time() + interval
                qualifier = self._next_probe_qualifier()
                if qualifier is None or await self._probe(qualifier):
                    continue
                if session.generation != generation:
                    return None
                _LOGGER.debug(
                    "No live echo for %s: re-asserting the subscription", qualifier
                )
                await self._client.resubscribe()
                self._client.stats.takeovers += 1
                self._emit(handler, SubscriptionTakenOver(healed=True))
                if not await self._probe(qualifier):
                    return "no live update after re-subscribing: the link is dead"
        except IapAuthenticationError:
            raise
        except IapError as err:
            return f"live check failed: {err}"
