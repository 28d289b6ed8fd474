"""Apply each mutant in turn, run its tests, restore the file, and count the killed.

Usage: ``scripts/mutate [--area client|ha|sim|all] [-k TEXT] [--timeout S] [--list]``.

A mutant is killed when one of its tests fails (or hangs past ``--timeout``), and
survives when they all pass: then a test is missing. The runner refuses to start
while any file it would mutate has uncommitted changes, and puts every file back
(content and modification time, so no stale bytecode is used) even on Ctrl-C.
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from dataclasses import dataclass
import os
from pathlib import Path
import re
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from .mutant import AREAS, Mutant, StaleMutantError, load

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from types import FrameType

ROOT = Path(__file__).resolve().parents[2]
_SUMMARY = re.compile(r"(FAILED|ERROR) \S+::")
PYTEST = (sys.executable, "-m", "pytest", "-x", "-q", "--no-cov", "-p", "no:randomly")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the tests said about one mutant."""

    killed: bool
    detail: str


def dirty_files(paths: Sequence[str], root: Path = ROOT) -> list[str]:
    """Return those of ``paths`` that git reports as changed or untracked."""
    result = subprocess.run(
        ["git", "status", "--porcelain", "--", *paths],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line[3:] for line in result.stdout.splitlines() if line.strip()]


@contextmanager
def mutated(path: Path, source: str) -> Iterator[None]:
    """Write ``source`` into ``path`` for the block; then restore bytes and mtime."""
    original = path.read_bytes()
    stat = path.stat()
    try:
        path.write_text(source, encoding="utf-8")
        yield
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def run_tests(
    tests: Sequence[str],
    timeout: float,
    root: Path = ROOT,
    command: Sequence[str] = PYTEST,
) -> Outcome:
    """Run ``command`` on ``tests`` once; killed when they fail or time out."""
    # No bytecode of a mutant may be written: it could outlive the mutant.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with subprocess.Popen(
        [*command, *tests],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            return Outcome(True, f"timed out after {timeout:g} s")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    if process.returncode == 0:
        return Outcome(False, "all tests passed")
    # pytest's summary names the test ("FAILED tests/x.py::test_y - why"); log lines
    # captured from the run start with "ERROR" too.
    failed = [line for line in output.splitlines() if _SUMMARY.match(line)]
    return Outcome(True, failed[0] if failed else f"pytest exit {process.returncode}")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def check(mutants: Sequence[Mutant], timeout: float, root: Path = ROOT) -> list[str]:
    """Run every mutant; print one line each and the score; return the survivors."""
    survivors: list[str] = []
    stale: list[str] = []
    killed = 0
    for number, mutant in enumerate(mutants, 1):
        path = root / mutant.file
        began = time.monotonic()
        try:
            source = mutant.apply(path.read_text(encoding="utf-8"))
        except StaleMutantError as err:
            stale.append(mutant.name)
            print(f"[{number}/{len(mutants)}] STALE    {err}", flush=True)
            continue
        with mutated(path, source):
            outcome = run_tests(mutant.tests, timeout, root)
        took = time.monotonic() - began
        verdict = "killed  " if outcome.killed else "SURVIVED"
        print(
            f"[{number}/{len(mutants)}] {verdict} {mutant.name} ({took:.1f} s): "
            f"{outcome.detail}",
            flush=True,
        )
        if outcome.killed:
            killed += 1
        else:
            survivors.append(mutant.name)
    ran = killed + len(survivors)
    score = 100 * killed / ran if ran else 100.0
    print(f"\nkilled {killed}, survived {len(survivors)}, stale {len(stale)}")
    print(f"score: {killed}/{ran} = {score:.1f} %")
    for name in survivors:
        print(f"  survived: {name}")
    return survivors + stale


def main(argv: Sequence[str]) -> int:
    """Parse the command line and run; exit 0 when every mutant was killed."""
    parser = argparse.ArgumentParser(prog="scripts/mutate", description=__doc__)
    parser.add_argument(
        "--area",
        choices=[*AREAS, "all"],
        default="all",
        help="which list of mutants to run (default: all)",
    )
    parser.add_argument(
        "-k", dest="match", help="only mutants whose name contains this"
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds per mutant's test run"
    )
    parser.add_argument(
        "--list", action="store_true", help="list the mutants, run none"
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip checking that the tests pass before mutating",
    )
    args = parser.parse_args(argv)
    areas = list(AREAS) if args.area == "all" else [args.area]
    mutants = [m for area in areas for m in load(area)]
    if args.match:
        mutants = [m for m in mutants if args.match in m.name]
    if args.list:
        for mutant in mutants:
            print(f"{mutant.name}: {mutant.file} -> {' '.join(mutant.tests)}")
        return 0
    if not mutants:
        print("no mutants selected")
        return 0
    files = sorted({m.file for m in mutants})
    dirty = dirty_files(files)
    if dirty:
        print("refusing to mutate files with uncommitted changes:", *dirty, sep="\n  ")
        return 2
    # Both end the run with every file restored (SIGINT too: a shell may have
    # started this in the background with SIGINT ignored).
    previous = {
        signum: signal.signal(signum, _interrupt)
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        if not args.no_baseline:
            tests = sorted({t for m in mutants for t in m.tests})
            baseline = run_tests(tests, args.timeout * 2)
            if baseline.killed:
                print(f"the tests fail without any mutant: {baseline.detail}")
                return 2
        survivors = check(mutants, args.timeout)
    except KeyboardInterrupt:
        print("\ninterrupted; every file is restored")
        return 130
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 1 if survivors else 0
