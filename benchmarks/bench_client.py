"""Throughput of the live listener's hot path against bare ``json.loads``.

Run: ``.venv/bin/python benchmarks/bench_client.py [--updates N] [--batch B]``.
Every side handles the same UPD:DATAPOINT frames (bytes, as the listener receives
them with ``decode_text=False``) in the same run:

- ``FrameDecoder.decode``, the exact call the listener makes per frame: typed
  ``DatapointUpdate`` objects with parsed timestamps;
- the listener's read loop itself, fed by a socket stand-in that never waits: decode,
  ``Site.apply_updates`` (every qualifier subscribed), the probe's echo check and the
  handler, i.e. everything the client does per frame before the integration's code.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import sys
import time
from types import SimpleNamespace
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.smartserver_iap.iap import (
    ClientStats,
    DatapointsUpdated,
    FrameDecoder,
    IapClient,
    IapError,
    LiveEvent,
)


def qualifier(n: int) -> str:
    return f"17q4bn7/lon/{n % 50}.1/Thermostat/0/nvoTemp{n % 7}"


def make_frames(updates: int, batch: int) -> list[bytes]:
    """Return UPD:DATAPOINT frames shaped like the SmartServer's (4.1+, with timestamps)."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    frames = []
    for start in range(0, updates, batch):
        payload = []
        for n in range(start, min(start + batch, updates)):
            moment = base + timedelta(milliseconds=n * 7)
            payload.append(
                {
                    "datapointQualifier": qualifier(n),
                    "value": round(20 + (n % 100) / 10, 2),
                    "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.")
                    + f"{moment.microsecond // 1000:03d}Z",
                }
            )
        frames.append(
            json.dumps({"action": "UPD:DATAPOINT", "payload": payload}).encode()
        )
    return frames


class Socket:
    """Hands the listener one round of frames, then a close; never waits."""

    def __init__(self, frames: list[bytes]) -> None:
        binary = aiohttp.WSMsgType.BINARY
        self.messages = [SimpleNamespace(type=binary, data=frame) for frame in frames]
        self.messages.append(SimpleNamespace(type=aiohttp.WSMsgType.CLOSE, data=None))
        self.close_code = 1000
        self._next = iter(self.messages).__next__

    async def receive(self) -> Any:
        return self._next()


def listener_round(frames: list[bytes], updates: int) -> float:
    """Return the seconds the listener's read loop takes for ``frames``."""
    client = IapClient(None, "127.0.0.1")  # type: ignore[arg-type]  # no I/O here
    client.site.set_subscribed(qualifier(n) for n in range(350))
    # The listener is public since the client was split into layers.
    listener: Any = getattr(client, "listener", None) or client._live  # type: ignore[attr-defined]
    seen = 0

    def handler(event: LiveEvent) -> None:
        nonlocal seen
        if type(event) is DatapointsUpdated:
            seen += len(event.updates)

    async def read() -> float:
        socket = Socket(frames)
        began = time.perf_counter()
        # The close at the end of the round ends the loop.
        with contextlib.suppress(IapError):
            await listener._read(socket, handler)
        return time.perf_counter() - began

    took = asyncio.run(read())
    assert seen == updates
    assert len(client.site.values) == 350
    return took


def bench(updates: int, batch: int, rounds: int) -> None:
    frames = make_frames(updates, batch)
    loads = json.loads
    decoder = FrameDecoder(ClientStats())
    decode = decoder.decode
    best_json = best_client = best_listener = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        for frame in frames:
            loads(frame)
        best_json = min(best_json, time.perf_counter() - began)
        began = time.perf_counter()
        count = 0
        for frame in frames:
            event = decode(frame)
            assert type(event) is DatapointsUpdated
            count += len(event.updates)
        best_client = min(best_client, time.perf_counter() - began)
        assert count == updates
        best_listener = min(best_listener, listener_round(frames, updates))
    json_rate = updates / best_json
    client_rate = updates / best_client
    listener_rate = updates / best_listener
    print(f"frames: {len(frames)} x {batch} updates, best of {rounds} rounds")
    print(f"bare json.loads:        {json_rate:>12,.0f} updates/s")
    print(
        f"client FrameDecoder:    {client_rate:>12,.0f} updates/s (typed, timestamps parsed)"
    )
    print(
        f"listener read loop:     {listener_rate:>12,.0f} updates/s "
        "(decode, site, probe check, handler)"
    )
    print(f"ratio client/json.loads: {client_rate / json_rate:.2f}")
    print(f"ratio listener/json.loads: {listener_rate / json_rate:.2f}")
    print(
        f"target >= 100,000 updates/s: {'met' if listener_rate >= 100_000 else 'MISSED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    bench(args.updates, args.batch, args.rounds)


if __name__ == "__main__":
    main()
