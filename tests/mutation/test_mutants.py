"""The mutation check itself: its lists stay current, its runner restores files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from .mutant import AREAS, Mutant, StaleMutantError, load
from .runner import ROOT, dirty_files, main, mutated, run_tests

if TYPE_CHECKING:
    from pathlib import Path

ALL = [mutant for area in AREAS for mutant in load(area)]


@pytest.mark.parametrize("mutant", ALL, ids=lambda m: m.name)
def test_each_mutant_applies_once_and_names_existing_tests(mutant: Mutant) -> None:
    source = (ROOT / mutant.file).read_text(encoding="utf-8")
    assert mutant.apply(source) != source
    assert mutant.tests
    for test in mutant.tests:
        path, _, name = test.partition("::")
        text = (ROOT / path).read_text(encoding="utf-8")
        assert not name or re.search(rf"def {re.escape(name)}\(", text), test


def test_names_are_unique() -> None:
    names = [mutant.name for mutant in ALL]
    assert len(names) == len(set(names))


def test_a_stale_snippet_is_reported() -> None:
    mutant = Mutant("twice", "x.py", "a", "b", ("t",))
    with pytest.raises(StaleMutantError, match="2 times"):
        mutant.apply("a a")
    with pytest.raises(StaleMutantError, match="0 times"):
        mutant.apply("c")


def test_mutated_restores_content_and_mtime_even_on_interrupt(tmp_path: Path) -> None:
    path = tmp_path / "module.py"
    path.write_text("x = 1\n", encoding="utf-8")
    os.utime(path, ns=(1_000_000_000, 2_000_000_000))
    seen: list[str] = []

    def interrupted() -> None:
        with mutated(path, "x = 2\n"):
            seen.append(path.read_text(encoding="utf-8"))
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert seen == ["x = 2\n"]
    assert path.read_text(encoding="utf-8") == "x = 1\n"
    assert path.stat().st_mtime_ns == 2_000_000_000


# A stand-in for pytest: fails when its argument says so, or hangs.
FAKE_PYTEST = (
    sys.executable,
    "-c",
    (
        "import sys, time\n"
        "if sys.argv[1] == 'hang': time.sleep(60)\n"
        "if sys.argv[1] == 'fail': print('FAILED tests/x.py::test_y - boom'); sys.exit(1)"
    ),
)


@pytest.mark.parametrize(
    ("argument", "killed", "detail"),
    [
        ("pass", False, "all tests passed"),
        ("fail", True, "FAILED tests/x.py::test_y - boom"),
        ("hang", True, "timed out after 1 s"),
    ],
)
def test_run_tests_tells_killed_from_survived(
    argument: str, killed: bool, detail: str
) -> None:
    outcome = run_tests([argument], 1, command=FAKE_PYTEST)
    assert (outcome.killed, outcome.detail) == (killed, detail)


def test_list_runs_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--area", "client", "--list", "-k", "datalog"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed
    assert all("datalog" in line for line in listed)


def test_dirty_files_are_found(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "a.py").write_text("a = 1\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("b = 1\n", encoding="utf-8")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "x")
    assert dirty_files(["a.py", "b.py"], tmp_path) == []
    (tmp_path / "a.py").write_text("a = 2\n", encoding="utf-8")
    assert dirty_files(["a.py", "b.py"], tmp_path) == ["a.py"]
