"""HTTP plumbing shared by REST requests and WebSocket handshakes.

Encoded queries, the translation of aiohttp/OS failures into the client's errors, and
the one reading of an answer that says "this session is gone".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import aiohttp
import orjson
from yarl import URL

from .errors import (
    ConnectionFailure,
    IapCertificateError,
    IapConnectionError,
    IapError,
    IapNotFoundError,
    IapPermissionError,
    IapPriorityConflictError,
    IapProtocolError,
    IapRequestRejectedError,
    IapServerError,
    connection_failure_of,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

# Where a SmartServer (or a proxy in front of it) sends a browser without a session.
_LOGIN_PATHS = ("/cms",)
_LOGIN_WORD = "login"


def build_query(params: dict[str, str | int | float | bool]) -> str:
    """Return a fully percent-encoded query string (nothing left for yarl to touch)."""
    parts = []
    for key, value in params.items():
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        parts.append(f"{quote(key, safe='')}={quote(text, safe='*')}")
    return "&".join(parts)


async def read_body(response: aiohttp.ClientResponse, limit: int, what: str) -> bytes:
    """Return a response's body; raise IapProtocolError past ``limit`` bytes.

    Nothing past the limit is read: leaving the response's ``async with`` with the
    rest unread closes the connection for good.
    """
    length = response.content_length
    if length is not None:
        if length > limit:
            raise _too_big(what, limit, length)
        return await response.read()
    body = bytearray()
    async for chunk in response.content.iter_chunked(256 * 1024):
        body += chunk
        if len(body) > limit:
            raise _too_big(what, limit, len(body))
    return bytes(body)


def _too_big(what: str, limit: int, size: int) -> IapProtocolError:
    return IapProtocolError(
        f"{what}: the answer exceeds {limit} bytes ({size} or more)"
    )


def decode_json(raw: bytes, what: str) -> Any:
    """Return a body's JSON (None for an empty body); raise IapProtocolError."""
    if not raw.strip():
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise IapProtocolError(f"{what}: the response is not JSON") from err


def raise_for_status(status: int, raw: bytes, what: str) -> None:
    """Raise the client's error for a status that is not 2xx."""
    if 200 <= status < 300:
        return
    detail = raw[:200].decode("utf-8", "replace").strip()
    message = f"{what}: HTTP {status}" + (f" ({detail})" if detail else "")
    if status == 404:
        raise IapNotFoundError(message)
    if status == 403:
        raise IapPermissionError(message)
    if status == 422:
        raise IapPriorityConflictError(message)
    if status >= 500 or status == 408:
        raise IapServerError(message)
    raise IapRequestRejectedError(message)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Return the ``Retry-After`` header in seconds, when there is a usable one."""
    header = headers.get("Retry-After")
    if header is None:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        return None


def redirects_to_login(status: int, headers: Mapping[str, str] | None) -> bool:
    """Return True for a redirect towards the web UI (``/cms…``) or a login page."""
    if not 300 <= status < 400 or headers is None:
        return False
    location = headers.get("Location")
    if not location:
        return False
    path = URL(location).path.lower()
    return path.startswith(_LOGIN_PATHS) or _LOGIN_WORD in path


def refuses_session(status: int, headers: Mapping[str, str] | None) -> bool:
    """Return True when a REST answer says the session is gone (401, login redirect).

    A 403 on REST means "not allowed" (writing an output, say), not a lost session.
    """
    return status == 401 or redirects_to_login(status, headers)


def map_client_error(err: BaseException, what: str) -> IapError:
    """Translate an aiohttp/OS failure into the client's own error."""
    if isinstance(err, aiohttp.ServerFingerprintMismatch):
        got = err.got.hex().upper()
        presented = ":".join(got[i : i + 2] for i in range(0, len(got), 2))
        return IapCertificateError(
            f"{what}: the server certificate is not the pinned one", presented
        )
    if isinstance(err, aiohttp.ClientConnectorDNSError):
        # Its os_error is not always a gaierror (aiodns reports a plain OSError).
        return IapConnectionError(
            f"{what}: host not found: {err}", ConnectionFailure.NOT_FOUND
        )
    cause = err.os_error if isinstance(err, aiohttp.ClientConnectorError) else err
    reason = connection_failure_of(cause)
    if reason is ConnectionFailure.NOT_HTTPS:
        return IapConnectionError(f"{what}: the port does not speak HTTPS", reason)
    if isinstance(
        err, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError
    ):
        return IapCertificateError(f"{what}: certificate verification failed: {err}")
    if reason is ConnectionFailure.TIMEOUT:
        return IapConnectionError(f"{what}: timed out", reason)
    return IapConnectionError(f"{what}: {type(err).__name__}: {err}", reason)
