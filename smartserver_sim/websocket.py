"""The general WebSocket hub: connections, per-user subscriptions, batched broadcast.

Publishing is synchronous (handlers call it); frames go out from one sender task in the
order they were queued, so a frame is never interleaved with another on a socket.
"""

from __future__ import annotations

import asyncio
from collections import deque
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web
import orjson

if TYPE_CHECKING:
    from .clock import Clock, Timer
    from .counters import Counters
    from .options import SimOptions


@dataclass(slots=True, eq=False)
class Conn:
    """One open general WebSocket."""

    ws: web.WebSocketResponse
    sid: str
    user: str
    transport: asyncio.BaseTransport | None
    # True while a frame drips out (a pong must wait for its end: see Drip).
    dripping: bool = False
    pong_owed: bytes | None = None


@dataclass(frozen=True, slots=True)
class Drip:
    """Frames written ``chunk`` bytes every ``interval`` seconds, until ``until``."""

    chunk: int
    interval: float
    until: float


def frame_bytes(opcode: int, payload: bytes) -> bytes:
    """Return one unmasked, final WebSocket frame (server to client)."""
    size = len(payload)
    if size < 126:
        head = bytes((0x80 | opcode, size))
    elif size < 1 << 16:
        head = bytes((0x80 | opcode, 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 127)) + size.to_bytes(8, "big")
    return head + payload


type Target = str | None  # a user name, or None for every connection


