"""The soak: faults of every kind against a real Home Assistant, while values change.

Home Assistant runs as its own process (``hass_process``), the SmartServer simulator too
(``sim_process``), so a fault can kill it outright. The integration is set up through
its config flow; a driver changes followed values about eight times a second through
the simulator's control API; one fault after another is injected (each kind in turn,
in a shuffled order) and, once the SmartServer answers again, the soak measures when
the link is back and when every followed entity shows the simulator's value (the
driver holds still meanwhile, so a value missed during the fault stays wrong: lost).
At the end it checks every entity once more, Home Assistant's log (tracebacks, ERROR
lines, the password), its tasks and its file descriptors.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime
import os
import random
import time
from typing import TYPE_CHECKING, Any

from smartserver_sim import default_scenario
from tests.e2e.demo import wait_entries_loaded
from tests.e2e.hass_config import MINIMAL_CONFIG, write_config
from tests.e2e.hass_process import HassProcess, Owner, error_lines, free_port
from tests.e2e.sim_process import SimProcess

from .kinds import FULL, KIND_NAMES, KINDS, Context, Kind, Profile
from .report import Health, Outcome, Report
from .truth import Followed, followed_entities, new_value, wrong

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

    from smartserver_sim import Datapoint

USER = "soak"
PASSWORD = "Soak-pa55-never-logged"
PROBE = os.path.join(os.path.dirname(__file__), "probe")
DOMAIN = "smartserver_iap"


@dataclass(frozen=True, slots=True)
class SoakSettings:
    """What one soak does."""

    workdir: Path
    faults: int = 300
    profile: Profile = FULL
    kinds: tuple[str, ...] = KIND_NAMES
    # Kinds reported on their own, outside the totals.
    apart: frozenset[str] = frozenset()
    seed: int = 1
    rate: float = 8.0  # value changes per second
    poll: float = 0.2
    session_timeout: float = 600.0


class ValueDriver:
    """Changes followed values about ``rate`` times a second; holds still on demand."""

    def __init__(
        self,
        sim: SimProcess,
        datapoints: list[Datapoint],
        rand: random.Random,
        rate: float,
    ) -> None:
        self._sim = sim
        self._datapoints = datapoints
        self._rand = rand
        self._rate = rate
        self._running = asyncio.Event()
        self._lock = asyncio.Lock()
        self.changes = 0

    async def run(self) -> None:
        """Change values until cancelled."""
        while True:
            await self._running.wait()
            async with self._lock:
                dp = self._rand.choice(self._datapoints)
                value = new_value(dp, self._rand)
                if await self._sim.try_control(
                    "set_value", qualifier=dp.qualifier, value=value
                ):
                    self.changes += 1
            await asyncio.sleep(1 / self._rate)

    def resume(self) -> None:
        """Change values again."""
        self._running.set()

    async def hold(self) -> None:
        """Stop changing values; return once no change is on its way."""
        self._running.clear()
        async with self._lock:
            pass


def schedule(kinds: list[Kind], count: int, rand: random.Random) -> Iterator[Kind]:
    """Yield ``count`` faults: every kind in turn, each round in a new order."""
    given = 0
    while given < count:
        round_ = list(kinds)
        rand.shuffle(round_)
        for kind in round_[: count - given]:
            given += 1
            yield kind


def _timestamp(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


@dataclass
class Soak:
    """One soak run: the processes, the followed entities, the outcomes."""

    settings: SoakSettings
    sim: SimProcess
    hass: HassProcess
    rand: random.Random
    followed: list[Followed] = field(default_factory=list)
    link_entity: str = ""
    qualifiers: list[str] = field(default_factory=list)

    # -- looking ------------------------------------------------------------------------

    async def _look(self) -> tuple[dict[str, Any], Any, Any, float] | None:
        """Return the states between two reads of the truth, and when they were read."""
        before = await self.sim.try_control("values", qualifiers=self.qualifiers)
        states = await self.hass.states()
        seen = time.time()
        after = await self.sim.try_control("values", qualifiers=self.qualifiers)
        if before is None or after is None:
            return None
        return states, before, after, seen

    async def _logins(self) -> tuple[int, int | None]:
        counters = await self.sim.try_control("counters")
        return self.sim.starts, None if counters is None else int(counters["logins"])

    async def measure(
        self,
        kind: Kind,
        injected: float,
        answers: float,
        logins: tuple[int, int | None],
    ) -> Outcome:
        """Wait until the link is back and every entity right; time both.

        Times count from when the SmartServer answers again: ``answers``, or the last
        injected error it served before the link was back, if later (a 503 served
        three times in a row ends with the third).
        """
        deadline = answers + kind.deadline
        link_up_at: float | None = None
        missing = len(self.followed)
        while True:
            look = await self._look()
            if look is not None:
                states, before, after, seen = look
                link = states.get(self.link_entity, {})
                if link_up_at is None and link.get("state") == "on":
                    changed = _timestamp(link["last_changed"])
                    if kind.drops_link is not True or changed >= injected:
                        link_up_at = changed
                if link_up_at is not None:
                    missing = len(wrong(self.followed, states, before, after))
                    if not missing:
                        last = await self._last_fault(injected)
                        if last <= link_up_at:  # served before the link was back
                            answers = max(answers, last)
                        return Outcome(
                            kind.name,
                            max(0.0, link_up_at - answers),
                            max(0.0, seen - answers),
                            0,
                            await self._logins_since(logins),
                        )
            if time.time() > deadline:
                link_back = None if link_up_at is None else link_up_at - answers
                return Outcome(
                    kind.name,
                    None if link_back is None else max(0.0, link_back),
                    None,
                    missing,
                    await self._logins_since(logins),
                )
            await asyncio.sleep(self.settings.poll)

    async def _last_fault(self, injected: float) -> float:
        """Return when the simulator served its last injected fault (0: before)."""
        counters = await self.sim.try_control("counters")
        last = 0.0 if counters is None else float(counters["last_injected"])
        return last if last >= injected else 0.0

    async def _logins_since(self, before: tuple[int, int | None]) -> int:
        starts, logins = await self._logins()
        if logins is None:
            return 0
        if starts != before[0] or before[1] is None:
            return logins  # a new process counts from zero
        return logins - before[1]

    async def health(self) -> tuple[int, int, int]:
        """Return Home Assistant's tasks, the integration's tasks and its open fds."""
        probe = await self.hass.api("GET", "/api/soak_probe")
        assert self.hass.process is not None
        fds = len(os.listdir(f"/proc/{self.hass.process.pid}/fd"))
        return int(probe["tasks"]), int(probe["integration_tasks"]), fds

    # -- the run ------------------------------------------------------------------------

    async def setup(self) -> None:
        """Set the entry up over the config flow; find the followed entities."""
        await self.hass.start()
        await self.hass.onboard(Owner("owner", "soak-owner-password"))
        await self.hass.wait_running()
        await self.hass.add_entry(
            {
                "host": self.sim.host,
                "port": self.sim.port,
                "username": USER,
                "password": PASSWORD,
                "certificate": "pin",
            }
        )
        await wait_entries_loaded(self.hass)
        scenario = default_scenario()
        (registry,) = await self.hass.ws({"type": "config/entity_registry/list"})
        uid = scenario.smartserver().uid
        self.followed = followed_entities(scenario, uid, registry)
        self.link_entity = next(
            e["entity_id"] for e in registry if e.get("unique_id") == f"{uid}_link"
        )
        self.qualifiers = sorted({f.qualifier for f in self.followed})
        if not self.followed:
            raise RuntimeError("the entry follows no datapoint")

    async def run(self) -> Report:
        """Inject the faults, measure each; return the report."""
        settings = self.settings
        scenario = default_scenario()
        chosen = [k for k in KINDS if k.name in settings.kinds]
        report = Report(chosen, apart=settings.apart)
        healthy = {f.qualifier for f in self.followed if f.healthy}
        datapoints = [scenario.datapoints[q] for q in sorted(healthy)]
        driver = ValueDriver(self.sim, datapoints, self.rand, settings.rate)
        context = Context(
            self.sim,
            self.rand,
            settings.profile,
            USER,
            scenario.smartserver().id,
            self.qualifiers,
        )
        began = time.monotonic()
        task = asyncio.create_task(driver.run())
        try:
            # The starting line: everything right, then a quiet moment.
            start = await self.measure(KINDS[0], 0.0, time.time(), (0, None))
            if not start.recovered:
                raise RuntimeError("the entities never matched the simulator")
            await asyncio.sleep(5)
            tasks, ours, fds = await self.health()
            driver.resume()
            for number, kind in enumerate(
                schedule(chosen, settings.faults, self.rand), 1
            ):
                logins = await self._logins()
                injected = time.time()
                answers = await kind.inject(context)
                await driver.hold()
                outcome = await self.measure(kind, injected, answers, logins)
                # What the client never asked for must not hit the next fault.
                await self.sim.try_control("clear_faults")
                report.outcomes.append(outcome)
                print(f"{number:4d} {kind.name:14s} {_line(outcome)}", flush=True)
                driver.resume()
                await asyncio.sleep(context.draw(settings.profile.settle))
            await driver.hold()
            await asyncio.sleep(3)
            final = await self.measure(KINDS[0], 0.0, time.time(), (0, None))
            report.health = Health(final_wrong=final.lost)
            await asyncio.sleep(5)  # let the last reconnect's work finish
            tasks_end, ours_end, fds_end = await self.health()
            report.health.tasks = (tasks, tasks_end)
            report.health.integration_tasks = (ours, ours_end)
            report.health.fds = (fds, fds_end)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        report.duration = time.monotonic() - began
        return report


def _line(outcome: Outcome) -> str:
    def show(value: float | None) -> str:
        return "  never" if value is None else f"{value:6.2f}s"

    return (
        f"link back {show(outcome.link_back)}  all right {show(outcome.all_right)}"
        f"  lost {outcome.lost}  logins {outcome.logins}"
    )


@contextlib.asynccontextmanager
async def soak_setup(settings: SoakSettings) -> AsyncIterator[Soak]:
    """Start the simulator and Home Assistant, set the entry up; stop both after."""
    sim = SimProcess(
        settings.workdir / "sim",
        free_port(),
        {USER: PASSWORD},
        ["--no-auto-updates", "--session-timeout", str(settings.session_timeout)],
    )
    config_dir = settings.workdir / "hass"
    port = free_port()
    write_config(config_dir, port, MINIMAL_CONFIG + "soak_probe:\n", writer="the soak")
    probe = config_dir / "custom_components" / "soak_probe"
    if not probe.exists():
        probe.symlink_to(PROBE, target_is_directory=True)
    hass = HassProcess(config_dir, port)
    soak = Soak(settings, sim, hass, random.Random(settings.seed))
    try:
        await sim.start()
        await soak.setup()
        yield soak
    finally:
        await hass.stop()
        await sim.stop()


async def run_soak(settings: SoakSettings) -> Report:
    """Run one soak and return its report (the log checks included)."""
    async with soak_setup(settings) as soak:
        report = await soak.run()
    # The process log holds everything Home Assistant's log does, and stderr.
    report.health.error_lines = error_lines(soak.hass.log_path)
    for log in (soak.hass.log_path, soak.hass.config_dir / "home-assistant.log"):
        if log.exists():
            report.health.secrets_in_logs |= PASSWORD in log.read_text(errors="replace")
    return report
