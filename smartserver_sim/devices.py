"""IAP/REST under ``/iap/devs`` (and its alias ``/iap/dp``): devices and datapoints."""

from __future__ import annotations

from itertools import islice
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ApiError
from .history import TimeRange, iter_entries
from .http import SIM_KEY, json_response, read_json, session_user
from .model import Datapoint, Device, WriteConflictError
from .paging import paginate
from .paths import PathError, Selector, matches, parse_element, parse_filter
from .timefmt import iso_z, parse_time

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .sim import SmartServerSim


# --- selection --------------------------------------------------------------------------------


def device_lookup(sim: SmartServerSim, device: Device) -> dict[str, list[Any]]:
    """Return the filter keys of a device and their values."""
    sc = sim.scenario
    return {
        "id": [device.id],
        "deviceId": [f"{sc.sc_id}.{device.num}"],
        "name": [device.name],
        "uid": [device.uid],
        "category": [
            device.category,
            "GLP_SC" if device.category == "SC" else "GLP_device",
        ],
        "health": [device.health],
        "status": [device.state],
        "state": [device.state],
        "sts": [device.state],
        "connection": [device.connection],
        "protocol": [device.protocol],
        "scId": [sc.sc_id],
        "scName": [sc.sc_name],
        "DID": [device.did],
        "typeName": [device.type_name],
        "deviceTypeName": [device.type_name],
        "xifName": [device.type_name],
        "typeId": [device.type_id],
        "firmwareVersion": [device.firmware_version],
    }


def select_devices(sim: SmartServerSim, sel: Selector) -> list[Device]:
    """Return the devices a device path element selects."""
    found = []
    for device in sim.scenario.devices.values():
        literal = (device.id, f"{sim.scenario.sc_id}.{device.num}", device.name)
        if sel.literal is not None:
            if sel.literal in literal:
                found.append(device)
            continue
        keys = device_lookup(sim, device)
        if matches(sel, literal, keys.get):
            found.append(device)
    return found


def _dp_lookup(dp: Datapoint) -> dict[str, Iterable[Any]]:
    return {
        "name": [dp.instance_name, dp.name],
        "xifName": [dp.name],
        "datapointName": [dp.name],
        "qualifier": [dp.qualifier],
        "dpQualifier": [dp.qualifier],
        "type": [dp.type.name, dp.type.wire_name],
        "typeName": [dp.type.name],
        "cat": [dp.direction],
        "direction": [dp.direction],
        "unit": [dp.unit],
        "tag": list(dp.tags),
        "monitor.rate": [dp.monitor_rate],
    }


def select_datapoints(
    sim: SmartServerSim,
    dev: Selector,
    blk: Selector,
    idx: Selector,
    dpe: Selector,
) -> list[Datapoint]:
    """Return the datapoints four path elements select, in a stable order."""
    conds = dpe.conditions
    if (
        dev.literal is None
        and not dev.conditions
        and blk.literal is None
        and not blk.conditions
        and idx.literal is None
        and not idx.conditions
        and len(conds) == 1
        and conds[0].key in ("qualifier", "dpQualifier")
        and conds[0].op == "=-"
    ):
        # The bulk-read form: answer straight from the index, in the order asked.
        table = sim.scenario.datapoints
        return [table[q] for q in dict.fromkeys(conds[0].items) if q in table]
    found = []
    for device in select_devices(sim, dev):
        for dp in device.datapoints:
            if not matches(
                blk, (dp.block,), {"name": [dp.block], "xifName": [dp.block]}.get
            ):
                continue
            if not matches(idx, (str(dp.index),), {"index": [dp.index]}.get):
                continue
            if matches(dpe, (dp.name, dp.instance_name), _dp_lookup(dp).get):
                found.append(dp)
    return found


# --- representations --------------------------------------------------------------------------


def _identity(sim: SmartServerSim, dp: Datapoint) -> dict[str, Any]:
    device = dp.device
    return {
        "id": dp.uid,
        "dpQualifier": dp.qualifier,
        "deviceId": f"{sim.scenario.sc_id}.{device.num}",
        "deviceName": device.name,
        "deviceState": device.state,
        "deviceHealth": device.health,
        "blockName": dp.block,
        "blockIndex": str(dp.index),
        "datapointName": dp.name,
        "name": dp.instance_name,
    }


def value_item(sim: SmartServerSim, dp: Datapoint) -> dict[str, Any]:
    """Return one item of a ``.../value`` GET."""
    item = _identity(sim, dp)
    item["value"] = dp.value
    item["values"] = dp.levels(sim.options.default_priority_level)
    item["timestamp"] = iso_z(dp.timestamp)
    preset = dp.preset_name()
    if preset is not None:
        item["presetValue"] = preset
    return item


