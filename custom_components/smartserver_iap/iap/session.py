"""Login, the per-client ``cmsSID`` cookie, renewal, and the REST request wrapper.

The cookie is kept here, never in the injected ``ClientSession``'s jar: Home Assistant
shares one session between integrations, and two SmartServers (or two users of one)
must never see each other's session. aiohttp stores every ``Set-Cookie`` in the jar by
itself, so right after a login the client evicts the cookie it just received and then
sends its own explicitly on each request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any, Final

import aiohttp
import orjson
from yarl import URL

from .errors import (
    IapAuthenticationError,
    IapConnectionError,
    IapError,
    IapLockedOutError,
    IapProtocolError,
    IapRateLimitedError,
)
from .transport import (
    decode_json,
    map_client_error,
    raise_for_status,
    read_body,
    refuses_session,
    retry_after,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from http.cookies import Morsel

    from .stats import ClientStats
    from .tls import TlsTrust

_LOGGER = logging.getLogger(__name__)

COOKIE_NAME: Final = "cmsSID"
LOGIN_PATH: Final = "/iap/auth/login"
LOGOUT_PATH: Final = "/iap/auth/logout"
TIMEOUT_PATH: Final = "/iap/auth/sessionTimeout"
# Needs a session: refuses a cookie the server does not accept (401 or a login redirect).
CHECK_PATH: Final = "/iap/users/current"
# Never renew more often than this, whatever sessionTimeout says (a misreported or
# tiny timeout must not turn into a renewal storm; the 401 retry covers the rest).
MIN_RENEW_INTERVAL: Final = 60.0

# Seconds a logout may take (both methods together): a SmartServer that answers slowly
# must not hold up an unload; the session then expires there by itself.
LOGOUT_TIMEOUT: Final = 1.5

# The largest REST answer read (a listing of 5,000 datapoints with every property is
# a few MiB); a bigger one is an error, read no further than this.
MAX_BODY_SIZE: Final = 32 * 1024 * 1024

# Marks "send no body"; None is a valid JSON body (null).
NO_BODY: Final[Any] = object()

_JSON_HEADERS: Final = {"Content-Type": "application/json; charset=utf-8"}


class IapSession:
    """One login on one SmartServer, shared by the REST calls and the WebSockets."""

    def __init__(  # noqa: PLR0917
        self,
        http: aiohttp.ClientSession,
        origin: URL,
        username: str,
        password: str,
        trust: TlsTrust,
        stats: ClientStats,
        *,
        request_timeout: float = 10.0,
        renew_fraction: float = 0.9,
        lockout_default: float = 60.0,
        min_renew_interval: float = MIN_RENEW_INTERVAL,
        max_body_size: int = MAX_BODY_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.origin = str(origin).rstrip("/")
        self._username = username
        self._password = password
        self.ssl = trust.aiohttp_ssl()
        self.stats = stats
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._renew_fraction = renew_fraction
        self._lockout_default = lockout_default
        self._min_renew_interval = min_renew_interval
        self.max_body_size = max_body_size
        self.clock = clock
        self._lock = asyncio.Lock()
        self._cookie: str | None = None
        self.generation = 0
        self.user: dict[str, Any] = {}
        self.session_timeout: float | None = None
        self.renew_at: float | None = None
        self._locked_until = 0.0
        self.closed = False

    @property
    def logged_in(self) -> bool:
        """Return True while the client holds a session cookie."""
        return self._cookie is not None

    def url(self, path: str, query: str = "") -> URL:
        """Return the URL of an already percent-encoded path and query."""
        return URL(f"{self.origin}{path}{'?' + query if query else ''}", encoded=True)

    def ws_url(self, query: str = "") -> URL:
        """Return the ``wss://…/iap/ws`` URL with an already encoded query."""
        return self.url("/iap/ws", query).with_scheme(
            "wss" if self.origin.startswith("https") else "ws"
        )

    def cookie_headers(self, cookie: str) -> dict[str, str]:
        """Return the header that carries this client's session."""
        return {"Cookie": f"{COOKIE_NAME}={cookie}"}

    # -- login / renewal -------------------------------------------------------------

    def _check_open(self) -> None:
        if self.closed:
            raise IapConnectionError("client closed")

    def _check_lockout(self) -> None:
        remaining = self._locked_until - self.clock()
        if remaining > 0:
            raise IapLockedOutError(
                "the SmartServer locked this user out; waiting before the next login",
                remaining,
            )

    def _lock_out(self, retry_after: float | None) -> IapLockedOutError:
        wait = self._lockout_default if retry_after is None else retry_after
        self._locked_until = self.clock() + wait
        return IapLockedOutError("too many failed logins: the user is locked out", wait)

    def _evict_response_cookie(self, response: aiohttp.ClientResponse) -> None:
        morsel = response.cookies.get(COOKIE_NAME)
        if morsel is not None and morsel.value:
            self._evict_from_jar(morsel.value)

    def _evict_from_jar(self, cookie: str) -> None:
        def ours(morsel: Morsel[str]) -> bool:
            return morsel.key == COOKIE_NAME and morsel.value == cookie

        self.http.cookie_jar.clear(ours)

    async def login(self) -> dict[str, Any]:
        """Log in now and return the user object the SmartServer sent."""
        self._check_open()
        async with self._lock:
            return await self._login_locked()

    async def _login_locked(self) -> dict[str, Any]:
        self._check_open()
        self._check_lockout()
        body = orjson.dumps({"username": self._username, "password": self._password})
        try:
            async with self.http.post(
                self.url(LOGIN_PATH),
                data=body,
                headers=_JSON_HEADERS,
                ssl=self.ssl,
                timeout=self._timeout,
                allow_redirects=False,
            ) as response:
                raw = await read_body(response, self.max_body_size, "login")
                morsel = response.cookies.get(COOKIE_NAME)
                status = response.status
                wait = retry_after(response.headers)
                self._evict_response_cookie(response)
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            raise map_client_error(err, "login") from err
        if status == 429:
            # On the login path a 429 is the lockout ("Too many failed login attempts").
            raise self._lock_out(wait)
        if status in (401, 403):
            self._cookie = None
            raise IapAuthenticationError(
                "the SmartServer refused the user name or password"
            )
        raise_for_status(status, raw, "login")
        if morsel is None or not morsel.value:
            raise IapProtocolError("the login response set no cmsSID cookie")
        self._cookie = morsel.value
        self.generation += 1
        self.stats.logins += 1
        user = decode_json(raw, "login")
        self.user = user if isinstance(user, dict) else {}
        await self._read_session_timeout(morsel.value)
        _LOGGER.debug(
            "Logged in to %s (session timeout %s s)", self.origin, self.session_timeout
        )
        return self.user

    async def _read_session_timeout(self, cookie: str) -> None:
        now = self.clock()
        value: Any = None
        try:
            status, raw = await self._send("GET", self.url(TIMEOUT_PATH), cookie, None)
            if status == 200 and raw is not None:
                value = decode_json(raw, "session timeout")
        except IapConnectionError, IapProtocolError:
            status = 0
        if isinstance(value, dict):
            value = value.get("value", value.get("sessionTimeout"))
        millis: float | None = None
        if status == 200 and not isinstance(value, bool):
            try:
                millis = float(value)
            except TypeError, ValueError:
                millis = None
        if millis is None or millis <= 0:
            # Unknown timeout: rely on the 401 retry alone.
            self.session_timeout = None
            self.renew_at = None
            return
        self.session_timeout = millis / 1000
        interval = max(
            self.session_timeout * self._renew_fraction, self._min_renew_interval
        )
        self.renew_at = now + interval

    def needs_renewal(self) -> bool:
        """Return True when the session is about to expire and should be renewed."""
        return self.renew_at is not None and self.clock() >= self.renew_at

    async def ensure(self) -> str:
        """Return a valid session cookie, logging in or renewing first if needed."""
        self._check_open()
        cookie = self._cookie
        if cookie is not None and not self.needs_renewal():
            return cookie
        async with self._lock:
            if self._cookie is None:
                await self._login_locked()
            elif self.needs_renewal():
                old = self._cookie
                self.stats.session_renewals += 1
                await self._login_locked()
                # Free the replaced session on the server; its WebSockets close, and
                # the listener reconnects on the new one (a planned reconnect).
                await self._logout_cookie(old)
            assert self._cookie is not None
            return self._cookie

    async def cookie_accepted(self, cookie: str) -> bool:
        """Return False if the SmartServer says the session of ``cookie`` is gone.

        Asks ``GET /iap/users/current``, which needs a session: a 401, a 403 (every
        user may read itself) or a redirect to a login page is a refusal, any other
        answer an acceptance.
        """
        status, raw = await self._send("GET", self.url(CHECK_PATH), cookie, None)
        return raw is not None and status != 403

    async def relogin(self, generation: int) -> None:
        """Log in again unless someone already did since ``generation`` was current."""
        self._check_open()
        async with self._lock:
            if self.generation == generation or self._cookie is None:
                self._cookie = None
                await self._login_locked()

    def invalidate(self, generation: int) -> None:
        """Forget the cookie of ``generation``: the server no longer accepts it."""
        if self.generation == generation:
            self._cookie = None

    async def logout(self) -> None:
        """Log out (best effort) and forget the cookie."""
        async with self._lock:
            cookie, self._cookie = self._cookie, None
            self.renew_at = None
            if cookie is not None:
                await self._logout_cookie(cookie)

    async def close(self) -> None:
        """Log out and refuse every later request (no network I/O after this).

        Takes at most ``LOGOUT_TIMEOUT`` seconds, waiting for a login in progress
        included.
        """
        self.closed = True
        try:
            async with asyncio.timeout(LOGOUT_TIMEOUT):
                await self.logout()
        except TimeoutError:
            self._cookie = None
            _LOGGER.debug("Logout took too long; the session expires on its own")

    async def _logout_cookie(self, cookie: str) -> None:
        """Log a session out, best effort, in at most ``LOGOUT_TIMEOUT`` seconds."""
        try:
            async with asyncio.timeout(LOGOUT_TIMEOUT):
                for method in ("POST", "PUT"):
                    status, _ = await self._send(
                        method, self.url(LOGOUT_PATH), cookie, None
                    )
                    # Every vendor client POSTs, the docs say PUT: PUT when POST is
                    # unknown.
                    if status not in (404, 405):
                        return
        except IapError as err:
            _LOGGER.debug("Logout failed: %s", err)
        except TimeoutError:
            _LOGGER.debug("Logout took too long; the session expires on its own")

    # -- requests --------------------------------------------------------------------

    async def _send(
        self, method: str, url: URL, cookie: str, body: bytes | None
    ) -> tuple[int, Any]:
        """Send one request; the body is None when the answer refuses the session."""
        headers = self.cookie_headers(cookie)
        if body is not None:
            headers.update(_JSON_HEADERS)
        self.stats.requests += 1
        try:
            async with self.http.request(
                method,
                url,
                data=body,
                headers=headers,
                # Explicit cookies win over anything the shared jar holds for this host.
                cookies={COOKIE_NAME: cookie},
                ssl=self.ssl,
                timeout=self._timeout,
                allow_redirects=False,
            ) as response:
                raw = await read_body(
                    response, self.max_body_size, f"{method} {url.path}"
                )
                status = response.status
                answer = response.headers
                # Keep any session the server hands out here out of the shared jar too.
                self._evict_response_cookie(response)
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            raise map_client_error(err, f"{method} {url.path}") from err
        if status == 429:
            # Outside the login a 429 means "too fast", not a lockout.
            raise IapRateLimitedError(
                f"{method} {url.path}: HTTP 429 (too many requests)",
                retry_after(answer),
            )
        if refuses_session(status, answer):
            return status, None
        return status, raw

    async def request(
        self, method: str, path: str, query: str = "", json_body: Any = NO_BODY
    ) -> Any:
        """Send one REST request with the session cookie and return the decoded JSON.

        A refused session (401, or a redirect to a login page) triggers one fresh
        login and one retry; a second refusal raises IapAuthenticationError. A 403
        means "not allowed" (writing an output, say: IapPermissionError), unless the
        session check refuses the session too: then it is a refused session.
        """
        url = self.url(path, query)
        body = None if json_body is NO_BODY else orjson.dumps(json_body)
        what = f"{method} {path}"
        for attempt in range(2):
            cookie = await self.ensure()
            generation = self.generation
            status, raw = await self._send(method, url, cookie, body)
            if status == 403 and not await self.cookie_accepted(cookie):
                # Not "not allowed": the session is gone (some answer 403 for that).
                raw = None
            if raw is None:
                if attempt == 0:
                    _LOGGER.debug(
                        "%s: session refused (HTTP %s), logging in again", what, status
                    )
                    await self.relogin(generation)
                    continue
                raise IapAuthenticationError(f"{what}: refused after a fresh login")
            raise_for_status(status, raw, what)
            return decode_json(raw, what)
        raise AssertionError("unreachable")  # pragma: no cover
