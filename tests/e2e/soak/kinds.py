"""The fault kinds of the soak: how each is injected and when the SmartServer answers again.

Each kind injects its fault through the simulator's control API (or by killing its
process) and returns the moment from which the SmartServer answers again: recovery is
measured from there. Values keep changing while a fault lasts.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import time
from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    import random

    from tests.e2e.sim_process import SimProcess


@dataclass(frozen=True, slots=True)
class Profile:
    """How long faults last (seconds, drawn uniformly from each range)."""

    name: str
    outage: tuple[float, float]  # a restart, a killed process
    black_hole: tuple[float, float]
    slow_for: tuple[float, float]
    latency: tuple[float, float]
    drip: tuple[float, float]
    certificate: tuple[float, float]
    steal: tuple[float, float]
    # How long values go on changing after an instant fault.
    overlap: tuple[float, float]
    # The pause between two faults: longer than LiveOptions.flap_after (2 s), or the
    # link between them would count as a flap and the back-off would grow.
    settle: tuple[float, float]


# scripts/soak: long enough that the heartbeat finds some black holes (30 s + 15 s),
# latency beyond the request time-out (10 s), restarts that take a while.
FULL = Profile(
    name="full",
    outage=(1.0, 12.0),
    black_hole=(2.0, 55.0),
    slow_for=(3.0, 15.0),
    latency=(1.0, 14.0),
    drip=(2.0, 15.0),
    certificate=(2.0, 10.0),
    steal=(10.0, 30.0),
    overlap=(0.0, 1.5),
    settle=(2.0, 6.0),
)
# The test suite's short soak: every kind, short.
QUICK = Profile(
    name="quick",
    outage=(0.5, 2.0),
    black_hole=(1.0, 3.0),
    slow_for=(1.0, 3.0),
    latency=(0.5, 2.0),
    drip=(1.0, 3.0),
    certificate=(1.0, 2.0),
    steal=(3.0, 6.0),
    overlap=(0.0, 0.5),
    settle=(2.0, 2.5),
)


@dataclass(slots=True)
class Context:
    """What a fault needs: the simulator, randomness, the profile, the site."""

    sim: SimProcess
    rand: random.Random
    profile: Profile
    user: str
    smartserver_id: str
    followed: list[str]

    def draw(self, bounds: tuple[float, float]) -> float:
        """Return a duration drawn from ``bounds``."""
        return self.rand.uniform(*bounds)


type Inject = Callable[[Context], Awaitable[float]]


@dataclass(frozen=True, slots=True)
class Kind:
    """One fault kind; ``inject`` returns when the SmartServer answers again."""

    name: str
    label: str
    inject: Inject
    # True: the live link must drop; None: it may or may not.
    drops_link: bool | None
    # How long recovery may take before the fault counts as not recovered.
    deadline: float = 90.0


async def _after_overlap(ctx: Context) -> float:
    answers = time.time()
    await asyncio.sleep(ctx.draw(ctx.profile.overlap))
    return answers


async def _for(ctx: Context, seconds: float) -> float:
    await asyncio.sleep(seconds)
    return time.time()


async def _until_it_answers(ctx: Context, timeout: float = 60) -> float:
    async with asyncio.timeout(timeout):
        while await ctx.sim.try_control("counters") is None:  # noqa: ASYNC110 - polling another process
            await asyncio.sleep(0.05)
    return time.time()


async def ws_drop(ctx: Context) -> float:
    await ctx.sim.control("drop_websockets")
    return await _after_overlap(ctx)


async def close_code(ctx: Context) -> float:
    code = ctx.rand.choice([1000, 1001, 1008, 1011, 1012, 1013, 4000, 4999])
    await ctx.sim.control("close_websockets", code=code, reason="soak")
    return await _after_overlap(ctx)


async def restart(ctx: Context) -> float:
    await ctx.sim.control("restart", seconds=ctx.draw(ctx.profile.outage))
    await asyncio.sleep(0.2)  # the simulator goes down 50 ms after answering
    return await _until_it_answers(ctx)


async def kill9(ctx: Context) -> float:
    await ctx.sim.kill()
    await asyncio.sleep(ctx.draw(ctx.profile.outage))
    await ctx.sim.start()
    return time.time()


async def expiry(ctx: Context) -> float:
    await ctx.sim.control("expire_sessions")
    return await _after_overlap(ctx)


async def stray_401(ctx: Context) -> float:
    variant = ctx.rand.randrange(3)
    if variant == 0:
        await ctx.sim.control(
            "inject_http_errors", status=401, count=1, path_prefix="/iap/auth/login"
        )
        await ctx.sim.control("expire_sessions")
    else:
        path = "/iap/dp/updates/subscribe" if variant == 1 else "/iap/ws"
        await ctx.sim.control(
            "inject_http_errors", status=401, count=variant, path_prefix=path
        )
        await ctx.sim.control("drop_websockets")
    return await _after_overlap(ctx)


async def server_errors(ctx: Context) -> float:
    await ctx.sim.control(
        "inject_http_errors",
        status=ctx.rand.choice([500, 502, 503, 504]),
        count=ctx.rand.randint(1, 3),
        path_prefix=ctx.rand.choice(
            ["/iap/ws", "/iap/dp/updates/subscribe", "/iap/devs"]
        ),
    )
    await ctx.sim.control("drop_websockets")
    return await _after_overlap(ctx)


async def login_503(ctx: Context) -> float:
    await ctx.sim.control(
        "inject_http_errors",
        status=503,
        count=ctx.rand.randint(1, 3),
        path_prefix="/iap/auth/login",
    )
    await ctx.sim.control("expire_sessions")
    return await _after_overlap(ctx)


async def rate_limited(ctx: Context) -> float:
    wait = ctx.rand.randint(1, 3)
    await ctx.sim.control(
        "inject_http_errors",
        status=429,
        count=1,
        path_prefix=ctx.rand.choice(["/iap/dp/updates/subscribe", "/iap/devs"]),
        retry_after=wait,
    )
    await ctx.sim.control("drop_websockets")
    # "Come back in n seconds": the SmartServer answers again after them.
    return await _for(ctx, wait)


async def slow(ctx: Context) -> float:
    path = ctx.rand.choice(
        ["/iap/devs", "/iap/dp/updates/subscribe", "/iap/ws", "/iap"]
    )
    await ctx.sim.control(
        "inject_latency", seconds=ctx.draw(ctx.profile.latency), path_prefix=path
    )
    await ctx.sim.control("drop_websockets")
    answers = await _for(ctx, ctx.draw(ctx.profile.slow_for))
    await ctx.sim.control("inject_latency", seconds=0, path_prefix=path)
    return answers


async def black_hole(ctx: Context) -> float:
    seconds = ctx.draw(ctx.profile.black_hole)
    await ctx.sim.control("black_hole", seconds=seconds)
    return await _for(ctx, seconds)


async def cut(ctx: Context) -> float:
    await ctx.sim.control(
        "inject_cut",
        mode=ctx.rand.choice(["reset", "truncate"]),
        # Twice: aiohttp repeats a GET once when a reused connection breaks.
        count=2,
        path_prefix=ctx.rand.choice(
            ["/iap/devs", "/iap/dp/updates/subscribe", "/iap/auth/login", "/iap/ws"]
        ),
    )
    await ctx.sim.control("drop_websockets")
    return await _after_overlap(ctx)


async def certificate(ctx: Context) -> float:
    seconds = ctx.draw(ctx.profile.certificate)
    await ctx.sim.control("change_certificate", seconds=seconds)
    await ctx.sim.control("drop_websockets")
    return await _for(ctx, seconds)


async def drip(ctx: Context) -> float:
    seconds = ctx.draw(ctx.profile.drip)
    await ctx.sim.control("drip", seconds=seconds, chunk=16, interval=0.05)
    return await _for(ctx, seconds)


async def oversized(ctx: Context) -> float:
    await ctx.sim.control("send_oversized_frame", size=5 * 1024 * 1024)
    return await _after_overlap(ctx)


def _junk_frames(ctx: Context) -> list[bytes]:
    qualifier = ctx.rand.choice(ctx.followed)
    return [
        b'{"action": "UPD:DATAPOINT", "payload": [{"datapointQ',
        b"[1, 2, 3]",
        b'"end"',
        b"<html><body>Bad gateway</body></html>",
        orjson.dumps({"action": 5, "payload": {}}),
        orjson.dumps({"action": "UPD:DATAPOINT", "payload": "nothing"}),
        orjson.dumps({"action": "UPD:DATAPOINT", "payload": [{"value": 1}, 7]}),
        orjson.dumps({"action": "UPD:DEVICE", "payload": []}),
        orjson.dumps({"action": "DEL:DEVICE", "payload": {"id": ctx.smartserver_id}}),
        orjson.dumps({"action": "UPD:SOMETHING:NEW", "payload": {"x": 1}}),
        orjson.dumps({"action": "CRT:ALARM", "payload": {"id": "not a number"}}),
        # A datapoint nobody follows, with a value no JSON parser likes.
        (
            b'{"action": "UPD:DATAPOINT", "payload": [{"datapointQualifier": '
            b'"x/lon/0.0/None/0/nvoNone", "value": NaN}]}'
        ),
        orjson.dumps({"action": "NTF:TIME", "payload": {"value": "yesterday"}}),
        # A followed datapoint without a value: an item the client must skip.
        orjson.dumps(
            {"action": "UPD:DATAPOINT", "payload": [{"dpQualifier": qualifier}]}
        ),
        b"{}",
    ]


async def frames(ctx: Context) -> float:
    for frame in ctx.rand.sample(_junk_frames(ctx), 4):
        await ctx.sim.control("send_frame", data=frame.decode())
    return await _after_overlap(ctx)


async def rest_bodies(ctx: Context) -> float:
    body, content_type = ctx.rand.choice(
        [
            (
                "<html><head><title>Login</title></head><body></body></html>",
                "text/html",
            ),
            ('{"unexpected": ["shape"]}', "application/json"),
            ("[1, 2, 3]", "application/json"),
            ("", "application/json"),
        ]
    )
    await ctx.sim.control(
        "inject_body",
        body=body,
        content_type=content_type,
        count=ctx.rand.randint(1, 2),
        path_prefix=ctx.rand.choice(
            ["/iap/devs", "/iap/dp/updates/subscribe", "/iap/auth/login"]
        ),
    )
    await ctx.sim.control("drop_websockets")
    return await _after_overlap(ctx)


async def duplicates(ctx: Context) -> float:
    await ctx.sim.control("send_duplicates", count=5)
    await ctx.sim.control("send_stale_updates", count=5)
    return await _after_overlap(ctx)


async def steal(ctx: Context) -> float:
    kept = ctx.rand.sample(ctx.followed, len(ctx.followed) // 2)
    await ctx.sim.control(
        "steal_subscription", user=ctx.user, qualifiers=ctx.rand.choice([[], kept])
    )
    answers = time.time()
    await asyncio.sleep(ctx.draw(ctx.profile.steal))
    return answers


KINDS: tuple[Kind, ...] = (
    Kind("ws_drop", "WebSocket drop", ws_drop, True),
    Kind("close_code", "close frame (other codes)", close_code, True),
    Kind("restart", "simulator restart (in-process)", restart, True),
    Kind("kill9", "simulator killed (kill -9) and started", kill9, True),
    Kind("expiry", "session expiry", expiry, True),
    Kind("stray_401", "401 once or twice", stray_401, True),
    Kind("server_errors", "5xx 1–3 times", server_errors, True),
    Kind("login_503", "503 on login + expiry", login_503, True),
    Kind("rate_limited", "429 with Retry-After", rate_limited, True),
    Kind("slow", "slow replies on one path", slow, True),
    Kind("black_hole", "black hole (no answer, no pongs)", black_hole, None),
    Kind("cut", "connection reset / truncated body", cut, True),
    Kind("certificate", "certificate change", certificate, True),
    Kind("drip", "dripping WebSocket", drip, None),
    Kind("oversized", "oversized frame", oversized, True),
    Kind("frames", "malformed / arbitrary frames", frames, False),
    Kind("rest_bodies", "HTML pages, wrong shapes (REST)", rest_bodies, True),
    Kind("duplicates", "duplicate and out-of-order updates", duplicates, False),
    # Detection waits for the takeover probe (one a minute, two misses).
    Kind("steal", "stolen subscription", steal, False, deadline=300.0),
)
KIND_NAMES = tuple(kind.name for kind in KINDS)
