"""The short soak: every fault kind twice against a real Home Assistant (about 3 min).

The same code as ``scripts/soak`` (see ``soak/run.py``), with the quick profile: short
outages, black holes the heartbeat does not see, few faults. The stolen subscription is
left out here: recovering the values changed meanwhile needs the takeover resync of
issue 10.1/10.2 (``scripts/soak`` reports it on its own).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .soak.__main__ import missed
from .soak.kinds import KIND_NAMES, QUICK
from .soak.run import SoakSettings, run_soak

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.soak

KINDS = tuple(name for name in KIND_NAMES if name != "steal")


async def test_short_soak(tmp_path: Path, socket_enabled: None) -> None:
    settings = SoakSettings(
        workdir=tmp_path, faults=2 * len(KINDS), profile=QUICK, kinds=KINDS, seed=7
    )
    assert settings.faults <= 60
    report = await run_soak(settings)
    print(report.table())
    assert {o.kind for o in report.outcomes} == set(KINDS)
    assert not missed(report), report.table()
    health = report.health
    # Nothing left behind: no task of the integration, no file descriptor more.
    assert health.integration_tasks[1] <= health.integration_tasks[0]
    assert health.fds[1] <= health.fds[0] + 2
