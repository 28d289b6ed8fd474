"""Errors raised by the IAP client; nothing else escapes it."""

from __future__ import annotations

from enum import StrEnum
import errno
import socket
import ssl
from typing import Final

# OpenSSL's reasons when the peer answers a TLS ClientHello with something that is not
# TLS (typically an HTTP server's "400 Bad Request"); which one depends on the version.
_NOT_TLS_REASONS: Final = frozenset(
    {
        "WRONG_VERSION_NUMBER",
        "PACKET_LENGTH_TOO_LONG",
        "UNKNOWN_PROTOCOL",
        "HTTP_REQUEST",
    }
)


class ConnectionFailure(StrEnum):
    """Why the SmartServer could not be reached: each needs a different fix."""

    REFUSED = "refused"  # nothing listens on that port
    NOT_FOUND = "not_found"  # the host name does not resolve
    NOT_HTTPS = "not_https"  # something answers on the port, but not with TLS
    TIMEOUT = "timeout"  # no answer in time
    OTHER = "other"


def connection_failure_of(err: BaseException) -> ConnectionFailure:
    """Classify a socket, resolver or TLS failure (not aiohttp's wrappers of them)."""
    if isinstance(err, TimeoutError):
        return ConnectionFailure.TIMEOUT
    if isinstance(err, socket.gaierror):
        return ConnectionFailure.NOT_FOUND
    if isinstance(err, ssl.SSLError):
        if getattr(err, "reason", None) in _NOT_TLS_REASONS:
            return ConnectionFailure.NOT_HTTPS
        return ConnectionFailure.OTHER
    # Several addresses that all refused arrive as one OSError with the common errno.
    if isinstance(err, ConnectionRefusedError) or (
        isinstance(err, OSError) and err.errno == errno.ECONNREFUSED
    ):
        return ConnectionFailure.REFUSED
    return ConnectionFailure.OTHER


class IapError(Exception):
    """Base class of every error the client raises."""


class IapConnectionError(IapError):
    """The SmartServer could not be reached, timed out, or the link dropped.

    ``reason`` says why, where the client can tell (``ConnectionFailure.OTHER`` else).
    """

    def __init__(
        self, message: str, reason: ConnectionFailure = ConnectionFailure.OTHER
    ) -> None:
        """Store why the connection failed."""
        super().__init__(message)
        self.reason = reason


class IapServerError(IapConnectionError):
    """The SmartServer answered, with an error: 5xx, 408, a refused WebSocket upgrade.

    An outage like any other; unlike a port that refuses or a host that is silent,
    the SmartServer did the work of answering, so retries back off.
    """


class IapRateLimitedError(IapConnectionError):
    """The SmartServer answered HTTP 429 outside the login: the client sends too fast.

    Not a lockout and not a credentials problem; ``retry_after`` holds the
    ``Retry-After`` header in seconds, when the server sent one.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        """Store how long the client should wait before it tries again, if known."""
        super().__init__(message)
        self.retry_after = retry_after


class IapAuthenticationError(IapError):
    """The SmartServer refused the credentials (HTTP 401 after one fresh login)."""


class IapLockedOutError(IapAuthenticationError):
    """Too many failed logins: the SmartServer locked the user (HTTP 429 on login)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        """Store how long the client should wait before it tries again, if known."""
        super().__init__(message)
        self.retry_after = retry_after


class IapCertificateError(IapConnectionError):
    """The server's certificate is not the pinned one, or fails verification."""

    def __init__(self, message: str, fingerprint: str | None = None) -> None:
        """Store the fingerprint the server presented, when it could be read."""
        super().__init__(message)
        self.fingerprint = fingerprint


class IapProtocolError(IapError):
    """The SmartServer answered something the client cannot interpret."""


class IapRequestRejectedError(IapProtocolError):
    """The SmartServer rejected the request itself (HTTP 4xx: a name it cannot parse).

    Unlike an answer the client cannot read (an HTML page, JSON of another shape),
    which says nothing about the request, this one is about what was asked.
    """


class IapPermissionError(IapProtocolError):
    """The SmartServer refused a request of a logged-in user (HTTP 403).

    The credentials are fine; the user's role lacks a permission the request needs
    (or the request is one nobody may make, such as writing an output).
    """


class IapNotFoundError(IapError):
    """The addressed device, datapoint or alarm does not exist (HTTP 404)."""


class IapPriorityConflictError(IapError):
    """A write was refused because a higher priority holds the datapoint (HTTP 422)."""
