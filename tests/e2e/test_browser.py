"""The demo of ``scripts/develop`` in a real browser, as a newcomer would use it.

Starts exactly what ``scripts/develop`` starts, logs in through the login page, watches a
SmartServer device page follow the simulator live, and adds a second SmartServer through
the config flow's dialogs, certificate trust included. Any frontend error (console error,
uncaught page error) and any ERROR line of Home Assistant fails it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from playwright.async_api import expect
import pytest

from .browser import Browser, chromium_missing, open_browser
from .demo import (
    DEVICES_VIEW,
    DOMAIN,
    SECOND_NAME,
    SECOND_UID,
    SIM_USER,
    Demo,
    DemoSettings,
    run_demo,
    sim_control,
    wait_entries_loaded,
)
from .hass_process import error_lines, free_port

if TYPE_CHECKING:
    from pathlib import Path

    from smartserver_sim import Datapoint, SmartServerSim

pytestmark = pytest.mark.browser

# An output datapoint without a value generator: its value before the change is a steady
# whole number of °C that the page is checked against first. (A value set on the simulator
# holds either way, generated or not, until ``resume_generator``.)
LIVE_DEVICE, LIVE_DATAPOINT = "Thermostat Büro 1", "nvoEffectSetpt"
NEW_VALUE = 27  # °C: no other temperature of the demo comes near it
LIVE_WITHIN_MS = 5000

# True once the entity row of ``entity_id`` shows a value matching ``pattern``. Rows live
# in nested shadow roots; a row's generic part knows its entity (``config.entity``) and
# holds the shown value as its light-DOM content.
_ROW_SHOWS = """
([entityId, pattern]) => {
  const find = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.tagName === "HUI-GENERIC-ENTITY-ROW" && el.config
          && el.config.entity === entityId) return el;
      const found = el.shadowRoot && find(el.shadowRoot);
      if (found) return found;
    }
    return null;
  };
  const row = find(document);
  return row !== null
    && new RegExp(pattern).test(row.textContent.replace(/\\s+/g, " ").trim());
}
"""


def _celsius(value: float) -> str:
    """Return a pattern for a whole number of °C, whatever the display precision."""
    assert float(value).is_integer()
    return rf"^{int(value)}(\.0+)?\s?°C$"


def _live_datapoint(sim: SmartServerSim) -> Datapoint:
    datapoint = next(
        dp
        for dp in sim.scenario.datapoints.values()
        if dp.device.name == LIVE_DEVICE and dp.name == LIVE_DATAPOINT
    )
    assert datapoint.generator is None
    return datapoint


async def _entity(demo: Demo, datapoint: Datapoint) -> dict[str, Any]:
    """Return the entity registry entry of a datapoint of the first SmartServer."""
    (entities,) = await demo.hass.ws({"type": "config/entity_registry/list"})
    unique_id = f"{demo.sim.scenario.smartserver().uid}_{datapoint.qualifier}"
    return next(e for e in entities if e["unique_id"] == unique_id)


async def _log_in(browser: Browser, demo: Demo) -> None:
    page = browser.page
    await page.goto(demo.hass.url)
    await page.get_by_label("Username").fill(demo.owner.username)
    await page.get_by_label("Password", exact=True).fill(demo.owner.password)
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/home/"), timeout=30_000)
    # The frontend finished loading (it hangs on "Loading…" when a backend call fails).
    await expect(page.locator("ha-sidebar")).to_be_visible(timeout=30_000)
    await browser.settle()


async def _watch_live_value(browser: Browser, demo: Demo) -> None:
    page = browser.page
    datapoint = _live_datapoint(demo.sim)
    entity = await _entity(demo, datapoint)
    await browser.goto(f"{demo.hass.url}/config/devices/device/{entity['device_id']}")
    await expect(page.get_by_text(LIVE_DEVICE).first).to_be_visible()
    await page.wait_for_function(
        _ROW_SHOWS, arg=[entity["entity_id"], _celsius(datapoint.value)]
    )
    await expect(page.get_by_text(re.compile("Unavailable|Unknown"))).to_have_count(0)
    await sim_control(
        demo.sim, "set_value", qualifier=datapoint.qualifier, value=NEW_VALUE
    )
    await page.wait_for_function(
        _ROW_SHOWS,
        arg=[entity["entity_id"], _celsius(NEW_VALUE)],
        timeout=LIVE_WITHIN_MS,
        polling=100,
    )
    await browser.screenshot("device")


async def _add_second_smartserver(browser: Browser, demo: Demo) -> None:
    page, second = browser.page, demo.second
    assert second is not None
    await browser.goto(
        f"{demo.hass.url}/config/integrations/integration/smartserver_iap"
    )
    await page.get_by_role("button", name="Add hub").click()
    await page.locator("input[name=host]").fill(second.host)
    await page.get_by_role("spinbutton").fill(str(second.port))
    await page.locator("input[name=username]").fill(SIM_USER[0])
    await page.locator("input[name=password]").fill(SIM_USER[1])
    radios = page.get_by_role("radio")
    for index in range(await radios.count()):
        if await radios.nth(index).get_attribute("value") == "pin":
            await radios.nth(index).check()
    await browser.screenshot("add-smartserver")
    await page.get_by_role("button", name="Submit").click()
    # The trust step shows the fingerprint the simulator really presents.
    assert second.fingerprint is not None
    await expect(page.get_by_text(second.fingerprint)).to_be_visible()
    await browser.screenshot("trust-certificate")
    await page.get_by_role("button", name="Submit").click()
    await expect(page.get_by_text(SECOND_NAME).first).to_be_visible()
    await browser.screenshot("smartserver-added")
    await page.get_by_role("button", name="Finish").click()
    await wait_entries_loaded(demo.hass)
    (devices,) = await demo.hass.ws({"type": "config/device_registry/list"})
    hubs = {
        uid for d in devices for domain, uid in d["identifiers"] if domain == DOMAIN
    }
    assert {demo.sim.scenario.smartserver().uid, SECOND_UID} <= hubs
    second_hub = page.get_by_text(SECOND_NAME).first
    await second_hub.scroll_into_view_if_needed()
    await expect(second_hub).to_be_in_viewport()
    await browser.screenshot("integration")


async def test_demo_in_a_browser(tmp_path: Path, socket_enabled: None) -> None:
    """Log in, see live values, add a second SmartServer; no error anywhere."""
    if (missing := chromium_missing()) is not None:
        pytest.fail(missing)
    settings = DemoSettings(
        config_dir=tmp_path / "config",
        ha_port=free_port(),
        sim_port=free_port(),
        second_sim_port=free_port(),
        second_smartserver=True,
    )
    async with run_demo(settings) as demo, open_browser() as browser:
        try:
            await _log_in(browser, demo)
            await browser.screenshot("overview")
            await browser.goto(f"{demo.hass.url}{DEVICES_VIEW}")
            await expect(browser.page.get_by_text(LIVE_DEVICE).first).to_be_visible()
            await browser.screenshot("dashboard")
            await _watch_live_value(browser, demo)
            await _add_second_smartserver(browser, demo)
        except BaseException:
            await browser.screenshot("failure")
            print(demo.hass.log_tail())
            raise
        assert browser.errors == []
    assert error_lines(demo.hass.log_path) == []
