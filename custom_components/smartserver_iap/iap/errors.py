"""Errors raised by the IAP client; nothing else escapes it."""

from __future__ import annotations


class IapError(Exception):
    """Base class of every error the client raises."""


class IapConnectionError(IapError):
    """The SmartServer could not be reached, timed out, or the link dropped."""


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


class IapNotFoundError(IapError):
    """The addressed device, datapoint or alarm does not exist (HTTP 404)."""


class IapPriorityConflictError(IapError):
    """A write was refused because a higher priority holds the datapoint (HTTP 422)."""
