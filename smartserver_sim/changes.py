"""Changes to the site: values, alarms, devices, sessions, each announced on the WebSocket.

The control API and the REST routes both change the model through these functions, so a
change looks the same to a client whichever way it was made.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from .errors import NotFoundError, SimError
from .model import alarm_target_type
from .render import alarm_object, device_object
from .scenario import add_device as scenario_add_device

if TYPE_CHECKING:
    from .auth import Session
    from .model import Alarm, Datapoint, Device
    from .state import SimState


# --- values -----------------------------------------------------------------------------------


def set_value(
    state: SimState, qualifier: str, value: Any, *, hold: bool = True
) -> None:
    """Set a datapoint's default value as the device would; always publishes.

    With ``hold`` the value stays until its generator is resumed
    (``streaming.resume_generators``); without, the generator's next tick replaces it.
    """
    dp = state.datapoint(qualifier)
    try:
        dp.default = dp.type.validate(value)
    except ValueError as err:
        raise SimError(str(err)) from None
    dp.held = hold
    dp.timestamp = state.clock.time()
    state.publish(dp)
    cascade(state, dp)


def announce_if_changed(state: SimState, dp: Datapoint, before: Any) -> None:
    """Publish ``dp`` and what follows it when its published value is not ``before``.

    Called for REST writes: an input is published only with ``echo_input_writes``.
    """
    if dp.value != before:
        if dp.direction != "in" or state.options.echo_input_writes:
            state.publish(dp)
        cascade(state, dp)


def cascade(state: SimState, source: Datapoint) -> None:
    """Mirror an input into the outputs that follow it (e.g. nvoLampFb)."""
    for dp in source.device.datapoints:
        if (
            dp.follows == source.name
            and dp.block == source.block
            and dp.index == source.index
            and dp.default != source.value
        ):
            dp.default = source.value
            dp.timestamp = state.clock.time()
            state.publish(dp)


# --- alarms -----------------------------------------------------------------------------------


def raise_alarm(
    state: SimState,
    device_id: str | None,
    *,
    type: str,
    details: str,
    severity: str,
    category: str,
    target_type: str | None = None,
    group: str | None = None,
) -> int:
    """Create an active alarm (CRT:ALARM); return its id.

    ``target_type`` defaults to DEVICE with a device, GROUP with a group, else SYSTEM.
    """
    device = state.device(device_id) if device_id is not None else None
    alarm = state.scenario.add_alarm(
        device,
        type,
        details or type,
        severity=severity,
        category=category,
        target_type=_target_type(target_type, device, group),
        group=group,
        timestamp=state.clock.time(),
    )
    state.hub.broadcast("CRT:ALARM", _alarm_payload(state, alarm, "crt"))
    return alarm.id


def _target_type(
    target_type: str | None, device: Device | None, group: str | None
) -> str:
    try:
        return alarm_target_type(
            target_type, device=device is not None, group=group is not None
        )
    except ValueError as err:
        raise SimError(str(err)) from None


def _alarm_payload(state: SimState, alarm: Alarm, frame: str) -> Any:
    """Return what CRT:ALARM / DEL:ALARM carry: the list item, or just its id."""
    shape = (
        state.options.crt_alarm_payload
        if frame == "crt"
        else state.options.del_alarm_payload
    )
    return alarm_object(state, alarm) if shape == "object" else {"id": alarm.id}


def clear_alarm(state: SimState, alarm_id: int) -> None:
    """Clear an alarm (DEL:ALARM); raise NotFoundError for an unknown id."""
    if alarm_id not in state.scenario.alarms:
        raise NotFoundError(f"no alarm {alarm_id}")
    clear_alarms(state, [alarm_id])


def clear_alarms(state: SimState, ids: list[int]) -> int:
    """Clear the alarms with these ids (unknown ids are ignored); return the count."""
    cleared = 0
    for alarm_id in ids:
        alarm = state.scenario.alarms.get(alarm_id)
        if alarm is None or alarm.state != "Active":
            continue
        alarm.state = "Cleared"
        cleared += 1
        state.hub.broadcast("DEL:ALARM", _alarm_payload(state, alarm, "del"))
    return cleared


def create_initial_alarms(state: SimState) -> None:
    """Turn the scenario file's alarm specs into alarms (once, at start).

    A spec with ``raise_after`` is raised that many seconds after the start (with its
    frame); one with ``clear_after`` is cleared that many seconds after it exists.
    """
    scenario = state.scenario
    specs, scenario.alarm_specs = scenario.alarm_specs, []
    for spec in specs:
        device = str(spec["device"]) if spec.get("device") else None
        group = str(spec["group"]) if spec.get("group") else None
        fields: dict[str, Any] = {
            "type": str(spec.get("type", "Alarm")),
            "details": str(spec.get("details", "")),
            "severity": str(spec.get("severity", "Major Fault")),
            "category": str(spec.get("category", "System-SW")),
            "target_type": spec.get("target_type"),
            "group": group,
        }
        clear_after = spec.get("clear_after")
        if spec.get("raise_after") is not None:
            state.call_later(
                float(spec["raise_after"]),
                partial(_raise_later, state, device, fields, clear_after),
            )
            continue
        found = state.device(device) if device is not None else None
        alarm = scenario.add_alarm(
            found,
            fields["type"],
            fields["details"],
            severity=fields["severity"],
            category=fields["category"],
            target_type=_target_type(fields["target_type"], found, group),
            group=group,
            timestamp=state.started_at - float(spec.get("age", 3600)),
        )
        if spec.get("state"):
            alarm.state = str(spec["state"])
        if clear_after is not None:
            state.call_later(float(clear_after), partial(_clear_later, state, alarm.id))


def _clear_later(state: SimState, alarm_id: int) -> None:
    clear_alarms(state, [alarm_id])


def _raise_later(
    state: SimState,
    device: str | None,
    fields: dict[str, Any],
    clear_after: float | None,
) -> None:
    alarm_id = raise_alarm(state, device, **fields)
    if clear_after is not None:
        state.call_later(float(clear_after), partial(_clear_later, state, alarm_id))


# --- devices ----------------------------------------------------------------------------------


def set_device_status(
    state: SimState,
    device_id: str,
    status: str | None = None,
    health: str | None = None,
    connection: str | None = None,
) -> None:
    """Change a device's status (UPD:DEVICE)."""
    device = state.device(device_id)
    if status is not None:
        device.state = status
    if health is not None:
        device.health = health
        if connection is None:
            connection = "disconnected" if health == "down" else "connected"
    if connection is not None:
        device.connection = connection
    device.status_since = state.clock.time()
    state.hub.broadcast("UPD:DEVICE", device_object(state, device))


