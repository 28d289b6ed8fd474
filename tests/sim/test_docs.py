"""The simulator's README documents every control op with its arguments and every scenario key."""

from __future__ import annotations

import inspect
from pathlib import Path
import re

import yaml

import smartserver_sim
from smartserver_sim import build_scenario
from smartserver_sim.control import OPS
from smartserver_sim.spec import KEYS

README = Path(smartserver_sim.__file__).parent / "README.md"
NAME = re.compile(r"`([a-z_A-Z]+)`")


def section(heading: str) -> str:
    """Return the text of the README's ``## heading`` section."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def tables(text: str) -> list[list[list[str]]]:
    """Return the Markdown tables of ``text``: rows of cells, the separator row left out."""
    found: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= {"-", ":"} for cell in cells):
                current.append(cells)
        elif current:
            found.append(current)
            current = []
    return found


def op_arguments(op: str) -> set[str]:
    """Return the names of the arguments the op's handler reads from the body."""
    source = inspect.getsource(OPS[op])
    return (
        set(re.findall(r'_arg\(\s*b,\s*"(\w+)"', source))
        | set(re.findall(r'b\["(\w+)"\]', source))
        | set(re.findall(r'"(\w+)" not in b', source))
    )


def documented_ops() -> dict[str, set[str]]:
    """Return each op of the Control API table with the arguments it documents."""
    (table,) = tables(section("Control API"))
    header, *rows = table
    assert header[:2] == ["Op", "Arguments"]
    ops: dict[str, set[str]] = {}
    for row in rows:
        if row[0].startswith("**"):  # a group's heading
            continue
        arguments = set(NAME.findall(row[1]))
        for op in NAME.findall(row[0]):
            ops[op] = arguments
    return ops


def test_every_control_op_is_documented_with_its_arguments() -> None:
    documented = documented_ops()
    assert sorted(documented) == sorted(OPS)
    assert {op: op_arguments(op) for op in OPS} == documented


def test_op_arguments_are_found_in_the_source() -> None:
    """The reading of the handlers finds what they take (the check above relies on it)."""
    assert op_arguments("set_value") == {"qualifier", "value", "hold"}
    assert op_arguments("stream_updates") == {
        "count",
        "batch_size",
        "rate",
        "qualifiers",
        "send_time_values",
    }
    assert op_arguments("counters") == set()


def documented_keys() -> dict[str, set[str]]:
    """Return the keys of each ``what key`` table of the scenario section."""
    keys: dict[str, set[str]] = {}
    for header, *rows in tables(section("Scenario files")):
        match = re.fullmatch(r"`(\w+)` key", header[0])
        assert match, header
        keys[match[1]] = {name for row in rows for name in NAME.findall(row[0])}
    return keys


def test_every_scenario_key_is_documented() -> None:
    assert documented_keys() == {what: set(keys) for what, keys in KEYS.items()}


def test_the_example_scenario_is_valid() -> None:
    text = section("Scenario files")
    example = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert example
    scenario = build_scenario(yaml.safe_load(example[1]))
    # The qualifier the example's comment names, and the device numbering it explains.
    assert "site001/lon/2.1/Thermostat/0/nvoSpaceTemp" in scenario.datapoints
    assert scenario.devices["20"].name == "Meter"
    assert len(scenario.alarm_specs) == 3
