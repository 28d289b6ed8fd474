"""``SmartServerSim``: the simulator in-process, its lifecycle and its control API.

The state the routes work on is ``SimState``; this class adds what only the running server
has (TLS, the listening site, the periodic jobs, restarts) and the control methods tests
call, each the same operation ``POST /sim/control`` runs.
"""

from __future__ import annotations

import asyncio
from functools import partial, update_wrapper
from typing import TYPE_CHECKING, Any, Concatenate, Self

from aiohttp import web

from . import changes, frame_faults, streaming
from .clock import SystemClock
from .errors import NotFoundError, SimError
from .faults import Faults
from .options import SimOptions
from .server import build_app
from .sites import default_scenario
from .state import SimState
from .tls import CertificateBundle, generate_certificate, load_certificate

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    import ssl
    from types import TracebackType

    from .clock import Clock, Timer
    from .model import Scenario

__all__ = ["NotFoundError", "SimError", "SmartServerSim"]


def _on_faults[**P, R](
    method: Callable[Concatenate[Faults, P], R],
) -> Callable[Concatenate[SimState, P], R]:
    """Return a method of ``Faults`` as a control method of the simulator."""

    def control(state: SimState, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return method(state.faults, *args, **kwargs)

    return update_wrapper(control, method)


class SmartServerSim(SimState):
    """A SmartServer IoT on 127.0.0.1: IAP/REST + IAP/WS over HTTPS.

    Use as ``async with SmartServerSim(...) as sim``; every control method is also served
    at ``POST /sim/control``. Pass a ``ManualClock`` as ``clock`` to move time by hand.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = True,
        users: dict[str, str] | None = None,
        options: SimOptions | None = None,
        cert_file: str | Path | None = None,
        key_file: str | Path | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            scenario if scenario is not None else default_scenario(),
            options or SimOptions(),
            users,
            clock or SystemClock(),
            tls=tls,
        )
        self.host = host
        self.port = port
        self._cert: CertificateBundle | None = None
        if tls:
            self._cert = (
                load_certificate(cert_file, key_file)
                if cert_file and key_file
                else generate_certificate(host)
            )
        # The server context outlives restarts; a certificate change reloads it.
        self._ssl_context = self._cert.server_context() if self._cert else None
        self._presented = self._cert
        self._restore_timer: Timer | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.down = False

    # --- lifecycle ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Return ``https://127.0.0.1:<port>`` (http when TLS is off)."""
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def fingerprint(self) -> str | None:
        """Return the SHA-256 fingerprint of the certificate, or None without TLS."""
        return self._cert.fingerprint if self._cert else None

    @property
    def presented_fingerprint(self) -> str | None:
        """Return the fingerprint of the certificate new connections see now."""
        return self._presented.fingerprint if self._presented else None

    @property
    def certificate_pem(self) -> str | None:
        """Return the PEM certificate, or None without TLS."""
        return self._cert.cert_pem if self._cert else None

    def client_ssl_context(self) -> ssl.SSLContext | bool:
        """Return an SSL context trusting this simulator's certificate (tests)."""
        return self._cert.client_context() if self._cert else False

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Bind the port, start the periodic jobs."""
        changes.create_initial_alarms(self)
        # Requests still held by an injected latency are cut after a second: a stop
        # must not wait out a fault.
        self._runner = web.AppRunner(
            build_app(self, self), handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        await self._open_site()
        self.hub.start()
        options = self.options
        self._every(
            options.session_check_interval, partial(changes.sweep_sessions, self)
        )
        if options.ntf_time_interval and options.ws_timestamps:
            self._every(options.ntf_time_interval, partial(streaming.send_time, self))
        if options.cpu_interval:
            self._every(options.cpu_interval, streaming.CpuReport(self))
        if options.auto_updates:
            self._every(options.update_interval, self.tick)

    async def _open_site(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(
            self._runner,
            self.host,
            self.port,
            ssl_context=self._ssl_context,
            backlog=128,
        )
        await self._site.start()
        self.port = self._site.port

    async def stop(self) -> None:
        """Close every connection and task; leave nothing behind."""
        if self._restore_timer is not None:
            self._restore_timer.cancel()
        self.faults.clear()
        await self.cancel_background()
        await self.hub.stop()
        await self.close_log_sockets()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._site = None

    async def restart(self, seconds: float, *, wait: bool = False) -> None:
        """Close everything (sessions too) and refuse connections for ``seconds``."""
        if self._runner is None or self.down:
            raise SimError("not running")
        self.down = True
        self.hub.abort_all()
        self.auth.expire()
        if self._site is not None:
            await self._site.stop()
            self._site = None
        server = self._runner.server
        if server is not None:
            for handler in server.connections:
                handler.force_close()
                transport = handler.transport
                if transport is not None:
                    transport.abort()

        async def come_back() -> None:
            await self.clock.sleep(seconds)
            await self._open_site()
            self.down = False

        task = self.spawn(come_back())
        if wait:
            await asyncio.shield(task)

    def change_certificate(self, seconds: float | None = None) -> str:
        """Present a new self-signed certificate to new connections, without a restart.

        Open connections keep theirs. After ``seconds`` (None: until
        ``restore_certificate``) the configured one is back. Returns the new
        certificate's fingerprint.
        """
        if self._ssl_context is None or self._cert is None:
            raise SimError("TLS is off")
        if seconds is not None and seconds <= 0:
            raise SimError("seconds must be > 0")
        self._presented = generate_certificate(self.host)
        self._presented.load_into(self._ssl_context)
        if self._restore_timer is not None:
            self._restore_timer.cancel()
            self._restore_timer = None
        if seconds is not None:
            self._restore_timer = self.clock.call_later(
                seconds, self.restore_certificate
            )
        return self._presented.fingerprint

    def restore_certificate(self) -> None:
        """Present the configured certificate again (nothing when it is presented)."""
        if self._restore_timer is not None:
            self._restore_timer.cancel()
            self._restore_timer = None
        if self._cert is None or self._ssl_context is None:
            return
        if self._presented is not self._cert:
            self._presented = self._cert
            self._cert.load_into(self._ssl_context)

    def _every(self, interval: float, job: Callable[[], object]) -> None:
        async def loop() -> None:
            while True:
                await self.clock.sleep(interval)
                job()

        self.spawn(loop())

    # --- control API (the same operations as POST /sim/control) ---------------------------

    # The operations whose function already takes the state first serve as methods.
    tick = streaming.tick
    clear_alarms = changes.clear_alarms
    stream_updates = streaming.stream_updates

    async def set_value(self, qualifier: str, value: Any, *, hold: bool = True) -> None:
        """Set a datapoint's default value as the device would; always publishes.

        With ``hold`` it stays until ``resume_generator``; without, the datapoint's
        generator replaces it at its next tick.
        """
        changes.set_value(self, qualifier, value, hold=hold)

    def resume_generator(self, qualifier: str | None = None) -> int:
        """Let the generator drive a held datapoint (or every held one) again."""
        return streaming.resume_generators(
            self, None if qualifier is None else [qualifier]
        )

    async def raise_alarm(
        self,
        device_id: str | None = None,
        *,
        type: str = "Threshold exceeded",
        details: str = "",
        severity: str = "Major Fault",
        category: str = "System-HW",
        target_type: str | None = None,
        group: str | None = None,
    ) -> int:
        """Create an active alarm (CRT:ALARM); return its id.

        ``target_type``: DEVICE (the default with a device), GROUP (with ``group``),
        SYSTEM (neither).
        """
        return changes.raise_alarm(
            self,
            device_id,
            type=type,
            details=details,
            severity=severity,
            category=category,
            target_type=target_type,
            group=group,
        )

    async def clear_alarm(self, alarm_id: int) -> None:
        """Clear an alarm (DEL:ALARM)."""
        changes.clear_alarm(self, alarm_id)

    async def set_device_status(
        self,
        device_id: str,
        state: str | None = None,
        health: str | None = None,
        connection: str | None = None,
    ) -> None:
        """Change a device's status (UPD:DEVICE)."""
        changes.set_device_status(self, device_id, state, health, connection)

    async def add_device(
        self, spec: dict[str, Any] | None = None, **fields: Any
    ) -> str:
        """Add a device (scenario device mapping); UPD:DEVICE; return its id."""
        return changes.add_device(self, {**(spec or {}), **fields})

    async def remove_device(self, device_id: str) -> None:
        """Remove a device and its datapoints (DEL:DEVICE)."""
        changes.remove_device(self, device_id)

    async def expire_sessions(self, user: str | None = None) -> int:
        """End sessions now: REST answers 401, their WebSockets close."""
        return changes.expire_sessions(self, user)

    async def drop_websockets(self) -> int:
        """Drop every general WebSocket without a close frame; return how many."""
        return self.hub.abort_all()

    # The request faults: their signatures, defaults and checks live in ``Faults``.
    inject_latency = _on_faults(Faults.inject_latency)
    inject_http_errors = _on_faults(Faults.inject_http_errors)
    inject_body = _on_faults(Faults.inject_body)
    inject_cut = _on_faults(Faults.inject_cut)
    black_hole = _on_faults(Faults.black_hole)
    end_black_hole = _on_faults(Faults.end_black_hole)

    def drip(self, seconds: float, chunk: int = 16, interval: float = 0.05) -> None:
        """Write WebSocket frames ``chunk`` bytes every ``interval`` for ``seconds``."""
        frame_faults.start_drip(self, seconds, chunk, interval)

    async def send_malformed_frame(self) -> None:
        """Send a text frame that is not JSON to every general WebSocket."""
        await frame_faults.send_malformed_frame(self.hub)

    async def send_oversized_frame(self, size: int) -> None:
        """Send one valid JSON frame of ``size`` bytes to every general WebSocket."""
        await frame_faults.send_oversized_frame(self.hub, size)

    async def send_frame(self, data: str | bytes) -> None:
        """Send any text as one frame to every general WebSocket."""
        await frame_faults.send_frame(self.hub, data)

    async def close_websockets(self, code: int, reason: str = "") -> int:
        """Close every general WebSocket with ``code``; return how many."""
        return await frame_faults.close_websockets(self.hub, code, reason)

    async def send_duplicates(self, count: int = 1) -> int:
        """Send the current update of ``count`` subscribed datapoints again."""
        return await frame_faults.send_duplicates(self, count)

    async def send_stale_updates(self, count: int = 1) -> int:
        """Send older updates of ``count`` subscribed datapoints (out of order)."""
        return await frame_faults.send_stale_updates(self, count)

    async def steal_subscription(self, user: str, qualifiers: list[str]) -> None:
        """Replace ``user``'s subscription as another session of that user would."""
        self.hub.subscribe(user, list(qualifiers))
