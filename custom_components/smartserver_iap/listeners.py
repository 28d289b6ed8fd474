"""Callbacks by key, each registration returning its remover: the one registry type.

Datapoint listeners are looked up on the hot path (``callbacks.get(qualifier)``), so the
registry keeps exactly one callable per key: the callback itself, or a fan-out when
several entities show one key (a structured value split into fields).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, callback

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable


class _Fanout:
    """Several callbacks of one key behind one callable."""

    __slots__ = ("callbacks",)

    def __init__(self, *callbacks: CALLBACK_TYPE) -> None:
        self.callbacks = list(callbacks)

    def __call__(self) -> None:
        for cb in self.callbacks:
            cb()


class CallbackRegistry[K: Hashable]:
    """Callbacks without arguments, by key."""

    __slots__ = ("callbacks",)

    def __init__(self) -> None:
        """Start empty."""
        # One callable per key; read it directly on hot paths.
        self.callbacks: dict[K, CALLBACK_TYPE] = {}

    def __len__(self) -> int:
        """Return the number of registered callbacks."""
        return sum(
            len(cb.callbacks) if isinstance(cb, _Fanout) else 1
            for cb in self.callbacks.values()
        )

    @callback
    def add(self, key: K, cb: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``cb`` when ``key`` is notified; return the remover (idempotent)."""
        existing = self.callbacks.get(key)
        if existing is None:
            self.callbacks[key] = cb
        elif isinstance(existing, _Fanout):
            existing.callbacks.append(cb)
        else:
            self.callbacks[key] = _Fanout(existing, cb)

        @callback
        def remove() -> None:
            current = self.callbacks.get(key)
            if current is cb:
                del self.callbacks[key]
            elif isinstance(current, _Fanout) and cb in current.callbacks:
                current.callbacks.remove(cb)
                if len(current.callbacks) == 1:
                    self.callbacks[key] = current.callbacks[0]

        return remove

    @callback
    def notify(self, key: K) -> None:
        """Call the callbacks of one key."""
        if (cb := self.callbacks.get(key)) is not None:
            cb()

    @callback
    def notify_all(self) -> None:
        """Call every callback once."""
        for cb in list(self.callbacks.values()):
            cb()


class Announcer[T]:
    """Tell every subscriber about new items (platforms adding entities)."""

    __slots__ = ("_subscribers",)

    def __init__(self) -> None:
        """Start without subscribers."""
        self._subscribers: list[Callable[[list[T]], None]] = []

    @callback
    def add(self, cb: Callable[[list[T]], None]) -> CALLBACK_TYPE:
        """Call ``cb`` with each later batch of new items; return the remover."""
        self._subscribers.append(cb)

        @callback
        def remove() -> None:
            if cb in self._subscribers:
                self._subscribers.remove(cb)

        return remove

    @callback
    def announce(self, items: list[T]) -> None:
        """Hand a batch of new items to every subscriber."""
        if items:
            for cb in list(self._subscribers):
                cb(items)
