"""What a broken live link is, and whether the SmartServer answered the attempt.

The listener backs off from a SmartServer that answers with errors, and simply tries
again a SmartServer that does not answer at all (see ``backoff.ReconnectDelays``).
"""

from __future__ import annotations

from .errors import IapConnectionError, IapError, IapRateLimitedError, IapServerError


class LinkLost(IapConnectionError):
    """The live link broke; ``wait`` is the least time before the next attempt.

    ``answered``: the SmartServer answered the attempt, with an error (see
    ``ReconnectDelays``). ``error`` is the client error behind it, when there is one.
    """

    def __init__(
        self,
        reason: str,
        wait: float = 0.0,
        *,
        answered: bool = False,
        error: IapError | None = None,
    ) -> None:
        """Store why the link broke, how long to wait at least, who answered, why."""
        super().__init__(reason)
        self.wait = wait
        self.answered = answered
        self.error = error


def answered(err: IapError) -> bool:
    """Return True when the SmartServer answered, with an error.

    Not answered: a refused port, a time-out, a reset connection, a certificate that
    is not the expected one.
    """
    if isinstance(err, LinkLost):
        return err.answered
    if isinstance(err, IapConnectionError):  # a certificate error among them
        return isinstance(err, IapServerError | IapRateLimitedError)
    return True


def lost_link(err: IapError, what: str = "") -> LinkLost:
    """Return the ``LinkLost`` an error of a connect attempt or a link amounts to."""
    if isinstance(err, LinkLost) and not what:
        return err
    wait = err.retry_after if isinstance(err, IapRateLimitedError) else None
    return LinkLost(f"{what}{err}", wait or 0.0, answered=answered(err), error=err)
