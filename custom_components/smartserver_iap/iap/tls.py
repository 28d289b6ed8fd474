"""TLS trust: normal verification, or exactly one pinned self-signed certificate."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import hashlib
import logging
import ssl
import string

from aiohttp import Fingerprint

from .errors import IapCertificateError, IapConnectionError, connection_failure_of

_LOGGER = logging.getLogger(__name__)

_HEX = frozenset(string.hexdigits)


def normalize_fingerprint(fingerprint: str) -> str:
    """Return a SHA-256 fingerprint as ``AB:CD:…`` (upper case, colon separated).

    Accepts colons, spaces or dashes between the bytes, no separators at all, any case,
    and an optional ``sha256:`` prefix; raises ValueError for anything that is not 32 bytes.
    """
    text = fingerprint.strip()
    if text[:7].lower() == "sha256:" or text[:7].lower() == "sha256=":
        text = text[7:]
    digits = "".join(ch for ch in text if ch not in ": -")
    if len(digits) != 64 or not set(digits) <= _HEX:
        raise ValueError("a SHA-256 fingerprint has 64 hex digits")
    digits = digits.upper()
    return ":".join(digits[i : i + 2] for i in range(0, 64, 2))


def fingerprint_of_der(der: bytes) -> str:
    """Return the ``AB:CD:…`` SHA-256 fingerprint of a DER certificate."""
    return normalize_fingerprint(hashlib.sha256(der).hexdigest())


@dataclass(slots=True, frozen=True)
class TlsTrust:
    """How the client decides whether to trust the SmartServer's certificate.

    ``TlsTrust.system()`` verifies the chain and host name against the system CAs.
    ``TlsTrust.pinned(fp)`` trusts exactly one certificate, the one whose SHA-256 matches
    ``fp``; the chain is not checked because the default SmartServer certificate is
    self-signed, but the fingerprint check makes any other certificate fail.
    """

    fingerprint: str | None = None

    @classmethod
    def system(cls) -> TlsTrust:
        """Trust certificates that verify against the system CA store."""
        return cls(None)

    @classmethod
    def pinned(cls, fingerprint: str) -> TlsTrust:
        """Trust exactly the certificate with this SHA-256 fingerprint."""
        return cls(normalize_fingerprint(fingerprint))

    @property
    def is_pinned(self) -> bool:
        """Return True when one certificate is pinned by fingerprint."""
        return self.fingerprint is not None

    def aiohttp_ssl(self) -> bool | Fingerprint:
        """Return the value for aiohttp's ``ssl=`` argument.

        For a pin, aiohttp pairs ``Fingerprint`` with a context that skips CA checks and
        then compares the peer certificate's digest, so it never means "verify off".
        """
        if self.fingerprint is None:
            return True
        return Fingerprint(bytes.fromhex(self.fingerprint.replace(":", "")))


def _unverified_context() -> ssl.SSLContext:
    # Only used to *read* a certificate for the user to confirm; nothing is sent over it.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def fetch_fingerprint(
    host: str,
    port: int = 443,
    timeout: float = 10.0,  # noqa: ASYNC109 - the contract names it so
) -> str:
    """Open a TLS connection and return the SHA-256 fingerprint of the server certificate.

    Raises:
        IapConnectionError: the server could not be reached or did not speak TLS.
    """
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(
                host, port, ssl=_unverified_context(), server_hostname=host or None
            )
            ssl_object = writer.get_extra_info("ssl_object")
            der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    except (OSError, TimeoutError, ssl.SSLError, ValueError) as err:
        raise IapConnectionError(
            f"cannot read the certificate of {host}:{port}: {err}",
            connection_failure_of(err),
        ) from err
    finally:
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError, ssl.SSLError:
                _LOGGER.debug(
                    "TLS close after the fingerprint read failed", exc_info=True
                )
    if not der:
        raise IapCertificateError(f"{host}:{port} presented no certificate")
    return fingerprint_of_der(der)
