"""A real ``hass``: alarms raised through the simulator's control API, cleared over REST.

The latencies printed are from the control call to the moment Home Assistant stamped
each entity's change (its own timestamps, so polling adds nothing). They are for the
reader; the deadline is only there so a lost alarm fails instead of hanging: speed is
measured by ``scripts/bench``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import json
import time
from typing import TYPE_CHECKING, Self

from .demo import quiet_settings, run_demo, sim_control
from .hass_config import INTEGRATION

if TYPE_CHECKING:
    from pathlib import Path

    from smartserver_sim import SmartServerSim

    from .hass_process import HassProcess, States

CLEAR_ALARM = "/api/services/smartserver_iap/clear_alarm"
# The simulator's route that clears alarms (counted per request).
SIM_CLEAR = "/iap/alarms/clear"
# Event data keys checked against what the simulator was told to raise.
ANNOUNCED = (
    "alarm_type",
    "details",
    "severity",
    "target_type",
    "device_id",
    "device_name",
)
# Generous: a lost or stuck alarm fails the test, a slow machine does not.
DEADLINE = 10.0
# The scenario's alarm active from the start (the Roof Weather Station is down).
STANDING_ALARM = 1000
DEVICE = "Thermostat Büro 1"
NEVER_RAISED = 424242


@dataclass(frozen=True, slots=True)
class AlarmEntities:
    """The hub's alarm event entity, its active-alarm count, one device's problem."""

    events: str
    count: str
    problem: str

    @classmethod
    async def find(cls, hass: HassProcess, uid: str, device_id: str) -> Self:
        """Look the entity ids up by their unique ids."""
        (registry,) = await hass.ws({"type": "config/entity_registry/list"})
        by_unique_id = {e["unique_id"]: e["entity_id"] for e in registry}
        return cls(
            by_unique_id[f"{uid}_alarms"],
            by_unique_id[f"{uid}_active_alarms"],
            by_unique_id[f"{uid}_{device_id}_alarm"],
        )

    def show(
        self,
        states: States,
        event_type: str,
        alarm_id: int,
        *,
        count: int,
        problem: str,
    ) -> bool:
        """Return True if the states show this event of this alarm, count and problem."""
        attributes = states[self.events]["attributes"]
        return bool(
            attributes.get("event_type") == event_type
            and attributes.get("alarm_id") == alarm_id
            and states[self.count]["state"] == str(count)
            and states[self.problem]["state"] == problem
        )

    async def follow(
        self,
        hass: HassProcess,
        since: float,
        event_type: str,
        alarm_id: int,
        *,
        count: int,
        problem: str,
    ) -> States:
        """Wait until the entities show the alarm's event; print how long they took.

        The time is from ``since`` to Home Assistant's own timestamps: the event
        entity's state is the event's time, the sensors' the time of their change.
        """
        states = await hass.wait_for(
            lambda s: self.show(s, event_type, alarm_id, count=count, problem=problem),
            timeout=DEADLINE,
        )
        stamps = {
            "event": states[self.events]["state"],
            "count": states[self.count]["last_changed"],
            "problem": states[self.problem]["last_changed"],
        }
        latencies = {
            name: datetime.fromisoformat(stamp).timestamp() - since
            for name, stamp in stamps.items()
        }
        shown = ", ".join(f"{name} {1000 * s:.0f} ms" for name, s in latencies.items())
        print(f"{event_type} of alarm {alarm_id} in Home Assistant after: {shown}")
        # Each change is this alarm's, not a state from before it.
        assert all(latency > 0 for latency in latencies.values()), latencies
        return states


def _unknown_alarm_message(alarm_ids: str) -> str:
    """Return the translated message of an alarm id that is not active."""
    translations = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    message: str = translations["exceptions"]["unknown_alarm"]["message"]
    # Home Assistant drops the final full stop of a translated exception message.
    return message.format(alarm_ids=alarm_ids).rstrip(".")


def _alarm_states(sim: SmartServerSim) -> dict[int, str]:
    return {alarm_id: alarm.state for alarm_id, alarm in sim.scenario.alarms.items()}


async def test_alarm_raised_on_the_simulator_and_cleared_over_rest(
    tmp_path: Path, socket_enabled: None
) -> None:
    """Raised: event, count and problem follow; cleared over REST; bad ids refused."""
    async with run_demo(quiet_settings(tmp_path)) as demo:
        sim, hass = demo.sim, demo.hass
        device = next(d for d in sim.scenario.devices.values() if d.name == DEVICE)
        try:
            (entry,) = await hass.entries()
            entities = await AlarmEntities.find(
                hass, sim.scenario.smartserver().uid, device.id
            )
            # Settled: the standing alarm announced and counted, the device fine.
            await hass.wait_for(
                lambda s: entities.show(
                    s, "alarm_raised", STANDING_ALARM, count=1, problem="off"
                )
            )

            # (a) Raised through the simulator's control API.
            raised_at = time.time()
            result = await sim_control(
                sim,
                "raise_alarm",
                device_id=device.id,
                type="High temperature",
                details="Space temperature above 28 °C",
                severity="Minor Fault",
            )
            alarm_id: int = result["id"]
            states = await entities.follow(
                hass, raised_at, "alarm_raised", alarm_id, count=2, problem="on"
            )
            attributes = states[entities.events]["attributes"]
            assert {key: attributes[key] for key in ANNOUNCED} == {
                "alarm_type": "High temperature",
                "details": "Space temperature above 28 °C",
                "severity": "Minor Fault",
                "target_type": "DEVICE",
                "device_id": device.id,
                "device_name": DEVICE,
            }

            # (b) Cleared with the action over Home Assistant's REST API, which
            # answers once the action is done: the simulator has cleared it by then.
            clears = sim.counters.requests[SIM_CLEAR]
            cleared_at = time.time()
            await hass.api(
                "POST",
                CLEAR_ALARM,
                {"config_entry_id": entry["entry_id"], "alarm_id": alarm_id},
            )
            assert sim.counters.requests[SIM_CLEAR] == clears + 1
            assert _alarm_states(sim) == {
                STANDING_ALARM: "Active",
                alarm_id: "Cleared",
            }
            await entities.follow(
                hass, cleared_at, "alarm_cleared", alarm_id, count=1, problem="off"
            )

            # (c) Ids that are not active (the one just cleared, one never raised)
            # beside an active one: a translated error, and nothing is cleared.
            before = await hass.states()
            status, answer = await hass.request(
                "POST",
                CLEAR_ALARM,
                {
                    "config_entry_id": entry["entry_id"],
                    "alarm_id": [STANDING_ALARM, alarm_id, NEVER_RAISED],
                },
            )
            assert status == 400
            assert answer == {
                "message": _unknown_alarm_message(f"{alarm_id}, {NEVER_RAISED}")
            }
            assert sim.counters.requests[SIM_CLEAR] == clears + 1
            assert _alarm_states(sim) == {
                STANDING_ALARM: "Active",
                alarm_id: "Cleared",
            }
            after = await hass.states()
            for entity_id in (entities.events, entities.count, entities.problem):
                assert after[entity_id] == before[entity_id]
        except BaseException:
            print(hass.log_tail())
            raise
