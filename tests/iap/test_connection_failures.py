"""Why a connection failed, told apart on real loopback sockets and a real resolver."""

from __future__ import annotations

import errno
import socket
import ssl
from typing import TYPE_CHECKING

import aiohttp
from aiohttp.resolver import AsyncResolver, ThreadedResolver
import pytest

from custom_components.smartserver_iap.iap import (
    IapCertificateError,
    IapClient,
    IapConnectionError,
    TlsTrust,
    fetch_fingerprint,
)
from custom_components.smartserver_iap.iap.errors import (
    ConnectionFailure,
    connection_failure_of,
)
from tests.loopback import (
    SYSTEM_GETADDRINFO,
    UNRESOLVABLE_HOST,
    closed_port,
    plain_http_server,
    silent_server,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from smartserver_sim import SmartServerSim

PIN = ":".join(["AB"] * 32)
TRUSTS = [TlsTrust.system(), TlsTrust.pinned(PIN)]
QUICK = 0.3  # seconds: the silent server never answers


@pytest.fixture
def system_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolve names with the system resolver, as outside the test plugin."""
    monkeypatch.setattr(socket, "getaddrinfo", SYSTEM_GETADDRINFO)


@pytest.fixture(params=[AsyncResolver, ThreadedResolver], ids=["aiodns", "threaded"])
async def resolving_http(
    request: pytest.FixtureRequest, socket_enabled: None, system_resolver: None
) -> AsyncIterator[aiohttp.ClientSession]:
    """A session with each resolver aiohttp offers (Home Assistant uses aiodns)."""
    connector = aiohttp.TCPConnector(resolver=request.param())
    async with aiohttp.ClientSession(connector=connector) as session:
        yield session


async def login_error(
    http: aiohttp.ClientSession, host: str, port: int, trust: TlsTrust
) -> IapConnectionError:
    client = IapClient(
        http, host, port, "apollo", "apollo", trust, request_timeout=QUICK
    )
    with pytest.raises(IapConnectionError) as caught:
        await client.login()
    await client.close()
    return caught.value


@pytest.mark.parametrize("trust", TRUSTS, ids=["system", "pinned"])
async def test_refused(http: aiohttp.ClientSession, trust: TlsTrust) -> None:
    err = await login_error(http, "127.0.0.1", closed_port(), trust)
    assert err.reason is ConnectionFailure.REFUSED


@pytest.mark.parametrize("trust", TRUSTS, ids=["system", "pinned"])
async def test_not_https(http: aiohttp.ClientSession, trust: TlsTrust) -> None:
    """A plain-HTTP port is a connection problem, not a certificate one."""
    async with plain_http_server() as port:
        err = await login_error(http, "127.0.0.1", port, trust)
    assert err.reason is ConnectionFailure.NOT_HTTPS
    assert not isinstance(err, IapCertificateError)


@pytest.mark.parametrize("trust", TRUSTS, ids=["system", "pinned"])
async def test_timeout(http: aiohttp.ClientSession, trust: TlsTrust) -> None:
    async with silent_server() as port:
        err = await login_error(http, "127.0.0.1", port, trust)
    assert err.reason is ConnectionFailure.TIMEOUT


async def test_not_found(resolving_http: aiohttp.ClientSession) -> None:
    err = await login_error(resolving_http, UNRESOLVABLE_HOST, 443, TlsTrust.system())
    assert err.reason is ConnectionFailure.NOT_FOUND


async def test_untrusted_certificate_is_still_a_certificate_error(
    http: aiohttp.ClientSession, sim: SmartServerSim
) -> None:
    """The self-signed simulator under system trust: a certificate error, as before."""
    with pytest.raises(IapCertificateError) as caught:
        await IapClient(http, sim.host, sim.port, "apollo", "apollo").login()
    assert caught.value.reason is ConnectionFailure.OTHER


@pytest.mark.usefixtures("socket_enabled")
async def test_fingerprint_read_failures(system_resolver: None) -> None:
    async def reason(host: str, port: int) -> ConnectionFailure:
        with pytest.raises(IapConnectionError) as caught:
            await fetch_fingerprint(host, port, timeout=QUICK)
        return caught.value.reason

    assert await reason("127.0.0.1", closed_port()) is ConnectionFailure.REFUSED
    assert await reason(UNRESOLVABLE_HOST, 443) is ConnectionFailure.NOT_FOUND
    async with plain_http_server() as port:
        assert await reason("127.0.0.1", port) is ConnectionFailure.NOT_HTTPS
    async with silent_server() as port:
        assert await reason("127.0.0.1", port) is ConnectionFailure.TIMEOUT


@pytest.mark.parametrize(
    ("err", "expected"),
    [
        # Every address of a name refused: asyncio reports one OSError, errno kept.
        (OSError(errno.ECONNREFUSED, "Multiple exceptions"), ConnectionFailure.REFUSED),
        (ConnectionResetError(errno.ECONNRESET, "reset"), ConnectionFailure.OTHER),
        (
            ssl.SSLError(1, "[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE]"),
            ConnectionFailure.OTHER,
        ),
        (ValueError("bad host"), ConnectionFailure.OTHER),
    ],
)
def test_other_failures(err: BaseException, expected: ConnectionFailure) -> None:
    assert connection_failure_of(err) is expected


def test_reason_defaults_to_other() -> None:
    assert IapConnectionError("gone").reason is ConnectionFailure.OTHER
