"""What a mutant is, and where each area keeps its list."""

from __future__ import annotations

from dataclasses import dataclass
import importlib

# Area name -> module holding ``MUTANTS: list[Mutant]``. Add an area here.
AREAS: dict[str, str] = {
    "client": "tests.mutation.client",
    "ha": "tests.mutation.ha",
    "sim": "tests.mutation.sim",
}


class StaleMutantError(Exception):
    """A mutant's snippet is not in its file exactly once (the code moved on)."""


@dataclass(frozen=True, slots=True)
class Mutant:
    """One plausible bug: in ``file``, the exact snippet ``find`` becomes ``replace``.

    ``tests`` are the pytest paths or node ids that should fail with the bug in
    place (keep them few: the runner stops at the first failure anyway).
    """

    name: str
    file: str
    find: str
    replace: str
    tests: tuple[str, ...]

    def apply(self, source: str) -> str:
        """Return ``source`` with the bug in place."""
        count = source.count(self.find)
        if count != 1:
            raise StaleMutantError(
                f"{self.name}: the snippet occurs {count} times in {self.file}"
            )
        return source.replace(self.find, self.replace)


def load(area: str) -> list[Mutant]:
    """Return the mutants of one area."""
    module = importlib.import_module(AREAS[area])
    mutants: list[Mutant] = module.MUTANTS
    return mutants
