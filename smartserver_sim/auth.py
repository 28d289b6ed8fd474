"""Users, cmsSID sessions with expiry, and the failed-login lockout."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
import secrets
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from .options import SimOptions


class BadCredentialsError(Exception):
    """Wrong user name or password (HTTP 401)."""


class LockedOutError(Exception):
    """Too many failed login attempts (HTTP 429)."""


@dataclass(slots=True)
class Session:
    """One login; the cmsSID cookie names it."""

    sid: str
    user: str
    created: float
    last_seen: float


class Auth:
    """Credential checks, sessions and lockout; time comes from ``clock``."""

    def __init__(
        self,
        users: dict[str, str],
        options: SimOptions,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.users = dict(users)
        self.options = options
        self.clock = clock
        self.sessions: dict[str, Session] = {}
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}

    def login(self, user: str, password: str) -> Session:
        """Check credentials and open a session."""
        now = self.clock()
        if self._locked_until.get(user, 0.0) > now:
            raise LockedOutError("Too many failed login attempts")
        expected = self.users.get(user)
        if expected is None or not secrets.compare_digest(
            expected.encode(), password.encode()
        ):
            failures = self._failures.setdefault(user, deque())
            failures.append(now)
            while failures and failures[0] <= now - self.options.lockout_window:
                failures.popleft()
            if len(failures) >= self.options.lockout_failures:
                failures.clear()
                self._locked_until[user] = now + self.options.lockout_duration
                raise LockedOutError("Too many failed login attempts")
            raise BadCredentialsError("Wrong Username or Password")
        self._failures.pop(user, None)
        session = Session(secrets.token_hex(16), user, now, now)
        self.sessions[session.sid] = session
        return session

    def lookup(self, sid: str | None, *, touch: bool = True) -> Session | None:
        """Return the live session of a cookie value, or None."""
        if not sid:
            return None
        session = self.sessions.get(sid)
        if session is None:
            return None
        now = self.clock()
        if self._is_expired(session, now):
            del self.sessions[sid]
            return None
        if touch and self.options.session_sliding:
            session.last_seen = now
        return session

    def _is_expired(self, session: Session, now: float) -> bool:
        since = session.last_seen if self.options.session_sliding else session.created
        return now - since >= self.options.session_timeout

    def sweep(self) -> list[Session]:
        """Remove and return every expired session."""
        now = self.clock()
        dead = [s for s in self.sessions.values() if self._is_expired(s, now)]
        for session in dead:
            del self.sessions[session.sid]
        return dead

    def expire(self, user: str | None = None) -> list[Session]:
        """End every session (of one user); return them."""
        dead = [s for s in self.sessions.values() if user is None or s.user == user]
        for session in dead:
            del self.sessions[session.sid]
        return dead

    def logout(self, sid: str | None) -> Session | None:
        """End one session; return it if it existed."""
        return self.sessions.pop(sid, None) if sid else None

    def user_object(self, user: str) -> dict[str, Any]:
        """Return the login response body for a user."""
        number = sorted(self.users).index(user) + 1 if user in self.users else 0
        return {
            "id": number,
            "userName": user,
            "firstName": user.capitalize(),
            "lastName": "",
            "emailAddress": f"{user}@localhost",
            "locale": "en_US",
            "customerId": 1,
            "timezone": self.options.timezone,
        }