def props_item(sim: SmartServerSim, dp: Datapoint) -> dict[str, Any]:
    """Return one item of a ``.../*`` (all properties) GET."""
    item = value_item(sim, dp)
    item.update(
        {
            "cat": dp.direction,
            "property": False,
            "interfaceType": dp.device.protocol,
            "type": dp.type.wire_name,
            "default": dp.default,
            "monitor": {
                "cat": "data",
                "rate": dp.monitor_rate,
                "report": "change",
                "throttle": 0,
                "inFeedback": True,
            },
            "lon.cfg": {"tag": dict(dp.tags), "unit": dp.unit, "handle": dp.handle},
        }
    )
    if dp.log_interval:
        item["logs"] = [
            {"interval": dp.log_interval, "retention": 366, "logMultiple": 1}
        ]
    presets = dp.all_presets()
    if presets and dp.type.kind != "enum":
        item["presets"] = sorted(presets)
    return item


# --- request handling ---------------------------------------------------------------------------


def _elements(request: web.Request, prefix: str) -> list[str]:
    raw = request.rel_url.raw_path[len(prefix) :]
    parts = raw.split("/")
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _parse(raw: str) -> Selector:
    try:
        return parse_element(raw)
    except PathError as err:
        raise ApiError(400, str(err)) from None


def _method(request: web.Request, *allowed: str) -> None:
    if request.method not in allowed:
        raise web.HTTPMethodNotAllowed(request.method, allowed)


async def devs_root(request: web.Request) -> web.StreamResponse:
    """``GET /iap/devs`` with its query parameters."""
    _method(request, "GET")
    sim = request.app[SIM_KEY]
    query = request.query
    short = query.get("short", "").lower() == "true"

    def build() -> list[Any]:
        devices = list(sim.scenario.devices.values())
        if "category" in query:
            want = query["category"].lower()
            devices = [
                d
                for d in devices
                if want in (str(v).lower() for v in device_lookup(sim, d)["category"])
            ]
        if "sts" in query:
            devices = [d for d in devices if d.state.lower() == query["sts"].lower()]
        if "uid" in query:
            devices = [d for d in devices if d.uid == query["uid"]]
        sort = query.get("sortBy")
        if sort in ("name", "id", "uid", "category"):
            devices.sort(key=lambda d: (str(getattr(d, sort)).lower(), d.num))
        if query.get("sortOrder", "").upper() == "DESC":
            devices.reverse()
        return [sim.device_object(d, short=short) for d in devices]

    return json_response(paginate(sim, request, build))


async def devs_tail(request: web.Request) -> web.StreamResponse:
    """Everything below ``/iap/devs/`` or ``/iap/dp/``."""
    prefix = (
        "/iap/devs/"
        if request.rel_url.raw_path.startswith("/iap/devs/")
        else "/iap/dp/"
    )
    parts = _elements(request, prefix)
    sim = request.app[SIM_KEY]
    if not parts:
        return await devs_root(request)
    if prefix == "/iap/dp/" and parts == ["updates", "subscribe"]:
        raise web.HTTPMethodNotAllowed(request.method, ["PUT"])
    if parts == ["listByIDs"]:
        _method(request, "PUT", "POST")
        body = await read_json(request, sim)
        if not isinstance(body, list):
            raise ApiError(400, "body must be a JSON array of device ids")
        wanted = {str(i) for i in body}
        return json_response(
            [
                sim.device_object(d)
                for d in sim.scenario.devices.values()
                if d.id in wanted
            ]
        )
    dev = _parse(parts[0])
    if len(parts) == 1:
        _method(request, "GET")
        devices = select_devices(sim, dev)
        if not devices and dev.literal is not None:
            raise ApiError(404, f"no device {dev.literal!r}")
        return json_response(
            paginate(sim, request, lambda: [sim.device_object(d) for d in devices])
        )
    if len(parts) == 2 and parts[1] == "count":
        _method(request, "GET")
        return json_response({"value": len(select_devices(sim, dev))})
    if len(parts) == 2 and parts[1] in ("test", "wink"):
        _method(request, "PUT", "POST")
        return _device_action(sim, dev, parts[1])
    if len(parts) < 5 or parts[1] != "if":
        raise ApiError(404, "unknown resource")
    blk, idx, dpe = _parse(parts[2]), _parse(parts[3]), _parse(parts[4])
    if idx.literal is not None and not idx.literal.isdigit():
        raise ApiError(400, f"block index {idx.literal!r} is not a number")
    dps = select_datapoints(sim, dev, blk, idx, dpe)
    literal_path = all(s.literal is not None for s in (dev, blk, idx, dpe))
    if not dps:
        if literal_path or request.method != "GET":
            raise ApiError(404, "no datapoint matches")
        if sim.options.empty_wildcard_status != 200:
            raise ApiError(sim.options.empty_wildcard_status, "no datapoint matches")
    return await _datapoint_resource(request, sim, dps, parts[5:])


