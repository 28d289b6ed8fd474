"""Decode throughput of the live listener's frame parser against bare ``json.loads``.

Run: ``.venv/bin/python benchmarks/bench_client.py [--updates N] [--batch B]``.
Both sides decode the same UPD:DATAPOINT frames (bytes, as the listener receives them
with ``decode_text=False``) in the same run; the client side goes through
``FrameDecoder.decode``, the exact call the listener makes per frame, and so yields
typed ``DatapointUpdate`` objects with parsed timestamps.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import sys
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.smartserver_iap.iap import (
    ClientStats,
    DatapointsUpdated,
    FrameDecoder,
)


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
                    "datapointQualifier": f"17q4bn7/lon/{n % 50}.1/Thermostat/0/nvoTemp{n % 7}",
                    "value": round(20 + (n % 100) / 10, 2),
                    "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.")
                    + f"{moment.microsecond // 1000:03d}Z",
                }
            )
        frames.append(
            json.dumps({"action": "UPD:DATAPOINT", "payload": payload}).encode()
        )
    return frames


def bench(updates: int, batch: int, rounds: int) -> None:
    frames = make_frames(updates, batch)
    loads = json.loads
    decoder = FrameDecoder(ClientStats())
    decode = decoder.decode
    best_json = best_client = float("inf")
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
    json_rate = updates / best_json
    client_rate = updates / best_client
    print(f"frames: {len(frames)} x {batch} updates, best of {rounds} rounds")
    print(f"bare json.loads:        {json_rate:>12,.0f} updates/s")
    print(
        f"client FrameDecoder:    {client_rate:>12,.0f} updates/s (typed, timestamps parsed)"
    )
    print(f"ratio client/json.loads: {client_rate / json_rate:.2f}")
    print(
        f"target >= 100,000 updates/s: {'met' if client_rate >= 100_000 else 'MISSED'}"
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
