"""``SmartServerSim``: the in-process simulator, its lifecycle and its control API."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
import itertools
import math
import time
from typing import TYPE_CHECKING, Any, Self
from zoneinfo import ZoneInfo

from aiohttp import web

from .auth import Auth
from .counters import Counters
from .options import SimOptions
from .scenario import add_device as scenario_add_device, default_scenario
from .timefmt import iso_z, zoned_local
from .tls import CertificateBundle, generate_certificate, load_certificate
from .websocket import Conn, Hub

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path
    import ssl
    from types import TracebackType

    from .model import Alarm, Datapoint, Device, Scenario


class SimError(Exception):
    """A control call with bad arguments (HTTP 400 on /sim/control)."""


class NotFoundError(SimError):
    """A control call naming something that does not exist (HTTP 404)."""


@dataclass(slots=True)
class _ErrorInjection:
    status: int
    remaining: int
    prefix: str


class SmartServerSim:
    """A SmartServer IoT on 127.0.0.1: IAP/REST + IAP/WS over HTTPS.

    Use as ``async with SmartServerSim(...) as sim``; every control method is also served
    at ``POST /sim/control``.
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
    ) -> None:
        self.scenario = scenario if scenario is not None else default_scenario()
        self.options = options or SimOptions()
        self.host = host
        self.port = port
        self.tls = tls
        self.counters = Counters()
        self.auth = Auth(
            users or self.scenario.users or {"apollo": "apollo"}, self.options
        )
        self.hub = Hub(self.options, self.counters)
        self.zone = ZoneInfo(self.scenario.timezone or self.options.timezone)
        self._cert: CertificateBundle | None = None
        if tls:
            self._cert = (
                load_certificate(cert_file, key_file)
                if cert_file and key_file
                else generate_certificate(host)
            )
        self.latency = 0.0
        self.http_errors: list[_ErrorInjection] = []
        self.snapshots: OrderedDict[int, list[Any]] = OrderedDict()
        self._snapshot_ids = itertools.count(1)
        self.started_at = time.time()
        self.retention_start = self.started_at - self.options.history_days * 86400.0
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self._last_poll: dict[int, float] = {}
        self._eps_mark = (time.monotonic(), 0)
        self.down = False

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Return ``https://127.0.0.1:<port>`` (http when TLS is off)."""
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def fingerprint(self) -> str | None:
        """Return the SHA-256 fingerprint of the certificate, or None without TLS."""
        return self._cert.fingerprint if self._cert else None

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
        """Bind the port, start the periodic tasks."""
        from .server import build_app

        self._create_initial_alarms()
        self._runner = web.AppRunner(build_app(self), handle_signals=False)
        await self._runner.setup()
        await self._open_site()
        self.hub.start()
        self._spawn(self._every(self.options.session_check_interval, self._sweep))
        if self.options.ntf_time_interval and self.options.ws_timestamps:
            self._spawn(self._every(self.options.ntf_time_interval, self._send_time))
        if self.options.cpu_interval:
            self._spawn(self._every(self.options.cpu_interval, self._send_cpu))
        if self.options.auto_updates:
            self._spawn(self._every(self.options.update_interval, self.tick))

    async def _open_site(self) -> None:
        assert self._runner is not None
        context = self._cert.server_context() if self._cert else None
        self._site = web.TCPSite(
            self._runner, self.host, self.port, ssl_context=context, backlog=128
        )
        await self._site.start()
        server = self._site._server  # noqa: SLF001 - the bound port lives only there
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close every connection and task; leave nothing behind."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.hub.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._site = None

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def call_later(self, delay: float, callback: Callable[[], None]) -> None:
        """Run ``callback`` after ``delay`` unless the simulator stops first."""
        handle: asyncio.TimerHandle

        def run() -> None:
            self._timers.discard(handle)
            callback()

        handle = asyncio.get_running_loop().call_later(delay, run)
        self._timers.add(handle)

    async def _every(self, interval: float, job: Callable[[], object]) -> None:
        while True:
            await asyncio.sleep(interval)
            job()

    # --- periodic jobs --------------------------------------------------------------------------

    def _sweep(self) -> None:
        dead = self.auth.sweep()
        if dead:
            self.hub.close_sessions(
                {s.sid for s in dead},
                self.options.ws_expiry_close_code,
                "session expired",
            )

    def _send_time(self) -> None:
        self.hub.broadcast("NTF:TIME", {"value": zoned_local(time.time(), self.zone)})

    def _send_cpu(self) -> None:
        now = time.monotonic()
        mark, sent = self._eps_mark
        eps = (self.counters.updates_sent - sent) / max(now - mark, 1e-6)
        self._eps_mark = (now, self.counters.updates_sent)
        cpu = round(5.0 + 10.0 * abs(math.sin(now / 60.0)), 1)
        self.hub.broadcast("UPD:CPU", cpu)
        self.hub.broadcast("UPD:SC:CPU", {self.scenario.sc_id: cpu})
        self.hub.broadcast("UPD:EPS", round(eps, 1))

    def tick(self) -> int:
        """Advance generators and monitored polling once; return how many changed."""
        now = time.time()
        changed = 0
        for dp in list(self.scenario.datapoints.values()):
            if dp.generator is None or dp.overrides or not _reachable(dp.device):
                continue
            if dp.monitor_rate > 0:
                if now - self._last_poll.get(dp.uid, 0.0) < dp.monitor_rate:
                    continue
                self._last_poll[dp.uid] = now
            value = dp.generator.value_at(now, dp.seed)
            if value != dp.default:
                dp.default = value
                dp.timestamp = now
                self.publish(dp)
                changed += 1
        return changed

    # --- values ------------------------------------------------------------------------------------

    def ws_item(self, dp: Datapoint) -> dict[str, Any]:
        """Return the UPD:DATAPOINT item of a datapoint's current value."""
        item: dict[str, Any] = {"datapointQualifier": dp.qualifier, "value": dp.value}
        preset = dp.preset_name()
        if preset is not None and dp.type.kind != "enum":
            item["presetValue"] = preset
        if self.options.ws_timestamps:
            item["timestamp"] = iso_z(dp.timestamp)
        return item

    def publish(self, dp: Datapoint, only_user: str | None = None) -> None:
        """Push the current value of ``dp`` to its subscribers."""
        self.hub.publish(self.ws_item(dp), only_user)

    def cascade(self, source: Datapoint) -> None:
        """Mirror an input into the outputs that follow it (e.g. nvoLampFb)."""
        for dp in source.device.datapoints:
            if (
                dp.follows == source.name
                and dp.block == source.block
                and dp.index == source.index
                and dp.default != source.value
            ):
                dp.default = source.value
                dp.timestamp = time.time()
                self.publish(dp)

    def refresh(self, dp: Datapoint) -> None:
        """Read ``dp`` on the wire now: adopt the live value, publish it if it changed."""
        if not self.options.auto_updates or dp.overrides or not _reachable(dp.device):
            return
        now = time.time()
        live = dp.live_value(now)
        if live != dp.default:
            dp.default = live
            dp.timestamp = now
            self.publish(dp)

    def on_demand_read(self, dps: list[Datapoint], user: str) -> None:
        """Model the wire read an on-demand GET triggers; its result comes on the WS."""

        def finish() -> None:
            for dp in dps:
                if dp.qualifier not in self.scenario.datapoints:
                    continue
                if not _reachable(dp.device):
                    if self.hub.subscribed(user, dp.qualifier):
                        self.hub.broadcast(
                            "CRT:NOTIFICATION",
                            {
                                "message": "queryStatus  Device does not respond!",
                                "targetType": "DEVICE",
                                "targetName": dp.device.name,
                            },
                            user,
                        )
                    continue
                before = dp.default
                self.refresh(dp)
                if dp.default == before:
                    self.publish(dp, only_user=user)

        self.call_later(self.options.live_read_delay, finish)

    def datapoint(self, qualifier: str) -> Datapoint:
        """Return a datapoint by qualifier or raise NotFoundError."""
        dp = self.scenario.datapoints.get(qualifier)
        if dp is None:
            raise NotFoundError(f"no datapoint {qualifier!r}")
        return dp

    def device(self, device_id: str) -> Device:
        """Return a device by id, deviceId (``scId.n``) or name; raise NotFoundError."""
        devices = self.scenario.devices
        if device_id in devices:
            return devices[device_id]
        for device in devices.values():
            if device_id in (f"{self.scenario.sc_id}.{device.num}", device.name):
                return device
        raise NotFoundError(f"no device {device_id!r}")

    # --- control API ----------------------------------------------------------------------------

    async def set_value(self, qualifier: str, value: Any) -> None:
        """Set a datapoint's default value as the device would; always publishes."""
        dp = self.datapoint(qualifier)
        try:
            dp.default = dp.type.validate(value)
        except ValueError as err:
            raise SimError(str(err)) from None
        dp.timestamp = time.time()
        self.publish(dp)
        self.cascade(dp)

    def alarm_object(self, alarm: Alarm) -> dict[str, Any]:
        """Return an alarm as ``/iap/alarms`` lists it."""
        body: dict[str, Any] = {
            "id": alarm.id,
            "timestamp": zoned_local(alarm.timestamp, self.zone),
            "category": alarm.category,
            "severity": alarm.severity,
            "state": alarm.state,
            "geozone": {"id": 88, "name": "World"},
            "type": alarm.type,
            "details": alarm.details,
            "alarmTargetType": alarm.target_type,
        }
        if alarm.device is not None:
            body["device"] = {
                "id": alarm.device.id,
                "name": alarm.device.name,
                "uid": alarm.device.uid,
                "uidType": "NID",
            }
        return body

    async def raise_alarm(
        self,
        device_id: str | None = None,
        *,
        type: str = "Threshold exceeded",
        details: str = "",
        severity: str = "Major Fault",
        category: str = "System-HW",
    ) -> int:
        """Create an active alarm (CRT:ALARM); return its id."""
        device = self.device(device_id) if device_id is not None else None
        alarm = self.scenario.add_alarm(
            device, type, details or type, severity=severity, category=category
        )
        self.hub.broadcast("CRT:ALARM", self.alarm_object(alarm))
        return alarm.id

    async def clear_alarm(self, alarm_id: int) -> None:
        """Clear an alarm (DEL:ALARM)."""
        alarm = self.scenario.alarms.get(alarm_id)
        if alarm is None:
            raise NotFoundError(f"no alarm {alarm_id}")
        self.clear_alarms([alarm_id])

    def clear_alarms(self, ids: list[int]) -> int:
        """Clear the alarms with these ids (unknown ids are ignored); return the count."""
        cleared = 0
        for alarm_id in ids:
            alarm = self.scenario.alarms.get(alarm_id)
            if alarm is None or alarm.state != "Active":
                continue
            alarm.state = "Cleared"
            cleared += 1
            payload: Any = (
                self.alarm_object(alarm)
                if self.options.del_alarm_payload == "object"
                else {"id": alarm.id}
            )
            self.hub.broadcast("DEL:ALARM", payload)
        return cleared

    def _create_initial_alarms(self) -> None:
        specs, self.scenario.alarm_specs = self.scenario.alarm_specs, []
        for spec in specs:
            device = self.device(str(spec["device"])) if spec.get("device") else None
            alarm = self.scenario.add_alarm(
                device,
                str(spec.get("type", "Alarm")),
                str(spec.get("details", "")),
                severity=str(spec.get("severity", "Major Fault")),
                category=str(spec.get("category", "System-SW")),
                timestamp=self.started_at - float(spec.get("age", 3600)),
            )
            if spec.get("state"):
                alarm.state = str(spec["state"])

    def device_object(self, device: Device, *, short: bool = False) -> dict[str, Any]:
        """Return a device as ``/iap/devs`` lists it."""
        status = {
            "state": device.state,
            "health": device.health,
            "connection": device.connection,
            "connectionStatusSince": zoned_local(device.status_since, self.zone),
            "action": None,
            "product": device.type_name,
            "wasProvisioned": device.state == "provisioned",
        }
        body: dict[str, Any] = {
            "id": device.id,
            "name": device.name,
            "category": device.category,
            "status": status,
            "uid": device.uid,
        }
        if short:
            return body
        sc = self.scenario
        body.update(
            {
                "deviceId": f"{sc.sc_id}.{device.num}",
                "scName": sc.sc_name,
                "scId": sc.sc_id,
                "scState": "provisioned",
                "protocol": device.protocol,
                "DID": device.did,
                "SID": sc.sc_id,
                "typeId": device.type_id,
                "deviceTypeName": device.type_name,
                "xifName": device.type_name,
                "firmwareVersion": device.firmware_version,
                "createdOnGlp": True,
                "gpsEnabled": False,
                "installationDate": "2026-03-25",
                "latitude": 52.52,
                "longitude": 13.405,
                "timezone": self.zone.key,
                "assetTag": "",
                "capabilities": {},
            }
        )
        if device.category == "SC":
            body["MACaddress"] = ":".join(
                device.uid[i : i + 2] for i in range(0, 12, 2)
            ).lower()
            body["firmwareVersion"] = self.options.firmware_version
        return body

    async def set_device_status(
        self,
        device_id: str,
        state: str | None = None,
        health: str | None = None,
        connection: str | None = None,
    ) -> None:
        """Change a device's status (UPD:DEVICE)."""
        device = self.device(device_id)
        if state is not None:
            device.state = state
        if health is not None:
            device.health = health
            if connection is None:
                connection = "disconnected" if health == "down" else "connected"
        if connection is not None:
            device.connection = connection
        device.status_since = time.time()
        self.hub.broadcast("UPD:DEVICE", self.device_object(device))

    async def add_device(
        self, spec: dict[str, Any] | None = None, **fields: Any
    ) -> str:
        """Add a device (scenario device mapping); UPD:DEVICE; return its id."""
        merged = {**(spec or {}), **fields}
        try:
            device = scenario_add_device(self.scenario, merged)
        except (ValueError, KeyError, TypeError) as err:
            raise SimError(f"bad device: {err}") from None
        self.hub.broadcast("UPD:DEVICE", self.device_object(device))
        return device.id

    async def remove_device(self, device_id: str) -> None:
        """Remove a device and its datapoints (DEL:DEVICE)."""
        device = self.device(device_id)
        if device.category == "SC":
            raise SimError("the SmartServer itself cannot be removed")
        body = self.device_object(device)
        del self.scenario.devices[device.id]
        for dp in device.datapoints:
            self.scenario.datapoints.pop(dp.qualifier, None)
        self.hub.broadcast("DEL:DEVICE", body)

    async def expire_sessions(self, user: str | None = None) -> int:
        """End sessions now: REST answers 401, their WebSockets close."""
        dead = self.auth.expire(user)
        self.hub.close_sessions(
            {s.sid for s in dead}, self.options.ws_expiry_close_code, "session expired"
        )
        return len(dead)

    async def drop_websockets(self) -> int:
        """Drop every general WebSocket without a close frame; return how many."""
        return self.hub.abort_all()

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
            await asyncio.sleep(seconds)
            await self._open_site()
            self.down = False

        task = self._spawn(come_back())
        if wait:
            await asyncio.shield(task)

    def inject_latency(self, seconds: float) -> None:
        """Delay every /iap request (and WS upgrade) by ``seconds`` (0 = off)."""
        if seconds < 0:
            raise SimError("latency must be >= 0")
        self.latency = seconds

    def inject_http_errors(
        self, status: int, count: int = 1, path_prefix: str = "/iap"
    ) -> None:
        """Answer the next ``count`` requests under ``path_prefix`` with ``status``."""
        if not 400 <= status <= 599 or count < 1:
            raise SimError("status must be 4xx/5xx and count >= 1")
        self.http_errors.append(_ErrorInjection(status, count, path_prefix))

    async def send_malformed_frame(self) -> None:
        """Send a text frame that is not JSON to every general WebSocket."""
        self.hub.send_raw(b'{"action": "UPD:DATAPOINT", "payload": [{"datapointQ')
        await self.hub.drain()

    async def send_oversized_frame(self, size: int) -> None:
        """Send one valid JSON frame of ``size`` bytes to every general WebSocket."""
        head = b'{"action":"CRT:NOTIFICATION","payload":{"message":"'
        tail = b'"}}'
        pad = max(size - len(head) - len(tail), 0)
        self.hub.send_raw(head + b"x" * pad + tail)
        await self.hub.drain()

    async def steal_subscription(self, user: str, qualifiers: list[str]) -> None:
        """Replace ``user``'s subscription as another session of that user would."""
        self.hub.subscribe(user, list(qualifiers))

    async def stream_updates(
        self,
        count: int,
        batch_size: int = 100,
        rate: float | None = None,
        qualifiers: list[str] | None = None,
        *,
        send_time_values: bool = False,
    ) -> int:
        """Push ``count`` synthetic updates per connection, ``batch_size`` per frame.

        With ``send_time_values`` every value is the wall-clock time (s) at which its
        frame is built, so a receiver on this machine can measure the latency.

        Without ``qualifiers`` each user gets updates cycling over its own subscription;
        with them, every general WebSocket gets them. ``rate`` caps updates per second.
        Returns the number of updates written.
        """
        await self.hub.drain()
        plans: list[tuple[list[Conn], list[str]]] = []
        if qualifiers is not None:
            plans.append((list(self.hub.conns), list(qualifiers)))
        else:
            for user in sorted(self.hub.users_with_conns()):
                subs = sorted(self.hub.subs.get(user, ()))
                if subs:
                    plans.append((self.hub.targets(user), subs))
        plans = [(conns, qs) for conns, qs in plans if conns and qs]
        if not plans or count <= 0:
            return 0
        import orjson

        batch = max(1, batch_size)
        loop = asyncio.get_running_loop()
        began = loop.time()
        sent = 0
        stamp = self.options.ws_timestamps
        for done in range(0, count, batch):
            n = min(batch, count - done)
            now = time.time()
            ts = iso_z(now)
            for conns, qs in plans:
                nq = len(qs)
                if stamp:
                    payload = [
                        {
                            "datapointQualifier": qs[(done + j) % nq],
                            "value": now
                            if send_time_values
                            else (done + j) % 1000 / 10,
                            "timestamp": ts,
                        }
                        for j in range(n)
                    ]
                else:
                    payload = [
                        {
                            "datapointQualifier": qs[(done + j) % nq],
                            "value": now
                            if send_time_values
                            else (done + j) % 1000 / 10,
                        }
                        for j in range(n)
                    ]
                frame = orjson.dumps({"action": "UPD:DATAPOINT", "payload": payload})
                await self.hub.send_now(conns, frame, n)
                sent += n * len(conns)
            if rate:
                delay = began + (done + n) / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
        return sent

    def new_snapshot(self, items: list[Any]) -> int:
        """Store a result list for later pages (``xs``); return its id."""
        snapshot = next(self._snapshot_ids)
        self.snapshots[snapshot] = items
        while len(self.snapshots) > self.options.snapshot_limit:
            self.snapshots.popitem(last=False)
        return snapshot

    def reset_counters(self) -> None:
        """Zero the counters."""
        self.counters.reset()


def _reachable(device: Device) -> bool:
    return device.state == "provisioned" and device.health != "down"
