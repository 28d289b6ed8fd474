"""Pagination: ``pg``/``sz`` pages, ``xs`` snapshots and ``noxs``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .errors import ApiError

if TYPE_CHECKING:
    from collections.abc import Callable

    from aiohttp import web

    from .state import SimState


def _int_param(request: web.Request, name: str) -> int | None:
    text = request.query.get(name)
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer") from None
    if value < 1:
        raise ApiError(400, f"{name} must be >= 1")
    return value


def paginate(
    state: SimState, request: web.Request, build: Callable[[], list[Any]]
) -> Any:
    """Return a bare list, or ``{"snapshot", "resources", "remainingPages"}`` when paged.

    With ``noxs=true`` (and with ``page_shape="bare"`` always) a page is a bare array,
    as the vendor's Browser reads it: a client pages until one comes back short.
    """
    pg = _int_param(request, "pg")
    sz = _int_param(request, "sz")
    xs = _int_param(request, "xs")
    bare = (
        request.query.get("noxs", "").lower() == "true"
        or state.options.page_shape == "bare"
    )
    if pg is None and sz is None and xs is None:
        return build()
    if xs is not None:
        items = state.snapshots.get(xs)
        if items is None:
            raise ApiError(404, f"snapshot {xs} expired")
        snapshot: int | None = xs
    else:
        items = build()
        snapshot = None
        if not bare:
            snapshot = state.new_snapshot(items)
    page = pg or 1
    size = sz or 50
    resources = items[(page - 1) * size : page * size]
    if bare:
        return resources
    body: dict[str, Any] = {}
    if snapshot is not None:
        body["snapshot"] = snapshot
    body["resources"] = resources
    body["remainingPages"] = max(0, math.ceil(len(items) / size) - page)
    return body
