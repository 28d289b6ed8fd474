"""Routes of the datapoints a ``/iap/devs/{dev}/if/{block}/{index}/{dp}`` path selects.

Properties, value reads and writes, priority overrides, presets and REST logs.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import islice
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web

from .changes import announce_if_changed
from .errors import ApiError
from .history import TimeRange, iter_entries
from .http import allow, json_response, read_json, session_user
from .model import WriteConflictError
from .paging import paginate
from .render import identity, props_item, value_item
from .selection import parse_time_filter
from .streaming import on_demand_read, refresh

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .model import Datapoint
    from .state import SimState


def _priority(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 255:
        raise ApiError(400, f"priority {text!r} must be 1..255")
    return int(text)


async def datapoint_resource(
    request: web.Request, state: SimState, dps: list[Datapoint], rest: list[str]
) -> web.StreamResponse:
    """Serve ``rest`` (what follows the datapoint element) for the selected datapoints."""
    method = request.method
    if not rest or rest == ["*"]:
        allow(request, "GET")
        return json_response(
            paginate(state, request, lambda: [props_item(state, d) for d in dps])
        )
    if rest[0] == "value":
        if len(rest) > 2:
            raise ApiError(404, "unknown resource")
        field = rest[1] if len(rest) == 2 else None
        allow(request, "GET", "PUT")
        if method == "GET":
            return _read_values(request, state, dps, field)
        return await _write(
            request, state, dps, priority=None, preset=False, field=field
        )
    if rest == ["presets", "value"]:
        allow(request, "PUT")
        return await _write(request, state, dps, priority=None, preset=True, field=None)
    if rest[0] == "logs":
        return _rest_logs(request, state, dps, rest[1:])
    # Priority forms: overrides/{prio}[/presets]/value (the Browser; DELETE on the same
    # path relinquishes) and {prio}/overrides[/presets]/value (the API tester's list).
    if len(rest) >= 2 and "overrides" in rest[:2]:
        browser_form = rest[0] == "overrides"
        priority = _priority(rest[1] if browser_form else rest[0])
        tail = rest[2:]
        if state.options.override_paths == "vendor" and not (browser_form and tail):
            raise ApiError(404, "unknown resource")
        if not tail:
            allow(request, "DELETE")
            return _relinquish(state, dps, priority)
        if tail == ["value"]:
            allow(request, "PUT", "DELETE")
            if method == "DELETE":
                return _relinquish(state, dps, priority)
        elif tail == ["presets", "value"]:
            allow(request, "PUT")
        else:
            raise ApiError(404, "unknown resource")
        return await _write(
            request,
            state,
            dps,
            priority=priority,
            preset=tail[0] == "presets",
            field=None,
        )
    if len(rest) == 1:
        return await _property(request, state, dps, rest[0])
    raise ApiError(404, "unknown resource")


def _read_values(
    request: web.Request, state: SimState, dps: list[Datapoint], field: str | None
) -> web.StreamResponse:
    max_age_text = request.query.get("max_age")
    max_age: float | None = None
    if max_age_text is not None:
        try:
            max_age = float(max_age_text)
        except ValueError:
            raise ApiError(400, "max_age must be a number") from None
    now = state.clock.time()
    on_wire = [dp for dp in dps if max_age is None or now - dp.timestamp > max_age]
    for dp in on_wire:
        refresh(state, dp)
    user = session_user(request)
    if dps and user is not None:
        on_demand_read(state, dps, user, on_wire)

    def build() -> list[Any]:
        items = []
        for dp in dps:
            item = value_item(state, dp)
            if field is not None:
                value = item["value"]
                if not isinstance(value, dict) or field not in value:
                    raise ApiError(404, f"{dp.name} has no field {field!r}")
                item["value"] = value[field]
            items.append(item)
        return items

    return json_response(paginate(state, request, build))


def _planned_value(
    state: SimState,
    dp: Datapoint,
    body: Any,
    *,
    preset: bool,
    field: str | None,
) -> Any:
    """Return the validated value a write sets on ``dp``; raise ApiError to refuse."""
    if dp.direction == "out" and not state.options.allow_output_writes:
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
        return dp.type.validate(value)
    except ValueError as err:
        raise ApiError(400, str(err)) from None


async def _write(
    request: web.Request,
    state: SimState,
    dps: list[Datapoint],
    *,
    priority: int | None,
    preset: bool,
    field: str | None,
) -> web.StreamResponse:
    body = await read_json(request)
    # All or nothing: every datapoint's value is checked before any is set.
    planned = [
        (dp, _planned_value(state, dp, body, preset=preset, field=field)) for dp in dps
    ]
    default_level = state.options.default_priority_level
    if priority == default_level:
        # The plain value's own level ("Normal").
        priority = None
    conflicts = []
    now = state.clock.time()
    for dp, value in planned:
        if priority is not None:
            try:
                dp.check_override(priority)
            except WriteConflictError as err:
                conflicts.append(str(err))
        before = dp.value
        if priority is None:
            dp.default = value
        else:
            dp.overrides[priority] = value
        state.counters.writes += 1
        dp.timestamp = now
        announce_if_changed(state, dp, before)
    if conflicts:
        # Kept at its level all the same: it takes control once the higher ones go.
        raise ApiError(422, conflicts[0])
    return web.Response(status=204)


def _relinquish(
    state: SimState, dps: list[Datapoint], priority: int
) -> web.StreamResponse:
    for dp in dps:
        before = dp.value
        dp.overrides.pop(priority, None)
        if dp.value != before:
            dp.timestamp = state.clock.time()
        announce_if_changed(state, dp, before)
    return web.Response(status=204)


async def _property(
    request: web.Request, state: SimState, dps: list[Datapoint], prop: str
) -> web.StreamResponse:
    if request.method == "PUT" and prop == "monitor":
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ApiError(400, "monitor must be an object")
        rate = body.get("rate", 0)
        if isinstance(rate, bool) or not isinstance(rate, int | float) or rate < 0:
            raise ApiError(400, "monitor.rate must be a number >= 0")
        for dp in dps:
            dp.monitor_rate = float(rate)
        return web.Response(status=204)
    allow(request, "GET")
    items = []
    for dp in dps:
        full = props_item(state, dp)
        if prop not in full:
            raise ApiError(404, f"no property {prop!r}")
        items.append({**identity(state, dp), prop: full[prop]})
    return json_response(items)


def _rest_logs(
    request: web.Request, state: SimState, dps: list[Datapoint], rest: list[str]
) -> web.StreamResponse:
    allow(request, "GET")
    if not rest or rest[0] != "value":
        raise ApiError(404, "unknown log resource")
    rng = parse_time_filter(unquote(rest[1])) if len(rest) == 2 else TimeRange()
    rng = rng.clip(state.retention_start, state.clock.time())
    try:
        page = max(int(request.query.get("pg") or 1), 1)
        size = max(int(request.query.get("sz") or 1000), 1)
    except ValueError:
        raise ApiError(400, "pg and sz must be integers") from None
    options = state.options
    if request.query.get("sortBy", "").lower() == "desc":
        options = replace(options, log_order="desc")

    def entries() -> Iterable[dict[str, Any]]:
        for dp in dps:
            yield from iter_entries(dp, rng, options, state.zone)

    items = list(islice(entries(), (page - 1) * size, page * size))
    return json_response(items)
