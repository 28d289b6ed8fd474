"""SystemClock and ManualClock: timers, sleeps, and waiting for a timer."""

from __future__ import annotations

import asyncio
import time

import pytest

from smartserver_sim import ManualClock, SystemClock


def test_manual_time_moves_only_when_advanced() -> None:
    clock = ManualClock(start=1000.0)
    assert clock.time() == clock.monotonic() == 1000.0
    clock.advance(2.5)
    assert clock.time() == clock.monotonic() == 1002.5
    assert ManualClock().time() == pytest.approx(time.time(), abs=60)


def test_manual_timers_fire_in_deadline_order() -> None:
    clock = ManualClock(start=0.0)
    fired: list[tuple[str, float]] = []
    clock.call_later(3, lambda: fired.append(("c", clock.time())))
    clock.call_later(1, lambda: fired.append(("a", clock.time())))
    clock.call_later(1, lambda: fired.append(("b", clock.time())))
    cancelled = clock.call_later(2, lambda: fired.append(("x", clock.time())))
    cancelled.cancel()
    clock.call_later(-1, lambda: fired.append(("now", clock.time())))
    assert clock.pending() == [0.0, 1, 1, 3]
    assert clock.advance(0.5) == 1
    assert clock.advance(2.5) == 3
    assert fired == [("now", 0.0), ("a", 1.0), ("b", 1.0), ("c", 3.0)]
    assert clock.time() == 3.0 and clock.pending() == []


async def test_manual_sleep_and_wait_for_timer() -> None:
    clock = ManualClock(start=0.0)
    sleeper = asyncio.create_task(clock.sleep(10))
    await clock.wait_for_timer(10)
    clock.advance(9.9)
    await asyncio.sleep(0)
    assert not sleeper.done()
    clock.advance(0.1)
    await sleeper
    await clock.sleep(0)  # zero just yields
    with pytest.raises(TimeoutError):
        await ManualClock(wait_limit=0.01).wait_for_timer(7)


async def test_cancelled_manual_sleep_leaves_no_timer() -> None:
    clock = ManualClock(start=0.0)
    sleeper = asyncio.create_task(clock.sleep(5))
    await clock.wait_for_timer(5)
    sleeper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sleeper
    assert clock.pending() == []
    assert clock.advance(5) == 0


async def test_system_clock() -> None:
    clock = SystemClock()
    assert clock.time() == pytest.approx(time.time(), abs=1)
    assert clock.monotonic() == pytest.approx(time.monotonic(), abs=1)
    fired = asyncio.Event()
    clock.call_later(0, fired.set)
    await clock.sleep(0)
    await asyncio.wait_for(fired.wait(), 1)
