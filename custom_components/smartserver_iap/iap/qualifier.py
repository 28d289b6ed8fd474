"""Datapoint qualifiers and IAP path elements: the one place that parses and quotes them.

A dpQualifier is ``{scId}/{protocol}/{DID}/{block}/{blockIndex}/{datapoint}``, for example
``17q4bn7/lon/2.1/Joystick/0/nvoValue``. Names may contain anything but ``/``; when they go
into a URL path every element is percent-encoded on its own.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import quote

from .errors import IapProtocolError

# Characters that stay literal inside one path element. Everything else, including
# "/", "%", "[", "]", "+", "=", "&", spaces and non-ASCII, is percent-encoded.
_SAFE = "-._~"


class Qualifier(NamedTuple):
    """The six parts of a dpQualifier."""

    sc_id: str
    protocol: str
    did: str
    block: str
    block_index: int
    datapoint: str

    def __str__(self) -> str:
        """Return the qualifier in its wire form."""
        return format_qualifier(
            self.sc_id,
            self.protocol,
            self.did,
            self.block,
            self.block_index,
            self.datapoint,
        )


def format_qualifier(  # noqa: PLR0917
    sc_id: str, protocol: str, did: str, block: str, block_index: int, datapoint: str
) -> str:
    """Build the wire form of a qualifier from its parts."""
    return f"{sc_id}/{protocol}/{did}/{block}/{block_index}/{datapoint}"


def parse_qualifier(text: str) -> Qualifier:
    """Split a qualifier into its parts; raise IapProtocolError when it is not one."""
    parts = text.split("/")
    if len(parts) != 6 or not all(parts):
        raise IapProtocolError(f"not a datapoint qualifier: {text!r}")
    try:
        index = int(parts[4])
    except ValueError:
        raise IapProtocolError(f"block index is not a number in {text!r}") from None
    if index < 0:
        raise IapProtocolError(f"negative block index in {text!r}")
    return Qualifier(parts[0], parts[1], parts[2], parts[3], index, parts[5])


def quote_element(element: str) -> str:
    """Percent-encode one IAP path element (a device, block or datapoint name)."""
    return quote(element, safe=_SAFE)


def device_element(device_id: str | None, device_name: str) -> str:
    """Return the path element of a device: its device-list id, else its name.

    The datapoint-level ``deviceId`` (``<scId>.<n>``) is not a documented path element.
    """
    if device_id is not None:
        return quote_element(device_id)
    return "*+name==" + quote_element(device_name)


def name_element(xif_name: str, instance_name: str | None = None) -> str:
    """Return the path element of a block or datapoint named by its XIF name.

    A literal element names the *instance*; XIF names go through ``*+xifName==``, as
    the vendor's Browser sends them. A name with ``&`` cannot go into a filter term
    (``&`` joins terms, encoded or not), so it goes as the literal instance name.
    """
    if "&" in xif_name:
        return quote_element(instance_name or xif_name)
    return "*+xifName==" + quote_element(xif_name)


def datapoint_path(
    device: str,
    block: str,
    block_index: int,
    datapoint: str,
    instance_name: str | None = None,
) -> str:
    """Return the REST path of one datapoint (``device`` is a ``device_element``).

    ``/iap/devs/{device}/if/*+xifName=={block}/{index}/*+xifName=={datapoint}``, each
    name quoted on its own (block instance and XIF names are the same).
    """
    return (
        f"/iap/devs/{device}/if/{name_element(block)}"
        f"/{block_index}/{name_element(datapoint, instance_name)}"
    )


def qualifier_list_element(qualifiers: list[str] | tuple[str, ...]) -> str:
    """Return the ``*+qualifier=-q1,q2`` path element, each qualifier URI-encoded."""
    return "*+qualifier=-" + ",".join(quote_element(q) for q in qualifiers)
