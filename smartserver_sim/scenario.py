"""Scenarios: reading a scenario mapping or file (JSON or YAML) into the live model."""

from __future__ import annotations

from pathlib import Path
import time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .errors import ScenarioError
from .generators import generator_from_spec
from .lontypes import TYPES, lookup_type
from .model import Datapoint, Device, Scenario, alarm_target_type
from .spec import KEYS, Spec

if TYPE_CHECKING:
    from .generators import Generator
    from .lontypes import TypeInfo

_DEFAULT_OF_KIND: dict[str, Any] = {"number": 0.0, "int": 0, "switch": None}
DEFAULT_UID = "00D07111EA6B"
# Types a simulator cannot know (a device's own, user-defined ones) are served as numbers.
USER_TYPE_PREFIXES = ("UNVT", "UCPT")


def build_scenario(
    data: Any, *, name: str | None = None, uid: str | None = None
) -> Scenario:
    """Build a live scenario from its mapping (the parsed JSON/YAML file).

    ``name`` and ``uid`` replace the SmartServer's own (a second SmartServer of the same
    site). Raise ScenarioError naming the first problem and where it is.
    """
    spec = Spec(data, "", "scenario")
    sc_id = spec.text("scId", "17q4bn7")
    if not sc_id or "/" in sc_id:
        spec.fail("scId", f"{sc_id!r} cannot be part of a qualifier")
    timezone = spec.text("timezone") if spec.has("timezone") else None
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except ValueError, ZoneInfoNotFoundError:
            spec.fail("timezone", f"unknown time zone {timezone!r}")
    scenario = Scenario(
        sc_id=sc_id,
        sc_name=name or spec.text("scName", "SmartServer IoT"),
        seed=spec.integer("seed", 1),
        timezone=timezone,
        users=spec.texts("users"),
    )
    smartserver = Spec(spec.raw("smartserver", {}), "smartserver", "smartserver")
    _add_device(
        scenario,
        smartserver,
        category="SC",
        name=name or smartserver.text("name", scenario.sc_name),
        uid=_mac(smartserver, uid or smartserver.text("uid", DEFAULT_UID)),
        type_name=smartserver.text("type", "SmartServer IoT"),
    )
    for where, device in spec.items("devices"):
        _add_device(scenario, Spec(device, where, "device"))
    for where, alarm in spec.items("alarms"):
        scenario.alarm_specs.append(_alarm(scenario, Spec(alarm, where, "alarm")))
    for where, definition in spec.items("alarm_definitions"):
        Spec(definition, where, "alarm_definition")
        scenario.alarm_definitions.append(dict(definition))
    return scenario


def mac_address(uid: str) -> str:
    """Return a SmartServer's uid, its MAC address: 12 hex digits (``:``/``-`` dropped).

    Raise ValueError when ``uid`` is not one.
    """
    digits = uid.replace(":", "").replace("-", "").upper()
    if len(digits) != 12 or any(c not in "0123456789ABCDEF" for c in digits):
        raise ValueError(f"{uid!r} is not a MAC address (12 hex digits)")
    return digits


def _mac(spec: Spec, uid: str) -> str:
    try:
        return mac_address(uid)
    except ValueError as err:
        spec.fail("uid", str(err))


def add_device(scenario: Scenario, data: Any, where: str = "device") -> Device:
    """Add one device (with its datapoints) from its mapping; return it.

    Raise ScenarioError (and change nothing) when the mapping is not a valid device.
    """
    return _add_device(scenario, Spec(data, where, "device"))


def _add_device(
    scenario: Scenario,
    spec: Spec,
    *,
    category: str | None = None,
    name: str | None = None,
    uid: str | None = None,
    type_name: str | None = None,
) -> Device:
    num = scenario.next_device
    device = Device(
        id=spec.text("id", str(num)),
        num=num,
        name=name or spec.text("name"),
        category=category or spec.text("category", "EDGE"),
        did=spec.text("did", f"{num}.1"),
        uid=uid or spec.text("uid", f"00D0711{num:05X}"),
        type_name=type_name or spec.text("type", "Generic Device"),
        protocol=spec.text("protocol", "lon"),
        state=spec.text("state", "provisioned"),
        health=spec.text("health", "normal"),
        connection=spec.text("connection", "connected"),
        firmware_version=spec.text("firmwareVersion", "1.0"),
    )
    if device.id in scenario.devices:
        spec.fail("id", f"device id {device.id!r} is taken")
    if "/" in device.did or "/" in device.protocol:
        spec.fail("did", "a did and a protocol cannot hold '/'")
    built: list[tuple[Spec, Datapoint]] = []
    for where, block_data in spec.items("blocks"):
        block = Spec(block_data, where, "block")
        block_name = block.text("name")
        index = block.integer("index", 0)
        if not block_name or "/" in block_name:
            block.fail("name", f"{block_name!r} cannot be part of a qualifier")
        for dp_where, dp_data in block.items("datapoints"):
            dp_spec = Spec(dp_data, dp_where, "datapoint")
            dp = _datapoint(
                scenario,
                device,
                block=block_name,
                index=index,
                spec=dp_spec,
                uid=scenario.next_datapoint + len(built),
            )
            built.append((dp_spec, dp))
    _check_datapoints(scenario, built)
    scenario.next_device += 1
    scenario.next_datapoint += len(built)
    device.datapoints = [dp for _, dp in built]
    scenario.devices[device.id] = device
    for dp in device.datapoints:
        scenario.datapoints[dp.qualifier] = dp
    return device


