"""The import action against the simulator's data logs, into the real recorder."""

from __future__ import annotations

from datetime import UTC, datetime
import itertools
from typing import TYPE_CHECKING, Any

from homeassistant.components.recorder.db_schema import StatisticsShortTerm
from homeassistant.core import Event, EventStateChangedData, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.recorder import get_instance
import pytest

from smartserver_sim import SimOptions, SmartServerSim, build_scenario
from smartserver_sim.sites import meter_spec
from tests.integration.conftest import setup_sim_entry

from .conftest import (
    ENERGY,
    LUX,
    TEMPERATURE,
    VOLTAGE,
    ago,
    expected_means,
    expected_sums,
    import_history,
    iso,
    log_entries,
    store_rows,
    stored_rows,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from .conftest import HistoryClock


def qualifier_of(entry: MockConfigEntry, entity_id: str) -> str:
    qualifier: str = entry.runtime_data.history.sensors[entity_id].qualifier
    return qualifier


@pytest.mark.parametrize("entity_id", [TEMPERATURE, LUX])
async def test_measurement_hours_match_the_log(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: SmartServerSim,
    entity_id: str,
) -> None:
    start, end = ago(30), ago(6)
    response = await import_history(
        hass, {"entity_id": entity_id}, start=iso(start), end=iso(end)
    )

    entries = log_entries(sim, qualifier_of(init_integration, entity_id), start, end)
    expected = expected_means(entries)
    assert len(expected) == 24
    rows = await stored_rows(hass, entity_id, start - 48 * 3600, end + 48 * 3600)
    assert [(r["start"], r["mean"], r["min"], r["max"]) for r in rows] == [
        (hour, pytest.approx(mean, rel=1e-12), low, high)
        for hour, mean, low, high in expected
    ]
    summary = response["entities"][entity_id]
    assert summary["entries"] == len(entries)
    assert summary["hours_written"] == 24
    assert summary["hours_kept"] == 0
    assert summary["first_hour"] == iso(start)
    assert summary["last_hour"] == iso(end - 3600)


async def test_meter_sums_run_from_zero(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SmartServerSim
) -> None:
    start, end = ago(30), ago(6)
    await import_history(hass, {"entity_id": ENERGY}, start=iso(start), end=iso(end))

    entries = log_entries(sim, qualifier_of(init_integration, ENERGY), start, end)
    rows = await stored_rows(hass, ENERGY, start - 48 * 3600, end + 48 * 3600)
    assert [(r["start"], r["state"], r["sum"]) for r in rows] == [
        (hour, state, pytest.approx(total, abs=1e-9))
        for hour, state, total in expected_sums(entries)
    ]


async def test_overlapping_imports_keep_rows_and_sums(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SmartServerSim
) -> None:
    await import_history(
        hass, {"entity_id": ENERGY}, start=iso(ago(40)), end=iso(ago(20))
    )
    first = await stored_rows(hass, ENERGY, ago(60), ago(0))
    assert len(first) == 20

    response = await import_history(
        hass, {"entity_id": ENERGY}, start=iso(ago(30)), end=iso(ago(10))
    )
    second = await stored_rows(hass, ENERGY, ago(60), ago(0))

    summary = response["entities"][ENERGY]
    assert (summary["hours_kept"], summary["hours_written"]) == (10, 10)
    assert second[:20] == first
    sums = [row["sum"] for row in second]
    assert sums == sorted(sums)
    # The new hours continue the stored ones exactly as one import would have.
    entries = log_entries(sim, qualifier_of(init_integration, ENERGY), ago(40), ago(10))
    assert [(r["start"], r["state"], r["sum"]) for r in second] == [
        (hour, state, pytest.approx(total, abs=1e-9))
        for hour, state, total in expected_sums(entries)
    ]

    # The same window again changes nothing.
    again = await import_history(
        hass, {"entity_id": ENERGY}, start=iso(ago(40)), end=iso(ago(10))
    )
    assert again["entities"][ENERGY]["hours_written"] == 0
    assert await stored_rows(hass, ENERGY, ago(60), ago(0)) == second


@pytest.mark.parametrize(
    "sim_options",
    [
        SimOptions(auto_updates=False, ntf_time_interval=None, log_order="desc"),
        *(
            SimOptions(auto_updates=False, ntf_time_interval=None, log_utc_format=form)
            for form in ("zoned", "z", "space")
        ),
    ],
    ids=["newest-first", "utc-zoned", "utc-z", "utc-space"],
)
async def test_every_order_and_timestamp_form(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SmartServerSim
) -> None:
    start, end = ago(12), ago(2)
    response = await import_history(
        hass, {"entity_id": [LUX, ENERGY]}, start=iso(start), end=iso(end)
    )
    assert response["entities"][LUX]["skipped"]["duplicate"] == 0

    lux = log_entries(sim, qualifier_of(init_integration, LUX), start, end)
    rows = await stored_rows(hass, LUX, start, end)
    assert [(r["start"], r["mean"], r["min"], r["max"]) for r in rows] == [
        (hour, pytest.approx(mean, rel=1e-12), low, high)
        for hour, mean, low, high in expected_means(lux)
    ]
    energy = log_entries(sim, qualifier_of(init_integration, ENERGY), start, end)
    rows = await stored_rows(hass, ENERGY, start, end)
    assert [(r["start"], r["state"], r["sum"]) for r in rows] == [
        (hour, state, pytest.approx(total, abs=1e-9))
        for hour, state, total in expected_sums(energy)
    ]


async def test_a_dst_change_inside_the_window(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SmartServerSim
) -> None:
    """Berlin's autumn day has 25 hours; times without a zone are Home Assistant's."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    await import_history(
        hass,
        {"entity_id": TEMPERATURE},
        start="2026-10-25 00:00:00",
        end="2026-10-26 00:00:00",
    )
    start = datetime(2026, 10, 24, 22, tzinfo=UTC).timestamp()
    end = datetime(2026, 10, 25, 23, tzinfo=UTC).timestamp()
    rows = await stored_rows(hass, TEMPERATURE, start - 86400, end + 86400)
    entries = log_entries(sim, qualifier_of(init_integration, TEMPERATURE), start, end)
    assert [row["start"] for row in rows] == [start + n * 3600 for n in range(25)]
    assert [(r["start"], r["mean"], r["min"], r["max"]) for r in rows] == [
        (hour, pytest.approx(mean, rel=1e-12), low, high)
        for hour, mean, low, high in expected_means(entries)
    ]


async def test_an_hour_being_compiled_is_not_imported_over(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    # Home Assistant compiles an hour's row from its 5-minute rows a few minutes after
    # the hour: until then the hour counts as stored, and the import leaves it alone.
    five_minutes = [
        {"start": ago(1) + 300 * n, "mean": 1.0, "min": 1.0, "max": 1.0}
        for n in range(12)
    ]
    store_rows(hass, TEMPERATURE, *five_minutes, table=StatisticsShortTerm)
    await get_instance(hass).async_block_till_done()
    response = await import_history(
        hass, {"entity_id": TEMPERATURE}, start=iso(ago(4)), end=iso(ago(0))
    )
    summary = response["entities"][TEMPERATURE]
    assert (summary["hours_written"], summary["hours_kept"]) == (3, 1)
    rows = await stored_rows(hass, TEMPERATURE, ago(8), ago(0))
    assert [row["start"] for row in rows] == [ago(4), ago(3), ago(2)]


async def test_an_empty_window_writes_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    response = await import_history(
        hass, {"entity_id": VOLTAGE}, start=iso(ago(12)), end=iso(ago(2))
    )
    assert response["entities"][VOLTAGE] == {
        "datapoint": qualifier_of(init_integration, VOLTAGE),
        "entries": 0,
        "hours_written": 0,
        "hours_kept": 0,
        "first_hour": None,
        "last_hour": None,
        "skipped": {
            "not_numeric": 0,
            "duplicate": 0,
            "outside_window": 0,
            "other_datapoint": 0,
        },
        "resumed": 0,
    }
    assert await stored_rows(hass, VOLTAGE, ago(48), ago(0)) == []


async def test_a_stream_cut_mid_way_resumes_from_the_last_complete_hour(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SmartServerSim
) -> None:
    """The session expires while the log streams: the query goes on where it broke."""
    start, end = ago(24 * 4), ago(2)
    progress = "sensor.smartserver_iot_history_import"
    cuts: list[int] = []

    @callback
    def cut_once(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if not cuts and new is not None and new.attributes.get("datapoint"):
            if new.state not in ("unknown", "0"):
                cuts.append(sim.counters.log_entries_sent)
                hass.async_create_task(sim.expire_sessions())

    unsubscribe = async_track_state_change_event(hass, progress, cut_once)
    sent_before = sim.counters.log_entries_sent
    response = await import_history(
        hass, {"entity_id": LUX}, start=iso(start), end=iso(end)
    )
    unsubscribe()

    entries = log_entries(sim, qualifier_of(init_integration, LUX), start, end)
    summary = response["entities"][LUX]
    assert cuts, "the stream was never cut"
    assert summary["resumed"] == 1
    rows = await stored_rows(hass, LUX, start, end)
    assert [(r["start"], r["mean"], r["min"], r["max"]) for r in rows] == [
        (hour, pytest.approx(mean, rel=1e-12), low, high)
        for hour, mean, low, high in expected_means(entries)
    ]
    # Resumed at the hour it broke in: at most that hour's 60 entries came twice.
    resent = sim.counters.log_entries_sent - sent_before - len(entries)
    assert 0 <= resent <= 60


@pytest.mark.parametrize(
    "sim_options",
    [
        SimOptions(auto_updates=False, ntf_time_interval=None, log_cut_after=100),
        SimOptions(
            auto_updates=False,
            ntf_time_interval=None,
            log_cut_after=100,
            log_order="desc",
        ),
    ],
    ids=["oldest-first", "newest-first"],
)
async def test_every_stream_breaking_still_imports_every_hour(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SmartServerSim
) -> None:
    """Each query breaks after 100 entries: each resumes at the hour it broke in."""
    start, end = ago(12), ago(2)
    response = await import_history(
        hass, {"entity_id": LUX}, start=iso(start), end=iso(end)
    )
    entries = log_entries(sim, qualifier_of(init_integration, LUX), start, end)
    summary = response["entities"][LUX]
    # 600 entries of 1 minute, each query breaks after 100: it keeps its first whole
    # hour and the next query starts at the hour it broke in.
    assert summary["resumed"] == 9
    rows = await stored_rows(hass, LUX, start, end)
    assert [(r["start"], r["mean"], r["min"], r["max"]) for r in rows] == [
        (hour, pytest.approx(mean, rel=1e-12), low, high)
        for hour, mean, low, high in expected_means(entries)
    ]
    assert sim.counters.log_queries == 10
    # Only the 40 entries of each broken hour came twice, never the hours before.
    assert sim.counters.log_entries_sent - len(entries) == 9 * 40


def rolling_meter_spec() -> dict[str, Any]:
    """A SmartServer with one energy meter that rolls over at 240 kWh (100 kWh/h)."""
    meter = {"kind": "counter", "start": 0.0, "rate": 100.0, "wrap": 240.0}
    return meter_spec(
        [
            {
                "name": "nvoEnergy",
                "type": "SNVT_elec_kwh",
                "generator": meter,
                "log": 900,
            }
        ],
        sc_id="r0ll",
    )


def reset_sums(entries: list[tuple[float, float]]) -> list[tuple[float, float, float]]:
    """(hour, state, sum) as Home Assistant's compiler counts a meter that resets.

    A reading below 90 % of the one before starts a new cycle: the meter counted that
    reading since zero.
    """
    rows: dict[float, tuple[float, float]] = {}
    total = 0.0
    before: float | None = None
    for t, value in entries:
        if before is not None:
            total += value if value < 0.9 * before else value - before
        before = value
        rows[t - t % 3600] = (value, total)
    return [(hour, state, total) for hour, (state, total) in sorted(rows.items())]


async def test_a_meter_that_rolls_over_keeps_a_rising_sum(
    hass: HomeAssistant,
    sim_options: SimOptions,
    sim_clock: HistoryClock,
    socket_enabled: None,
) -> None:
    scenario = build_scenario(rolling_meter_spec())
    async with SmartServerSim(scenario, options=sim_options, clock=sim_clock) as sim:
        entry = await setup_sim_entry(hass, sim)
        (entity_id,) = entry.runtime_data.history.sensors
        start, end = ago(24), ago(2)
        await import_history(
            hass, {"entity_id": entity_id}, start=iso(start), end=iso(end)
        )
        (qualifier,) = scenario.datapoints
        entries = log_entries(sim, qualifier, start, end)
        values = [value for _, value in entries]
        # It rolled over several times inside the window.
        assert sum(b < a for a, b in itertools.pairwise(values)) >= 8

        rows = await stored_rows(hass, entity_id, start, end)
        assert [(r["start"], r["state"], r["sum"]) for r in rows] == [
            (hour, state, pytest.approx(total, abs=1e-9))
            for hour, state, total in reset_sums(entries)
        ]
        # What the Energy dashboard shows per hour: never below zero.
        sums = [row["sum"] for row in rows]
        assert all(b >= a for a, b in itertools.pairwise(sums))
        await hass.config_entries.async_unload(entry.entry_id)
