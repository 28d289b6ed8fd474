"""Benchmark: datapoint updates per second the simulator emits over one WebSocket.

Run: ``.venv/bin/python benchmarks/bench_sim.py [--count N] [--batch B]``. It prints the
simulator's rate, a baseline (raw aiohttp sending the same pre-built frames) and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import sys
import time

import aiohttp
from aiohttp import web
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smartserver_sim import SimOptions, SmartServerSim, large_scenario

TARGET = 50_000


async def _consume(ws: aiohttp.ClientWebSocketResponse, count: int) -> int:
    got = 0
    while got < count:
        msg = await ws.receive()
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise RuntimeError(f"socket ended early: {msg.type}")
        got += len(orjson.loads(msg.data)["payload"])
    return got


async def bench_sim(count: int, batch: int) -> float:
    options = SimOptions(auto_updates=False, ntf_time_interval=None, cpu_interval=None)
    async with SmartServerSim(large_scenario(100, 10), options=options) as sim:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            ssl = sim.client_ssl_context()
            async with session.post(
                sim.base_url + "/iap/auth/login",
                json={"username": "apollo", "password": "apollo"},
                ssl=ssl,
            ) as resp:
                resp.raise_for_status()
            qualifiers = list(sim.scenario.datapoints)
            async with session.put(
                sim.base_url + "/iap/dp/updates/subscribe", json=qualifiers, ssl=ssl
            ) as resp:
                resp.raise_for_status()
            ws = await session.ws_connect(sim.base_url + "/iap/ws", ssl=ssl)
            began = time.perf_counter()
            consumer = asyncio.create_task(_consume(ws, count))
            sent = await sim.stream_updates(count, batch)
            got = await consumer
            elapsed = time.perf_counter() - began
            await ws.close()
            assert sent == got == count
            return count / elapsed


async def bench_baseline(count: int, batch: int) -> float:
    """Raw aiohttp over the same TLS: pre-built frames, no simulator logic."""
    from smartserver_sim.tls import generate_certificate

    bundle = generate_certificate()
    payload = [
        {
            "datapointQualifier": f"b3nch01/lon/{i}.1/Sensor/0/nvoValue{i % 10}",
            "value": i / 10,
            "timestamp": "2026-11-28T04:00:00.000Z",
        }
        for i in range(batch)
    ]
    frame = orjson.dumps({"action": "UPD:DATAPOINT", "payload": payload})
    frames = -(-count // batch)

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        for _ in range(frames):
            await ws.send_frame(frame, aiohttp.WSMsgType.TEXT)
        await ws.receive()
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=bundle.server_context())
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as session:
            began = time.perf_counter()
            ws = await session.ws_connect(
                f"https://127.0.0.1:{port}/ws", ssl=bundle.client_context()
            )
            got = await _consume(ws, frames * batch)
            elapsed = time.perf_counter() - began
            await ws.close()
            return got / elapsed
    finally:
        await runner.cleanup()


async def main(count: int, batch: int) -> int:
    sim_rate = await bench_sim(count, batch)
    base_rate = await bench_baseline(count, batch)
    print(f"simulator: {count} updates in frames of {batch}: {sim_rate:,.0f} updates/s")
    print(f"baseline (raw aiohttp, pre-built frames): {base_rate:,.0f} updates/s")
    print(f"ratio simulator/baseline: {sim_rate / base_rate:.2f}")
    ok = sim_rate >= TARGET
    print(f"target {TARGET:,} updates/s: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=500_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.count, args.batch)))