def _check_datapoints(scenario: Scenario, built: list[tuple[Spec, Datapoint]]) -> None:
    """Fail on a qualifier served twice and on a ``follows`` naming no sibling."""
    seen: set[str] = set(scenario.datapoints)
    for spec, dp in built:
        if dp.qualifier in seen:
            spec.fail("name", f"the datapoint {dp.qualifier} exists already")
        seen.add(dp.qualifier)
    siblings = {(dp.block, dp.index, dp.name) for _, dp in built}
    for spec, dp in built:
        if dp.follows and (dp.block, dp.index, dp.follows) not in siblings:
            spec.fail(
                "follows", f"no datapoint {dp.follows!r} in block {dp.block}/{dp.index}"
            )


def _datapoint(
    scenario: Scenario,
    device: Device,
    *,
    block: str,
    index: int,
    spec: Spec,
    uid: int,
) -> Datapoint:
    name = spec.text("name")
    if "/" in name or not name:
        spec.fail("name", f"{name!r} cannot be part of a qualifier")
    type_info = _type(spec)
    direction = spec.text("direction", "out")
    if direction not in ("in", "out"):
        spec.fail("direction", f"must be in or out, not {direction!r}")
    qualifier = (
        f"{scenario.sc_id}/{device.protocol}/{device.did}/{block}/{index}/{name}"
    )
    generator = generator_from_spec(spec.raw("generator"), spec.at("generator"))
    if generator is not None:
        _check_generator(spec, generator, type_info)
    seed = scenario.make_seed(qualifier)
    log = spec.number("log", 0.0)
    monitor = spec.number("monitor", 0.0)
    if log < 0 or monitor < 0:
        spec.fail("log" if log < 0 else "monitor", "cannot be negative")
    presets = spec.mapping("presets")
    for preset, value in presets.items():
        _valid(spec, f"presets.{preset}", type_info, value)
    now = time.time()
    dp = Datapoint(
        uid=uid,
        device=device,
        qualifier=qualifier,
        block=block,
        index=index,
        name=name,
        instance_name=spec.text("instanceName", name),
        type=type_info,
        direction=direction,
        unit=spec.text("unit", type_info.unit),
        seed=seed,
        generator=generator,
        monitor_rate=monitor,
        log_interval=log or None,
        presets=presets,
        tags=spec.texts("tags"),
        timestamp=now,
        handle=uid,
    )
    if spec.has("initial"):
        initial = _valid(spec, "initial", type_info, spec.raw("initial"))
    elif generator is not None:
        initial = generator.value_at(now, seed)
    elif type_info.kind == "enum":
        initial = type_info.enum[0]
    elif type_info.kind == "switch":
        initial = {"value": 0.0, "state": 0}
    else:
        initial = _DEFAULT_OF_KIND[type_info.kind]
    dp.default = initial
    if spec.has("follows"):
        dp.follows = spec.text("follows")
    return dp


def _type(spec: Spec) -> TypeInfo:
    name = spec.text("type", "SNVT_count")
    if name not in TYPES and not name.startswith(USER_TYPE_PREFIXES):
        spec.fail(
            "type",
            f"unknown type {name!r} (known: {', '.join(sorted(TYPES))}; a user-defined"
            " UNVT/UCPT type is served as a plain number)",
        )
    return lookup_type(name)


def _valid(spec: Spec, key: str, type_info: TypeInfo, value: Any) -> Any:
    """Return ``value`` checked against the datapoint's type."""
    try:
        return type_info.validate(value)
    except ValueError as err:
        spec.fail(key, str(err))


def _check_generator(spec: Spec, generator: Generator, type_info: TypeInfo) -> None:
    """Fail on a generator whose values the datapoint's type cannot hold."""
    where = "generator"
    if generator.kind == "constant":
        _valid(spec, f"{where}.value", type_info, generator.value)
    elif generator.kind == "cycle":
        for n, value in enumerate(generator.values):
            _valid(spec, f"{where}.values[{n}]", type_info, value)
    elif type_info.kind not in ("number", "int"):
        spec.fail(
            where, f"a {generator.kind} generator gives numbers, not {type_info.name}"
        )


def _alarm(scenario: Scenario, spec: Spec) -> dict[str, Any]:
    """Check an alarm of the scenario (raised at start); return its mapping."""
    device = spec.text("device") if spec.has("device") else None
    if device is not None and not any(
        device in (d.id, d.name, scenario.device_id(d))
        for d in scenario.devices.values()
    ):
        names = ", ".join(d.name for d in scenario.devices.values())
        spec.fail("device", f"no device {device!r} in the scenario (devices: {names})")
    try:
        alarm_target_type(
            spec.text("target_type") if spec.has("target_type") else None,
            device=device is not None,
            group=spec.has("group"),
        )
    except ValueError as err:
        spec.fail("target_type", str(err))
    for key in ("group", "type", "details", "severity", "category", "state"):
        if spec.has(key):
            spec.text(key)
    for key in ("age", "raise_after", "clear_after"):
        if spec.has(key) and spec.number(key) < 0:
            spec.fail(key, "cannot be negative")
    return {key: spec.raw(key) for key in KEYS["alarm"] if spec.has(key)}


def load_scenario(
    path: str | Path, *, name: str | None = None, uid: str | None = None
) -> Scenario:
    """Load a scenario file (JSON is read as YAML, its superset); see build_scenario.

    Raise ScenarioError, naming the file, when it cannot be read or served.
    """
    try:
        with Path(path).open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as err:
        raise ScenarioError(f"{path}: {err.strerror or err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or "not YAML or JSON"
        raise ScenarioError(f"{path}: {place}{problem}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text") from None
    try:
        return build_scenario(data, name=name, uid=uid)
    except ScenarioError as err:
        raise ScenarioError(f"{path}: {err}") from None