class Hub:
    """Tracks general WebSockets and delivers frames to them."""

    def __init__(
        self,
        options: SimOptions,
        counters: Counters,
        clock: Clock,
        answering: asyncio.Event | None = None,
    ) -> None:
        self.options = options
        self.counters = counters
        self._clock = clock
        # Cleared during a black hole: frames wait, pings go unanswered.
        if answering is None:
            answering = asyncio.Event()
            answering.set()
        self.answering = answering
        self.drip: Drip | None = None
        self.conns: set[Conn] = set()
        self.subs: dict[str, set[str]] = {}
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._outbox: deque[tuple[Target, bytes, int]] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._sender: asyncio.Task[None] | None = None
        self._flush_handle: Timer | asyncio.Handle | None = None
        self._closers: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Start the sender task."""
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._send_loop())

    async def stop(self) -> None:
        """Stop the sender, cancel pending work and close every socket."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
            self._sender = None
        self._outbox.clear()
        self._pending.clear()
        self._idle.set()
        await self.close_conns(list(self.conns), 1001, "server shutdown")
        for task in list(self._closers):
            task.cancel()
        if self._closers:
            await asyncio.gather(*self._closers, return_exceptions=True)

    # --- subscription ---------------------------------------------------------------------

    def subscribe(self, user: str, qualifiers: list[str]) -> None:
        """Replace a user's subscription list (shared by all that user's sessions)."""
        self.subs[user] = set(qualifiers)

    def subscribed(self, user: str, qualifier: str) -> bool:
        """Return True when ``qualifier`` is in ``user``'s list."""
        return qualifier in self.subs.get(user, ())

    def users_with_conns(self) -> set[str]:
        """Return the users that have an open general WebSocket."""
        return {c.user for c in self.conns}

    # --- publishing ----------------------------------------------------------------------

    def publish(self, item: dict[str, Any], only_user: str | None = None) -> None:
        """Queue one UPD:DATAPOINT item for every user subscribed to its qualifier."""
        qualifier = item["datapointQualifier"]
        for user, subs in self.subs.items():
            if qualifier in subs and (only_user is None or only_user == user):
                self._pending.setdefault(user, []).append(item)
        if self._pending and self._flush_handle is None:
            window = self.options.flush_window
            self._flush_handle = (
                self._clock.call_later(window, self._flush)
                if window > 0
                else asyncio.get_running_loop().call_soon(self._flush)
            )

    def _flush(self) -> None:
        self._flush_handle = None
        pending, self._pending = self._pending, {}
        cap = max(1, self.options.max_batch)
        for user, items in pending.items():
            for start in range(0, len(items), cap):
                chunk = items[start : start + cap]
                frame = orjson.dumps({"action": "UPD:DATAPOINT", "payload": chunk})
                self._queue(user, frame, len(chunk))

    def broadcast(self, action: str, payload: Any, user: str | None = None) -> None:
        """Queue a ``{"action", "payload"}`` frame for every connection (or one user)."""
        self._queue(user, orjson.dumps({"action": action, "payload": payload}), 0)

    def send_raw(self, data: bytes) -> None:
        """Queue raw text to every connection (fault injection)."""
        self._queue(None, data, 0)

    def _queue(self, target: Target, frame: bytes, updates: int) -> None:
        self._outbox.append((target, frame, updates))
        self._idle.clear()
        self._wake.set()

    async def drain(self) -> None:
        """Send the pending batch now and wait until every queued frame is written."""
        while self._flush_handle is not None or not self._idle.is_set():
            if self._flush_handle is not None:
                self._flush_handle.cancel()
                self._flush()
            else:
                await self._idle.wait()

    async def _send_loop(self) -> None:
        answering = self.answering
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._outbox:
                if not answering.is_set():
                    await answering.wait()
                target, frame, updates = self._outbox.popleft()
                await self.send_now(self.targets(target), frame, updates)
            self._idle.set()

    def targets(self, target: Target) -> list[Conn]:
        """Return the connections of one user, or all of them."""
        return [c for c in self.conns if target is None or c.user == target]

    async def send_now(self, conns: list[Conn], frame: bytes, updates: int) -> None:
        """Write one text frame to each connection, dropping those that fail."""
        for conn in conns:
            if conn.ws.closed:
                self.conns.discard(conn)
                continue
            try:
                if self._dripping():
                    await self._drip_frame(conn, frame)
                else:
                    await conn.ws.send_frame(frame, WSMsgType.TEXT)
            except ConnectionError, RuntimeError:
                self.conns.discard(conn)
                continue
            self.counters.frames_sent += 1
            self.counters.updates_sent += updates
            self.counters.bytes_sent += len(frame)

    # --- faults ------------------------------------------------------------------------------

    def _dripping(self) -> bool:
        drip = self.drip
        if drip is None:
            return False
        if self._clock.time() >= drip.until or self.options.ws_compress:
            self.drip = None
            return False
        return True

    async def _drip_frame(self, conn: Conn, frame: bytes) -> None:
        """Write one frame a few bytes at a time, straight to the transport."""
        drip = self.drip
        transport = conn.transport
        if drip is None or not isinstance(transport, asyncio.WriteTransport):
            await conn.ws.send_frame(frame, WSMsgType.TEXT)
            return
        data = frame_bytes(WSMsgType.TEXT, frame)
        conn.dripping = True
        try:
            for start in range(0, len(data), drip.chunk):
                if transport.is_closing():
                    raise ConnectionResetError("closed while dripping")
                transport.write(data[start : start + drip.chunk])
                await self._clock.sleep(drip.interval)
        finally:
            conn.dripping = False
            owed, conn.pong_owed = conn.pong_owed, None
            if owed is not None and not transport.is_closing():
                transport.write(frame_bytes(WSMsgType.PONG, owed))

    async def pong(self, conn: Conn, data: bytes) -> None:
        """Answer a ping: not during a black hole, after the frame that drips."""
        if not self.answering.is_set():
            return
        if conn.dripping:
            conn.pong_owed = data
            return
        await conn.ws.pong(data)

    # --- closing -----------------------------------------------------------------------------

    def close_sessions(self, sids: set[str], code: int, reason: str) -> None:
        """Close (in the background) every connection of the given sessions."""
        doomed = [c for c in self.conns if c.sid in sids]
        if doomed:
            task = asyncio.get_running_loop().create_task(
                self.close_conns(doomed, code, reason)
            )
            self._closers.add(task)
            task.add_done_callback(self._closers.discard)

    async def close_conns(self, conns: list[Conn], code: int, reason: str) -> None:
        """Close connections with a close frame."""
        for conn in conns:
            self.conns.discard(conn)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    conn.ws.close(code=code, message=reason.encode()), 1.0
                )

    def abort_all(self) -> int:
        """Drop every connection without a close frame (the client sees 1006)."""
        conns = list(self.conns)
        self.conns.clear()
        for conn in conns:
            if conn.transport is not None:
                conn.transport.abort()  # type: ignore[attr-defined]
        return len(conns)
