"""The simulator profile the client and integration suites run against."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests import profile

if TYPE_CHECKING:
    import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--sim-profile``: run the suites against the default or the strict simulator."""
    parser.addoption(
        "--sim-profile",
        choices=profile.PROFILES,
        default="default",
        help="simulator readings of the client and integration tests: the defaults, "
        "or every other reading of the [GUESS] switches at once (SimOptions.strict)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Remember the chosen profile for the simulators the tests start."""
    profile.select(config.getoption("--sim-profile"))


def pytest_report_header(config: pytest.Config) -> str:
    """Say which simulator profile the run uses."""
    return f"simulator profile: {profile.current()}"
