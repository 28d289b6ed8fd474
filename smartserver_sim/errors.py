"""The simulator's exceptions: HTTP answers of handlers, bad control calls."""

from __future__ import annotations


class ApiError(Exception):
    """Answer ``status`` with ``{"status": status, "message": message}``."""

    def __init__(
        self, status: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


class SimError(Exception):
    """A control call with bad arguments (HTTP 400 on /sim/control)."""


class NotFoundError(SimError):
    """A control call naming something that does not exist (HTTP 404)."""


class ScenarioError(ValueError):
    """A scenario the simulator cannot serve; the message names the place and the problem."""