def _device_action(
    sim: SmartServerSim, sel: Selector, action: str
) -> web.StreamResponse:
    devices = select_devices(sim, sel)
    if not devices:
        raise ApiError(404, "no device matches")
    for device in devices:
        reachable = device.state == "provisioned" and device.health != "down"
        if action == "test":
            sim.hub.broadcast(
                "UPD:DEVICE_TEST_RESULT",
                {
                    "deviceId": device.id,
                    "results": {
                        "state": "Configured Online" if reachable else "Unknown",
                        "health": device.health,
                        "error": "" if reachable else "Device does not respond!",
                    },
                },
            )
        elif not reachable:
            sim.hub.broadcast(
                "CRT:NOTIFICATION",
                {
                    "message": "wink  Device does not respond!",
                    "targetType": "DEVICE",
                    "targetName": device.name,
                },
            )
    return web.Response(status=204)


def _priority(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 255:
        raise ApiError(400, f"priority {text!r} must be 1..255")
    return int(text)


async def _datapoint_resource(
    request: web.Request, sim: SmartServerSim, dps: list[Datapoint], rest: list[str]
) -> web.StreamResponse:
    method = request.method
    if not rest or rest == ["*"]:
        _method(request, "GET")
        return json_response(
            paginate(sim, request, lambda: [props_item(sim, d) for d in dps])
        )
    if rest[0] == "value":
        if len(rest) > 2:
            raise ApiError(404, "unknown resource")
        field = rest[1] if len(rest) == 2 else None
        _method(request, "GET", "PUT")
        if method == "GET":
            return _read_values(request, sim, dps, field)
        return await _write(request, sim, dps, priority=None, preset=False, field=field)
    if rest == ["presets", "value"]:
        _method(request, "PUT")
        return await _write(request, sim, dps, priority=None, preset=True, field=None)
    if rest[0] == "logs":
        return _rest_logs(request, sim, dps, rest[1:])
    # Priority forms: {prio}/overrides[/presets]/value and overrides/{prio}[/presets]/value
    if len(rest) >= 2 and "overrides" in rest[:2]:
        prio_text = rest[0] if rest[1] == "overrides" else rest[1]
        priority = _priority(prio_text)
        tail = rest[2:]
        if not tail:
            _method(request, "DELETE")
            return _relinquish(sim, dps, priority)
        if tail in (["value"], ["presets", "value"]):
            _method(request, "PUT")
            return await _write(
                request,
                sim,
                dps,
                priority=priority,
                preset=tail[0] == "presets",
                field=None,
            )
        raise ApiError(404, "unknown resource")
    if len(rest) == 1:
        return await _property(request, sim, dps, rest[0])
    raise ApiError(404, "unknown resource")


def _read_values(
    request: web.Request, sim: SmartServerSim, dps: list[Datapoint], field: str | None
) -> web.StreamResponse:
    max_age_text = request.query.get("max_age")
    max_age: float | None = None
    if max_age_text is not None:
        try:
            max_age = float(max_age_text)
        except ValueError:
            raise ApiError(400, "max_age must be a number") from None
    now = time.time()
    for dp in dps:
        if max_age is None or now - dp.timestamp > max_age:
            sim.refresh(dp)
    user = session_user(request)
    if dps and user is not None:
        sim.on_demand_read(dps, user)

    def build() -> list[Any]:
        items = []
        for dp in dps:
            item = value_item(sim, dp)
            if field is not None:
                value = item["value"]
                if not isinstance(value, dict) or field not in value:
                    raise ApiError(404, f"{dp.name} has no field {field!r}")
                item["value"] = value[field]
            items.append(item)
        return items

    return json_response(paginate(sim, request, build))


async def _write(
    request: web.Request,
    sim: SmartServerSim,
    dps: list[Datapoint],
    *,
    priority: int | None,
    preset: bool,
    field: str | None,
) -> web.StreamResponse:
    body = await read_json(request, sim)
    planned: list[tuple[Datapoint, Any]] = []
    for dp in dps:
        if dp.direction == "out" and not sim.options.allow_output_writes:
            raise ApiError(403, f"{dp.name} is an output datapoint")
        value = body
        if preset:
            presets = dp.all_presets()
            if not isinstance(body, str) or body not in presets:
                raise ApiError(400, f"{body!r} is not a preset of {dp.name}")
            value = presets[body]
        elif field is not None:
            current = dp.value
            if not isinstance(current, dict) or field not in current:
                raise ApiError(404, f"{dp.name} has no field {field!r}")
            value = {**current, field: body}
        try:
            value = dp.type.validate(value)
        except ValueError as err:
            raise ApiError(400, str(err)) from None
        if priority is not None:
            try:
                dp.check_override(priority)
            except WriteConflictError as err:
                raise ApiError(422, str(err)) from None
        planned.append((dp, value))
    now = time.time()
    for dp, value in planned:
        before = dp.value
        if priority is None:
            dp.default = value
        else:
            dp.overrides[priority] = value
        sim.counters.writes += 1
        dp.timestamp = now
        if dp.value != before:
            sim.publish(dp)
            sim.cascade(dp)
    return web.Response(status=204)


def _relinquish(
    sim: SmartServerSim, dps: list[Datapoint], priority: int
) -> web.StreamResponse:
    for dp in dps:
        before = dp.value
        dp.overrides.pop(priority, None)
        if dp.value != before:
            dp.timestamp = time.time()
            sim.publish(dp)
            sim.cascade(dp)
    return web.Response(status=204)


async def _property(
    request: web.Request, sim: SmartServerSim, dps: list[Datapoint], prop: str
) -> web.StreamResponse:
    if request.method == "PUT" and prop == "monitor":
        body = await read_json(request, sim)
        if not isinstance(body, dict):
            raise ApiError(400, "monitor must be an object")
        rate = body.get("rate", 0)
        if isinstance(rate, bool) or not isinstance(rate, int | float) or rate < 0:
            raise ApiError(400, "monitor.rate must be a number >= 0")
        for dp in dps:
            dp.monitor_rate = float(rate)
        return web.Response(status=204)
    _method(request, "GET")
    items = []
    for dp in dps:
        full = props_item(sim, dp)
        if prop not in full:
            raise ApiError(404, f"no property {prop!r}")
        items.append({**_identity(sim, dp), prop: full[prop]})
    return json_response(items)


def _rest_logs(
    request: web.Request, sim: SmartServerSim, dps: list[Datapoint], rest: list[str]
) -> web.StreamResponse:
    _method(request, "GET")
    if not rest or rest[0] != "value":
        raise ApiError(404, "unknown log resource")
    rng = TimeRange()
    if len(rest) == 2:
        from urllib.parse import unquote

        rng = parse_time_filter(unquote(rest[1]))
    rng = rng.clip(sim.retention_start, time.time())
    pg = request.query.get("pg")
    sz = request.query.get("sz")
    try:
        page = max(int(pg or 1), 1)
        size = max(int(sz or 1000), 1)
    except ValueError:
        raise ApiError(400, "pg and sz must be integers") from None
    if request.query.get("sortBy", "").lower() == "desc":
        from dataclasses import replace

        options = replace(sim.options, log_order="desc")
    else:
        options = sim.options

    def entries() -> Iterable[dict[str, Any]]:
        for dp in dps:
            yield from iter_entries(dp, rng, options, sim.zone)

    items = list(islice(entries(), (page - 1) * size, page * size))
    return json_response(items)


def parse_time_filter(text: str) -> TimeRange:
    """Parse ``*+utc>A&utc<=B`` (or ``*``) into a range; raise ApiError when bad."""
    try:
        sel = parse_filter(text)
    except PathError as err:
        raise ApiError(400, str(err)) from None
    if sel.literal is not None:
        raise ApiError(400, f"bad time filter {text!r}")
    lo: float | None = None
    hi: float | None = None
    lo_inc = False
    hi_inc = True
    for cond in sel.conditions:
        if cond.key not in ("utc", "timestamp", "local"):
            raise ApiError(400, f"unknown time key {cond.key!r}")
        try:
            t = parse_time(cond.value)
        except ValueError as err:
            raise ApiError(400, str(err)) from None
        if cond.op in (">", ">=", "=>"):
            lo, lo_inc = t, cond.op != ">"
        elif cond.op in ("<", "<=", "=<"):
            hi, hi_inc = t, cond.op != "<"
        elif cond.op == "==":
            lo, lo_inc, hi, hi_inc = t, True, t, True
        else:
            raise ApiError(400, f"bad time operator {cond.op!r}")
    return TimeRange(lo, lo_inc, hi, hi_inc)
