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
import logging
from typing import TYPE_CHECKING, NoReturn

import aiohttp

from .backoff import ReconnectDelays
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
from .live_options import LiveOptions
from .outage import LinkLost, lost_link
from .probe import ReadValues, TakeoverProbe, Verdict
from .transport import map_client_error
from .websocket import WebSocket, close_websocket, open_websocket

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from .models import DatapointUpdate
    from .session import IapSession
    from .site import Site

__all__ = ["LinkLost", "LiveListener", "LiveOptions"]

_LOGGER = logging.getLogger(__name__)

_WSMsgType = aiohttp.WSMsgType
_DATA_TYPES = (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY)
_MESSAGE_TOO_BIG = aiohttp.WSCloseCode.MESSAGE_TOO_BIG
# max_age of the read-back after a planned session renewal when resync_max_age is None.
_RENEWAL_MAX_AGE = 60.0
# Causes of an outage that retrying alone does not fix (or not soon): reported as soon
# as they appear, not only when the outage starts.
_NEEDS_ATTENTION = (IapCertificateError, IapLockedOutError, IapPermissionError)
# Seconds to wait for the SmartServer's close frame when the listener closes its
# WebSocket: a SmartServer that answers slowly must not hold up a stop or a reconnect.
CLOSE_GRACE = 0.5


