"""One clock per test: the top of an hour passing mid-test changes no one's hour."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from custom_components.smartserver_iap.hourly import HOUR, hour_of

from .conftest import (
    HOUR_MARGIN,
    TEMPERATURE,
    ago,
    anchor_offset,
    expected_means,
    import_history,
    iso,
    log_entries,
    stored_rows,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from smartserver_sim import SmartServerSim

    from .conftest import HistoryClock

# The system clock reads this long before the top of an hour when the test starts:
# longer than setting up Home Assistant and the entry takes, so the hour passes on
# the system clock while the test runs.
LEAD = 3.0


@pytest.mark.parametrize(
    "now", [0.0, 0.5, HOUR_MARGIN, HOUR_MARGIN + 0.5, HOUR / 2, HOUR - 0.5]
)
def test_the_clock_starts_early_in_the_current_hour(now: float) -> None:
    hour = 1_795_000_000 - 1_795_000_000 % HOUR
    anchored = hour + now + anchor_offset(hour + now)
    assert hour_of(anchored) == hour
    assert anchored - hour == min(now, HOUR_MARGIN)


@pytest.mark.parametrize("seconds_to_the_hour", [LEAD], indirect=True)
async def test_an_hour_passing_on_the_system_clock_changes_no_hour(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: SmartServerSim,
    history_clock: HistoryClock,
) -> None:
    """The system clock passes the top of an hour mid-test; no one's hour changes.

    Read from the system clock (before ``history_clock``), ``ago`` and Home Assistant's
    last complete hour moved on here, after the test had computed its hours.
    """
    current, last_hour = ago(0), iso(ago(1))
    boundary = hour_of(history_clock.system_start) + HOUR
    async with asyncio.timeout(LEAD + 5):
        while history_clock.system_time() < boundary:  # noqa: ASYNC110 - the clock
            await asyncio.sleep(0.05)

    assert ago(0) == current
    # Without an end the import runs to Home Assistant's last complete hour.
    response = await import_history(hass, {"entity_id": TEMPERATURE}, start=iso(ago(3)))
    summary = response["entities"][TEMPERATURE]
    assert (summary["last_hour"], summary["hours_written"]) == (last_hour, 3)
    qualifier = init_integration.runtime_data.history.sensors[TEMPERATURE].qualifier
    expected = expected_means(log_entries(sim, qualifier, ago(3), ago(0)))
    rows = await stored_rows(hass, TEMPERATURE, ago(3), ago(0))
    assert [(r["start"], r["mean"]) for r in rows] == [
        (hour, pytest.approx(mean, rel=1e-12)) for hour, mean, _, _ in expected
    ]
