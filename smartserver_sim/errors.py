"""The one exception handlers raise to answer with a status and a short JSON error."""

from __future__ import annotations


class ApiError(Exception):
    """Answer ``status`` with ``{"status": status, "message": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