class LiveListener:
    """The state of ``IapClient.run_live``; one per client.

    It gets what it uses, not the client: the session (which opens the WebSocket and
    renews itself), the site it applies every event to and the subscribe list comes
    from, and two calls: ``read_values`` (read by qualifier, values kept in the site)
    and ``resubscribe`` (send the site's subscribe list again).
    """

    def __init__(
        self,
        session: IapSession,
        site: Site,
        options: LiveOptions,
        *,
        read_values: ReadValues,
        resubscribe: Callable[[], Awaitable[None]],
    ) -> None:
        self._session = session
        self._site = site
        self._stats = session.stats
        self._read_values = read_values
        self._resubscribe = resubscribe
        self.options = options
        self.decoder = FrameDecoder(self._stats)
        self.probe = TakeoverProbe(
            site,
            read_values,
            self._stats,
            options.probe_timeout,
            options.probe_max_age,
        )
        self.connected = False
        self._running = False
        self._stop = asyncio.Event()
        self._ws: WebSocket | None = None
        self.backoff = options.backoff()
        self._delays = self._new_delays()
        self._outage = False
        self._ever_connected = False
        self._up_since: float | None = None
        self._renewed = False
        # The kind of cause the last ConnectionLost of this outage reported.
        self._reported: type[IapError] | None = None
        # Connect attempts in a row that ended on refused credentials.
        self._auth_refusals = 0

    async def stop(self) -> None:
        """Make a running ``run`` return, closing its WebSocket."""
        self._stop.set()
        ws = self._ws
        if ws is not None:
            await close_websocket(ws, CLOSE_GRACE)

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
        if self._session.closed:
            return
        if self._running:
            raise IapError("run_live is already running for this client")
        self._running = True
        self._stop.clear()
        self.backoff = self.options.backoff()
        self._delays = self._new_delays()
        self._outage = False
        self._auth_refusals = 0
        self.probe.candidates = probe_candidates
        try:
            while not self._stop.is_set():
                lost: LinkLost | None
                try:
                    await self._connect_and_pump(handler)
                except IapLockedOutError as err:
                    # Locked out (or told to wait): an outage, never a reason to reauth.
                    lost = LinkLost(
                        f"locked out: {err}",
                        err.retry_after or 0.0,
                        answered=True,
                        error=err,
                    )
                except IapAuthenticationError as err:
                    lost = self._refused(err)
                except IapError as err:
                    lost = lost_link(err)
                except (aiohttp.ClientError, OSError, TimeoutError) as err:
                    lost = lost_link(map_client_error(err, "live link"))
                else:
                    # Planned: the session was renewed, reconnect on the new one now.
                    lost = None
                if self._stop.is_set() or self._session.closed:
                    return
                lasted = self._end_link()
                if lost is not None:
                    await self._report_and_wait(handler, lost, lasted)
        finally:
            self._running = False
            self.connected = False
            self.probe.candidates = None

    def _refused(self, err: IapAuthenticationError) -> LinkLost:
        """Count a refusal of the credentials; raise it once they were refused enough.

        A 401 can be a passing state of the SmartServer (a restart, a session store
        being rebuilt): only refusals in ``auth_attempts`` attempts in a row, without a
        link in between, are bad credentials.
        """
        self._auth_refusals += 1
        attempts = self.options.auth_attempts
        if self._auth_refusals >= attempts:
            raise err
        return LinkLost(
            f"refused ({self._auth_refusals} of {attempts}): {err}", answered=True
        )

    def _new_delays(self) -> ReconnectDelays:
        options = self.options
        return ReconnectDelays(self.backoff, options.retry_interval, options.flap_after)

    def _end_link(self) -> float | None:
        """Close the books on one link; return how long it was up (None: never)."""
        up_since, self._up_since = self._up_since, None
        if up_since is None:
            return None
        lasted = asyncio.get_running_loop().time() - up_since
        if lasted >= self.options.stable_after:
            # The link was stable: a later loss is a new outage.
            self._outage = False
            self._reported = None
        return lasted

    async def _report_and_wait(
        self,
        handler: Callable[[LiveEvent], None],
        lost: LinkLost,
        lasted: float | None,
    ) -> None:
        was_up = lasted is not None
        reason = str(lost)
        _LOGGER.debug("Live link lost: %s", reason)
        new_outage = not self._outage
        error = lost.error
        new_cause = isinstance(error, _NEEDS_ATTENTION) and (
            type(error) is not self._reported
        )
        if new_outage or was_up or new_cause:
            # Every drop of a resynced link is reported (its consumers showed it as
            # up); only the first drop of an outage starts a new one.
            self._outage = True
            self._reported = None if error is None else type(error)
            self._stats.connection_losses += new_outage
            self._emit(
                handler, ConnectionLost(reason, new_outage=new_outage, error=error)
            )
        if lasted is not None:
            delay = self._delays.after_link(lasted)
        else:
            delay = self._delays.after_attempt(answered=lost.answered)
        delay = max(delay, lost.wait)
        try:
            async with asyncio.timeout(delay):
                await self._stop.wait()
        except TimeoutError:
            pass

    async def _resync(self) -> list[DatapointUpdate]:
        """Re-assert the subscribe list and read it back."""
        subscribed = self._site.subscribed
        max_age = self.options.resync_max_age
        if self._renewed and max_age is None:
            # Nothing was lost in a planned renewal: the cache is good enough.
            max_age = _RENEWAL_MAX_AGE
        self._renewed = False
        if not subscribed:
            return []
        try:
            await self._resubscribe()
            return await self._read_values(subscribed, max_age)
        except IapAuthenticationError:
            raise
        except IapError as err:
            raise lost_link(err, "resync failed: ") from err

    async def _connect_and_pump(self, handler: Callable[[LiveEvent], None]) -> None:
        """Run one link; return on a planned reconnect, raise when it is lost."""
        session = self._session
        options = self.options
        ws = await open_websocket(
            session,
            what="WebSocket",
            handshake_timeout=options.connect_timeout,
            heartbeat=options.heartbeat,
            max_msg_size=options.max_msg_size,
        )
        self._ws = ws
        generation = session.generation
        try:
            if self._stop.is_set():
                return
            values = await self._resync()
            if session.generation != generation:
                return
            if ws.closed:
                raise LinkLost("the WebSocket closed during the resync")
            self._up(handler, values)
            try:
                await self._pump(ws, handler, generation)
            except IapAuthenticationError:
                raise
            except IapError:
                if session.generation == generation:
                    raise
            # The session was renewed (and the old one logged out): planned.
            self._renewed = True
        finally:
            self.connected = False
            self._ws = None
            await close_websocket(ws, CLOSE_GRACE)

    def _up(
        self, handler: Callable[[LiveEvent], None], values: list[DatapointUpdate]
    ) -> None:
        stats = self._stats
        stats.connects += 1
        if self._ever_connected:
            stats.reconnects += 1
        self._ever_connected = True
        self._auth_refusals = 0
        stats.resyncs += 1
        self.connected = True
        self._up_since = asyncio.get_running_loop().time()
        self._emit(handler, Resynced(values))

    async def _pump(
        self, ws: WebSocket, handler: Callable[[LiveEvent], None], generation: int
    ) -> None:
        """Dispatch frames until the link breaks (raise) or the session is renewed."""
        reader = asyncio.create_task(self._read(ws, handler))
        watchdog = asyncio.create_task(self._watch(handler, generation))
        tasks = (reader, watchdog)
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        (watchdog if watchdog in done else next(iter(done))).result()

    async def _read(
        self, ws: WebSocket, handler: Callable[[LiveEvent], None]
    ) -> NoReturn:
        decode = self.decoder.decode
        emit = self._emit
        receive = ws.receive
        apply_updates = self._site.apply_updates
        probe = self.probe
        while True:
            message = await receive()
            kind = message.type
            if kind in _DATA_TYPES:
                event = decode(message.data)
                if event is None:
                    continue
                if type(event) is DatapointsUpdated:
                    apply_updates(event.updates)
                    if probe.awaiting is not None:
                        probe.saw(event.updates)
                else:
                    event = self._apply(event)
                    if event is None:
                        continue
                emit(handler, event)
                continue
            if kind is _WSMsgType.ERROR:
                error = message.data
                if getattr(error, "code", None) == _MESSAGE_TOO_BIG:
                    self._stats.oversized_frames += 1
                    raise LinkLost("a frame exceeded max_msg_size")
                raise LinkLost(f"WebSocket error: {error}")
            if kind in (_WSMsgType.CLOSE, _WSMsgType.CLOSING, _WSMsgType.CLOSED):
                raise LinkLost(f"WebSocket closed (code {ws.close_code})")
            # PING and PONG are answered by aiohttp itself.

    def _apply(self, event: LiveEvent) -> LiveEvent | None:
        """Apply an event to the site; return what to hand on (None: nothing)."""
        site = self._site
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

    async def _taken_over(self, handler: Callable[[LiveEvent], None]) -> None:
        """Resync after a takeover as after a reconnect: the values missed meanwhile."""
        self._stats.takeovers += 1
        values = await self._read_values(
            self._site.subscribed, self.options.resync_max_age
        )
        self._emit(handler, SubscriptionTakenOver(healed=True, values=values))

    async def _watch(
        self, handler: Callable[[LiveEvent], None], generation: int
    ) -> None:
        """Renew the session before it expires and probe for takeovers.

        Checks start every ``probe_interval``. Returns once the session was renewed;
        raises when the link is found dead.
        """
        session = self._session
        interval = self.options.probe_interval
        loop = asyncio.get_running_loop()
        next_probe = None if interval is None else loop.time() + interval
        probe = self.probe
        probe.reset()
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
                    return
                if next_probe is None or loop.time() < next_probe:
                    continue
                assert interval is not None
                next_probe += interval
                verdict = await probe.check(self._resubscribe)
                if session.generation != generation:
                    return
                if verdict is Verdict.DEAD:
                    break
                if verdict is Verdict.TAKEN_OVER:
                    await self._taken_over(handler)
                next_probe = max(next_probe, loop.time())
        except IapAuthenticationError:
            raise
        except IapError as err:
            raise lost_link(err, "live check failed: ") from err
        raise LinkLost("no live update after re-subscribing: the link is dead")