def add_device(state: SimState, spec: dict[str, Any]) -> str:
    """Add a device (scenario device mapping); UPD:DEVICE; return its id."""
    try:
        device = scenario_add_device(state.scenario, spec)
    except (ValueError, KeyError, TypeError) as err:
        raise SimError(f"bad device: {err}") from None
    state.hub.broadcast("UPD:DEVICE", device_object(state, device))
    return device.id


def remove_device(state: SimState, device_id: str) -> None:
    """Remove a device and its datapoints (DEL:DEVICE)."""
    device = state.device(device_id)
    if device.category == "SC":
        raise SimError("the SmartServer itself cannot be removed")
    body = device_object(state, device)
    del state.scenario.devices[device.id]
    for dp in device.datapoints:
        state.scenario.datapoints.pop(dp.qualifier, None)
    state.hub.broadcast("DEL:DEVICE", body)


# --- sessions ---------------------------------------------------------------------------------


def end_sessions(state: SimState, sessions: list[Session], reason: str) -> None:
    """Close the WebSockets of sessions that have ended."""
    if sessions:
        state.hub.close_sessions(
            {s.sid for s in sessions}, state.options.ws_expiry_close_code, reason
        )


def expire_sessions(state: SimState, user: str | None = None) -> int:
    """End sessions now: REST answers 401, their WebSockets close; return how many."""
    dead = state.auth.expire(user)
    end_sessions(state, dead, "session expired")
    return len(dead)


def sweep_sessions(state: SimState) -> None:
    """Drop the sessions that timed out and close their WebSockets."""
    end_sessions(state, state.auth.sweep(), "session expired")
