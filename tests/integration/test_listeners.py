"""The one callback registry: fan-out per key, removers that unwind, announcements."""

from __future__ import annotations

from typing import TYPE_CHECKING

from custom_components.smartserver_iap.listeners import Announcer, CallbackRegistry

if TYPE_CHECKING:
    from collections.abc import Callable


def test_registry_fans_out_and_unwinds() -> None:
    registry: CallbackRegistry[str] = CallbackRegistry()
    seen: list[str] = []
    first = registry.add("q", lambda: seen.append("a"))
    second = registry.add("q", lambda: seen.append("b"))
    third = registry.add("q", lambda: seen.append("c"))
    registry.add("other", lambda: seen.append("o"))
    assert len(registry) == 4
    registry.notify("q")
    assert seen == ["a", "b", "c"]
    second()
    second()  # removers are idempotent
    first()
    seen.clear()
    registry.notify("q")
    assert seen == ["c"]
    # One callback left: the hot path calls it directly, without a fan-out.
    assert registry.callbacks["q"]() is None
    third()
    assert "q" not in registry.callbacks
    third()
    registry.notify("q")
    seen.clear()
    registry.notify_all()
    assert seen == ["o"]


def test_registry_callback_may_remove_itself_during_notify_all() -> None:
    registry: CallbackRegistry[int] = CallbackRegistry()
    seen: list[int] = []
    removers: dict[int, Callable[[], None]] = {}

    def make(n: int):
        def cb() -> None:
            seen.append(n)
            removers[n]()

        return cb

    for n in range(3):
        removers[n] = registry.add(n, make(n))
    registry.notify_all()
    assert seen == [0, 1, 2]
    assert not registry.callbacks


def test_announcer() -> None:
    announcer: Announcer[int] = Announcer()
    batches: list[list[int]] = []
    remove = announcer.add(batches.append)
    announcer.announce([1, 2])
    announcer.announce([])  # nothing new: nobody is called
    remove()
    remove()
    announcer.announce([3])
    assert batches == [[1, 2]]
