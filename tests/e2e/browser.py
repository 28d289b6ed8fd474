"""The system's Chromium driven by Playwright, watching for frontend errors.

Never a downloaded browser: Debian's ``chromium`` package (``.ci/run`` installs it).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
import os
from pathlib import Path
import shutil
from typing import TYPE_CHECKING

from playwright.async_api import async_playwright

from .hass_config import REPO

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from playwright.async_api import ConsoleMessage, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / ".screenshots"
# The README's screenshots; UPDATE_SCREENSHOTS=1 refreshes them.
README_SCREENSHOTS = REPO / "docs" / "screenshots"
README_NAMES = {"dashboard", "device", "trust-certificate", "integration"}


@dataclass
class Browser:
    """One page, and every frontend error it reported."""

    page: Page
    errors: list[str] = field(default_factory=list)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location.get("url", "")
            self.errors.append(f"console error: {message.text} ({location})")

    async def goto(self, url: str) -> None:
        """Open ``url`` and wait until the frontend has drawn it (icons included)."""
        await self.page.goto(url)
        await self.settle()

    async def settle(self) -> None:
        """Wait until the launch screen is gone and nothing more is being fetched."""
        await self.page.locator("#ha-launch-screen").wait_for(state="detached")
        await self.page.wait_for_load_state("networkidle")

    async def screenshot(self, name: str) -> Path:
        """Save the page as ``SCREENSHOTS/name.png``; return the file."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.screenshot(path=path)
        if os.environ.get("UPDATE_SCREENSHOTS") and name in README_NAMES:
            shutil.copyfile(path, README_SCREENSHOTS / path.name)
        return path


def chromium_missing() -> str | None:
    """Return why the system's Chromium cannot be used, or None."""
    if CHROMIUM.exists() or shutil.which("chromium"):
        return None
    return f"no {CHROMIUM}: install Debian's chromium (apt-get install -y chromium)"


@contextlib.asynccontextmanager
async def open_browser() -> AsyncIterator[Browser]:
    """Launch the system's Chromium with one page of a desktop's size."""
    executable = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium") or "")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await chromium.new_context(
                viewport={"width": 1280, "height": 900}, locale="en-US"
            )
            browser = Browser(await context.new_page())
            browser.page.on("console", browser._console)
            browser.page.on(
                "pageerror", lambda error: browser.errors.append(f"page error: {error}")
            )
            yield browser
        finally:
            await chromium.close()
