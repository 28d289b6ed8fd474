"""``IapRest``: the SmartServer's REST resources over one session.

Paging, discovery, value reads and writes, the subscribe list and alarms: what the
SmartServer answers, typed. It keeps no state of the site; the client façade and the
live listener put what it reads into the ``Site``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .errors import (
    IapNotFoundError,
    IapPermissionError,
    IapProtocolError,
    IapRequestRejectedError,
)
from .models import Alarm, Datapoint, DatapointUpdate, Device, JsonValue
from .parsing import (
    device_finder,
    int_or_none,
    parse_alarm,
    parse_datapoint,
    parse_device,
    parse_value_item,
)
from .qualifier import (
    datapoint_path,
    device_element,
    qualifier_list_element,
    quote_element,
)
from .session import NO_BODY
from .transport import build_query

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .session import IapSession

_LOGGER = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 200
# 200,000 items at the default page size; a listing that goes on is a broken server.
DEFAULT_MAX_PAGES = 1000
# Stay well below the ~2 kB many HTTP stacks accept for a request line.
DEFAULT_MAX_URL_LENGTH = 2000
SUBSCRIBE_PATH = "/iap/dp/updates/subscribe"
_VALUES_PREFIX = "/iap/devs/*/if/*/*/"


class IapRest:
    """Typed REST calls of one SmartServer, on an ``IapSession``.

    Args:
        session: the login every request uses (it logs in lazily).
        page_size: items per page of paged listings.
        max_url_length: longest URL a chunked bulk read may build.
        max_page_restarts: how often a listing whose snapshot changed starts again.
        max_pages: the most pages one listing may take.
    """

    def __init__(
        self,
        session: IapSession,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_url_length: int = DEFAULT_MAX_URL_LENGTH,
        max_page_restarts: int = 3,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        self.session = session
        self.page_size = page_size
        self.max_url_length = max_url_length
        self.max_page_restarts = max_page_restarts
        self.max_pages = max_pages

    async def request(
        self, method: str, path: str, query: str = "", json_body: Any = NO_BODY
    ) -> Any:
        """Send a REST request to an already percent-encoded path; return its JSON."""
        return await self.session.request(method, path, query, json_body)

    # -- paging ------------------------------------------------------------------------

    async def get_paged(
        self, path: str, params: dict[str, Any] | None = None
    ) -> list[Any]:
        """Return every item of a paged listing, from one consistent snapshot.

        Pages are asked for while the SmartServer says more remain, or, when it does
        not say (a bare array, or a ``remainingPages`` that is no number), while pages
        come back full. If the snapshot changes between pages (the SmartServer's data
        changed, or it dropped the snapshot) the listing starts again, a bounded number
        of times. A page that repeats the one before, or more than ``max_pages``
        pages, is an error: such a listing would never end.
        """
        base = dict(params or {})
        for _ in range(self.max_page_restarts + 1):
            items = await self._list_once(path, base)
            if items is not None:
                return items
        raise IapProtocolError(f"GET {path}: the listing kept changing while paging")

    async def _list_once(self, path: str, base: dict[str, Any]) -> list[Any] | None:
        """Page through one listing; None when it must start again."""
        items: list[Any] = []
        snapshot: Any = None
        previous: list[Any] | None = None
        for page in range(1, self.max_pages + 1):
            query: dict[str, Any] = {**base, "pg": page, "sz": self.page_size}
            if page > 1 and snapshot is not None:
                query["xs"] = snapshot
            try:
                body = await self.request("GET", path, build_query(query))
            except IapNotFoundError:
                if page == 1:
                    raise
                # The SmartServer dropped the snapshot: list again from the start.
                return None
            resources, current, remaining = _page_of(body, path)
            if page == 1:
                snapshot = current
            elif current != snapshot:
                _LOGGER.debug("GET %s: snapshot changed, listing again", path)
                return None
            if resources and resources == previous:
                if page == 2 and remaining is None:
                    # The whole listing again: the server ignores pg and sz.
                    return items
                raise IapProtocolError(
                    f"GET {path}: page {page} repeats the one before"
                )
            items.extend(resources)
            if not resources or (
                remaining <= 0
                if remaining is not None
                else len(resources) < self.page_size
            ):
                return items
            previous = resources
        raise IapProtocolError(f"GET {path}: more than {self.max_pages} pages")

    # -- discovery ---------------------------------------------------------------------

    async def list_devices(self) -> list[Device]:
        """Return every device the user may read (the SmartServer itself included)."""
        raw = await self.get_paged("/iap/devs")
        return [parse_device(item) for item in raw]

    async def list_datapoints(
        self, device_id: str | None = None, devices: Iterable[Device] = ()
    ) -> list[Datapoint]:
        """Return the datapoints (with their properties) of one device, or of all.

        An item without ``dpQualifier`` (the documented item has none) gets one built
        from its device in ``devices`` (the device list), as the vendor's Browser does.
        """
        device = "*" if device_id is None else quote_element(device_id)
        raw = await self.get_paged(f"/iap/devs/{device}/if/*/*/*/*")
        find = device_finder(devices, device_id)
        result = []
        for item in raw:
            try:
                result.append(parse_datapoint(item, find))
            except IapProtocolError as err:
                # One odd item must not hide the rest of the device.
                _LOGGER.debug("Skipping a datapoint item: %s", err)
        return result

    # -- values ------------------------------------------------------------------------

    def _chunks(
        self, qualifiers: Sequence[str], suffix: str, query: str
    ) -> list[list[str]]:
        fixed = (
            len(self.session.origin)
            + len(_VALUES_PREFIX)
            + len(qualifier_list_element([]))
            + len(suffix)
            + 1
            + len(query)
        )
        chunks: list[list[str]] = []
        current: list[str] = []
        length = fixed
        for qualifier in qualifiers:
            cost = len(quote_element(qualifier)) + (1 if current else 0)
            if current and length + cost > self.max_url_length:
                chunks.append(current)
                current, length, cost = [], fixed, cost - 1
            current.append(qualifier)
            length += cost
        if current:
            chunks.append(current)
        return chunks

    async def read_values(
        self,
        qualifiers: Iterable[str],
        max_age: float | None = None,
        *,
        unreadable: list[str] | None = None,
    ) -> list[DatapointUpdate]:
        """Read the current values of many datapoints by qualifier.

        The list is split so no URL exceeds ``max_url_length``. Without ``max_age`` the
        SmartServer reads on the wire; with it, a cached value that young is good
        enough. Items the SmartServer cannot describe are skipped.

        One bad chunk does not fail the read: a chunk answered 404 names datapoints
        the SmartServer does not have ("none of these"); a chunk it refuses otherwise
        (a 400 for a name it cannot parse, a 403, say) is halved until the datapoints it
        cannot read are found, and the others are read. Every datapoint asked for
        that got no value is appended to ``unreadable``.
        """
        wanted = list(dict.fromkeys(qualifiers))
        params: dict[str, Any] = {"noxs": True}
        if max_age is not None:
            params = {"max_age": _number(max_age), "noxs": True}
        query = build_query(params)
        result: list[DatapointUpdate] = []
        for chunk in self._chunks(wanted, "/value", query):
            await self._read_chunk(chunk, query, result)
        if unreadable is not None:
            answered = {update.qualifier for update in result}
            unreadable.extend(q for q in wanted if q not in answered)
        return result

    async def _read_chunk(
        self, chunk: list[str], query: str, result: list[DatapointUpdate]
    ) -> None:
        path = f"{_VALUES_PREFIX}{qualifier_list_element(chunk)}/value"
        try:
            body = await self.request("GET", path, query)
        except IapNotFoundError:
            return
        except (IapRequestRejectedError, IapPermissionError) as err:
            # Refused for what it asks (an answer the client cannot read is not: it
            # fails the read, and the resync tries again).
            if len(chunk) == 1:
                _LOGGER.debug("Cannot read %s: %s", chunk[0], err)
                return
            half = len(chunk) // 2
            await self._read_chunk(chunk[:half], query, result)
            await self._read_chunk(chunk[half:], query, result)
            return
        if isinstance(body, dict) and isinstance(body.get("resources"), list):
            body = body["resources"]
        if not isinstance(body, list) or (
            body and not any(isinstance(item, dict) for item in body)
        ):
            # Not a list of value items (a proxy's page, numbers): no answer about
            # the datapoints; the read fails and the resync tries again. (One odd
            # item among value items is skipped below.)
            raise IapProtocolError("a value read did not answer a list of items")
        for item in body:
            try:
                result.append(parse_value_item(item))
            except IapProtocolError as err:
                _LOGGER.debug("Skipping a value item: %s", err)

    @staticmethod
    def _datapoint_path(datapoint: Datapoint | str, device_id: str | None) -> str:
        if isinstance(datapoint, Datapoint):
            return datapoint_path(
                device_element(device_id, datapoint.device_name),
                datapoint.block_name,
                datapoint.block_index,
                datapoint.name,
                datapoint.instance_name,
            )
        return _VALUES_PREFIX + qualifier_list_element([datapoint])

    async def write_value(
        self,
        datapoint: Datapoint | str,
        value: JsonValue,
        priority: int | None = None,
        *,
        device_id: str | None = None,
    ) -> None:
        """Write a value; with ``priority``, hold it at that priority level.

        ``device_id`` is the device-list id of the datapoint's device (the path then
        names it; else its name does). Priority writes go to
        ``.../{dp}/overrides/{priority}/value``, as the vendor's Browser sends them.

        Raises:
            IapPriorityConflictError: a higher priority holds the datapoint (HTTP 422).
                The SmartServer may keep the value at its level all the same.
        """
        path = self._datapoint_path(datapoint, device_id)
        if priority is None:
            await self.request("PUT", f"{path}/value", json_body=value)
        else:
            await self.request(
                "PUT", f"{path}/overrides/{_priority(priority)}/value", json_body=value
            )

    async def relinquish(
        self,
        datapoint: Datapoint | str,
        priority: int,
        *,
        device_id: str | None = None,
    ) -> None:
        """Release the value held at ``priority``; the next level takes control.

        ``DELETE`` on the priority write's own path, as the vendor's Browser does.
        """
        path = self._datapoint_path(datapoint, device_id)
        await self.request("DELETE", f"{path}/overrides/{_priority(priority)}/value")

    # -- subscribe, alarms -------------------------------------------------------------

    async def put_subscription(self, qualifiers: Sequence[str]) -> None:
        """Replace the user's subscribe list on the SmartServer."""
        await self.request("PUT", SUBSCRIBE_PATH, json_body=list(qualifiers))

    async def list_alarms(self, active_only: bool = True) -> list[Alarm]:
        """Return the alarms, oldest first (only active ones by default)."""
        params: dict[str, Any] = {"order": "asc", "sortBy": "timestamp"}
        if active_only:
            params = {"activeOnly": True, **params}
        raw = await self.get_paged("/iap/alarms", params)
        return [parse_alarm(item) for item in raw]

    async def clear_alarms(self, ids: Iterable[int]) -> None:
        """Clear (acknowledge) alarms by id."""
        await self.request("PUT", "/iap/alarms/clear", json_body=[int(i) for i in ids])

    async def device_action(self, device_id: str, action: str) -> None:
        """Send ``wink`` or ``test`` to a device (``PUT /iap/devs/{id}/{action}``)."""
        await self.request(
            "PUT",
            f"/iap/devs/{quote_element(device_id)}/{action}",
            json_body={"ID": device_id},
        )


def _page_of(body: Any, path: str) -> tuple[list[Any], Any, int | None]:
    """Return a page's items, its snapshot and how many pages remain (None: unsaid)."""
    if isinstance(body, list):
        # A bare array: a server that ignores paging, or pages without an envelope
        # (``noxs=true``) until a page comes back short or empty.
        return body, None, None
    if not isinstance(body, dict) or not isinstance(body.get("resources"), list):
        raise IapProtocolError(f"GET {path}: not a paged listing")
    return (
        body["resources"],
        body.get("snapshot"),
        int_or_none(body.get("remainingPages")),
    )


def _priority(priority: int) -> int:
    if isinstance(priority, bool) or not isinstance(priority, int) or priority < 0:
        raise ValueError(f"priority must be a non-negative int, not {priority!r}")
    return priority


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
