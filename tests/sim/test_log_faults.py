"""Data-log streams that break mid-way, and meters that roll over."""

from __future__ import annotations

from datetime import UTC, datetime
import time
from typing import TYPE_CHECKING
from urllib.parse import quote
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from smartserver_sim import SmartServerSim, build_scenario, expected_log_entries
from smartserver_sim.generators import generator_from_spec
from smartserver_sim.sites import meter_spec
from smartserver_sim.timefmt import HourlyTimes, iso_z, zoned_local

if TYPE_CHECKING:
    from .conftest import Api


def fmt(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000", time.gmtime(t))


@pytest.mark.parametrize("sim_overrides", [{"log_cut_after": 100}])
async def test_a_cut_stream_ends_without_end_and_abnormally(
    sim: SmartServerSim, api: Api
) -> None:
    end = (time.time() // 3600) * 3600 - 3600
    start = end - 6 * 3600  # 360 entries of a 1-minute log
    value = quote(f"*+utc>{fmt(start)}&utc<={fmt(end)}", safe="")
    ws = await api.ws(
        f"?dev=4&blockName=Light%20Sensor&blockIndex=0&dpName=nvoLuxLevel&value={value}"
    )
    texts = [msg.data async for msg in ws if msg.type is aiohttp.WSMsgType.TEXT]
    assert len(texts) == 100
    assert '"end"' not in texts
    assert ws.close_code == 1011
    assert sim.counters.log_entries_sent == 100


def test_a_counter_rolls_over_at_its_wrap() -> None:
    meter = generator_from_spec(
        {"kind": "counter", "start": 990.0, "rate": 60.0, "wrap": 1000.0, "digits": 3}
    )
    assert meter is not None
    epoch = meter.epoch
    assert meter.value_at(epoch, 0) == 990.0
    assert meter.value_at(epoch + 540, 0) == 999.0
    assert meter.value_at(epoch + 600, 0) == 0.0
    assert meter.value_at(epoch + 660, 0) == 1.0


def test_log_entries_of_a_rolling_meter() -> None:
    meter = {"kind": "counter", "start": 0.0, "rate": 100.0, "wrap": 250.0}
    spec = meter_spec(
        [
            {
                "name": "nvoEnergy",
                "type": "SNVT_elec_kwh",
                "generator": meter,
                "log": 900,
            }
        ],
        sc_id="wr4p",
    )
    scenario = build_scenario(spec)
    (qualifier,) = [q for q in scenario.datapoints if q.endswith("nvoEnergy")]
    epoch = 1767225600.0
    entries = expected_log_entries(scenario, qualifier, epoch, epoch + 3 * 3600)
    values = [entry["value"] for entry in entries]
    assert values[:4] == [25.0, 50.0, 75.0, 100.0]
    assert values[9:11] == [0.0, 25.0]  # 250 kWh after 2.5 h: rolled over


@pytest.mark.parametrize(
    ("zone", "fast_at_least"),
    [
        ("Europe/Berlin", 110),
        ("UTC", 110),
        ("Asia/Kolkata", 0),  # +05:30: never on the hour
        ("Australia/Lord_Howe", 1),  # +10:30, +11:00 in summer
    ],
)
def test_hourly_times_match_the_formatters(zone: str, fast_at_least: int) -> None:
    """Across DST changes, in odd offsets, with and without fractions of a second."""
    tz = ZoneInfo(zone)
    times = HourlyTimes(tz)
    autumn = datetime(2026, 10, 24, 22, tzinfo=UTC).timestamp()
    spring = datetime(2026, 4, 4, 12, tzinfo=UTC).timestamp()  # Lord Howe: -30 min
    fast = 0
    for t in [
        *(autumn + 450 * n for n in range(60)),
        *(spring + 450 * n for n in range(60)),
        autumn + 0.25,
    ]:
        texts = times.texts(t)
        if texts is not None:
            fast += 1
            assert texts == (iso_z(t), zoned_local(t, tz))
    assert fast >= fast_at_least
