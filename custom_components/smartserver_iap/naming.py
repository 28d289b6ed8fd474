"""The names people read: datapoint entities, and a SmartServer in log lines.

A datapoint's programmatic name follows LON conventions (``nvoSpaceTemp``: an output
network variable, camel case, abbreviated words); people read "Space temperature".
Home Assistant puts the device's name in front (``has_entity_name``), so an entity's
name never repeats it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .iap.models import Datapoint

# Words of a programmatic name: acronyms (HVAC, RH), capitalised or lower-case words,
# digits. ``HVACMode`` is HVAC + Mode; ``nvoSpaceRH`` is nvo + Space + RH.
_WORDS: Final = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_ARRAY_INDEX: Final = re.compile(r"\[(\d+)\]$")
# nvo/nvi: output/input network variables, nci/cp: configuration properties, nv: either.
_PREFIX: Final = re.compile(r"^(?:nvo|nvi|nci|nv|cp)(?=[A-Z0-9_])")

# Word pairs of LON names that mean one thing (checked before single words).
PHRASES: Final[dict[tuple[str, str], str]] = {
    ("set", "pt"): "setpoint",
    ("set", "pnt"): "setpoint",
    ("set", "point"): "setpoint",
    ("lux", "level"): "illuminance",
    ("run", "tm"): "run time",
}
# Abbreviations common in LON names (LonMark profiles and vendors' habits).
ABBREVIATIONS: Final[dict[str, str]] = {
    "accum": "accumulated",
    "amp": "current",
    "clg": "cooling",
    "cmd": "command",
    "cnt": "count",
    "ctrl": "control",
    "dmpr": "damper",
    "econ": "economizer",
    "effect": "effective",
    "elec": "electric",
    "fb": "feedback",
    "freq": "frequency",
    "hrs": "hours",
    "htg": "heating",
    "hum": "humidity",
    "humid": "humidity",
    "kwh": "energy",
    "lux": "illuminance",
    "lvl": "level",
    "max": "maximum",
    "min": "minimum",
    "oat": "outdoor air temperature",
    "occ": "occupancy",
    "occup": "occupancy",
    "pos": "position",
    "press": "pressure",
    "pwr": "power",
    "rh": "relative humidity",
    "setpnt": "setpoint",
    "setpt": "setpoint",
    "spd": "speed",
    "sts": "status",
    "temp": "temperature",
    "val": "value",
    "volt": "voltage",
}
# Names that say nothing beyond the type: the device class names such an entity.
GENERIC_WORDS: Final = frozenset(
    {"value", "output", "input", "out", "in", "data", "sensor", "reading", "state"}
)


def name_words(name: str) -> list[str]:
    """Return the words of a programmatic name (``nvoSpaceRH``: nvo, Space, RH)."""
    return _WORDS.findall(name)


def _tokens(name: str) -> list[str]:
    """Return the words of a name, an acronym and its digits kept together (CO2, L1)."""
    tokens: list[str] = []
    end = -1
    for match in _WORDS.finditer(name):
        word = match.group()
        if tokens and match.start() == end and word.isdigit() and tokens[-1].isupper():
            tokens[-1] += word
        else:
            tokens.append(word)
        end = match.end()
    return tokens


def _is_acronym(word: str) -> bool:
    return len(word) > 1 and word.isupper()


def _expand(tokens: Sequence[str]) -> list[str]:
    """Return the words people read: abbreviations expanded, lower case but acronyms."""
    words: list[str] = []
    i = 0
    while i < len(tokens):
        pair = (
            (tokens[i].lower(), tokens[i + 1].lower()) if i + 1 < len(tokens) else None
        )
        if pair is not None and pair in PHRASES:
            words.extend(PHRASES[pair].split())
            i += 2
            continue
        token = tokens[i]
        if (expanded := ABBREVIATIONS.get(token.lower())) is not None:
            words.extend(expanded.split())
        elif _is_acronym(token) or token.isdigit():
            words.append(token)
        else:
            words.append(token.lower())
        i += 1
    return words


def _sentence(words: Sequence[str]) -> str:
    """Join words, the first one capitalised: ``Space temperature``."""
    if not words:
        return ""
    first = words[0]
    return " ".join((first[:1].upper() + first[1:], *words[1:]))


def _split_index(name: str) -> tuple[str, str | None]:
    """Split ``nvoLampFb[1]`` into the array's name and its index."""
    if (match := _ARRAY_INDEX.search(name)) is not None:
        return name[: match.start()], match.group(1)
    return name, None


def readable_words(name: str, *, index: bool = True) -> list[str]:
    """Return the words people read for a programmatic name, lower case.

    ``nvoSpaceTemp`` gives space, temperature; ``nvoLampFb[1]`` lamp, feedback, 1
    (without the 1 when ``index`` is False); ``nvoCO2`` CO2 (acronyms keep their case).
    """
    base, array_index = _split_index(name)
    words = _expand(_tokens(_PREFIX.sub("", base))) or _expand(_tokens(base))
    if index and array_index is not None:
        words.append(array_index)
    return words


def readable_name(name: str) -> str:
    """Return the name people read for a programmatic name: ``Space temperature``."""
    return _sentence(readable_words(name))


def _drop_repeated(words: list[str], device_name: str) -> list[str]:
    """Drop leading words that repeat the end of the device's name.

    Home Assistant shows "{device} {entity}": "Water Meter" + "Meter reading" would
    read "Water Meter Meter reading".
    """
    device_words = device_name.lower().split()
    for size in range(min(len(device_words), len(words) - 1), 0, -1):
        if [w.lower() for w in words[:size]] == device_words[-size:]:
            return words[size:]
    return words


def entity_names(
    device_name: str,
    datapoints: Iterable[tuple[Datapoint, str | None]],
    *,
    programmatic: bool = False,
) -> dict[str, str | None]:
    """Return the entity name of each datapoint of one device (qualifier -> name).

    ``datapoints`` pairs each datapoint with the device class of the sensor it
    becomes (None: none, or several entities). The name is the instance name the
    SmartServer reports when someone gave one, else a readable name made from the
    programmatic name. None means "name it by its device class": Home Assistant then
    shows the translated device-class name, for a datapoint that says nothing more
    than its class ("nvoTemp": Temperature) when no other one of the device has it.
    Names shared by several datapoints (a block type used twice) get the block and
    its index in front. ``programmatic`` keeps the LON names (for integrators).
    """
    datapoints = list(datapoints)
    if programmatic:
        words = {dp.qualifier: [dp.name] for dp, _ in datapoints}
    else:
        words = _readable(device_name, [dp for dp, _ in datapoints])
    class_counts = _counts(dc for _, dc in datapoints if dc is not None)
    counts = _counts(_key(w) for w in words.values())
    # Shared names whose datapoints sit in different blocks: the block tells them apart.
    by_block = _counts(
        f"{_key(words[dp.qualifier])}/{dp.block_name}/{dp.block_index}"
        for dp, _ in datapoints
    )
    names: dict[str, str | None] = {}
    for dp, device_class in datapoints:
        own = words[dp.qualifier]
        if counts[_key(own)] > 1:
            if by_block[f"{_key(own)}/{dp.block_name}/{dp.block_index}"] == 1:
                names[dp.qualifier] = _in_block(dp, own, programmatic=programmatic)
            else:
                # Readable names only: programmatic ones are unique within a block.
                names[dp.qualifier] = _sentence(own)
        elif programmatic:
            names[dp.qualifier] = own[0]
        elif (
            device_class is not None
            and class_counts[device_class] == 1
            and (
                _key(own) == device_class.replace("_", " ")
                or all(w.lower() in GENERIC_WORDS for w in own)
            )
        ):
            names[dp.qualifier] = None
        else:
            names[dp.qualifier] = _sentence(own)
    return _unique(names, datapoints)


def _key(words: Sequence[str]) -> str:
    return " ".join(words).lower()


def _counts(keys: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return counts


def _array_of(dp: Datapoint) -> str:
    """Return which array of which block a datapoint belongs to."""
    return f"{dp.block_name}/{dp.block_index}/{_split_index(dp.name)[0]}"


def _readable(
    device_name: str, datapoints: Sequence[Datapoint]
) -> dict[str, list[str]]:
    """Return the readable words of each datapoint of one device.

    An array index is kept only where the block has several elements of the array
    (``nvoLampFb[0]`` alone in its block is the lamp feedback). An input that would
    share its name with an output (``nviHVACMode``, ``nvoHVACMode``) says "input".
    """
    arrays = _counts(
        _array_of(dp) for dp in datapoints if _split_index(dp.name)[1] is not None
    )
    words: dict[str, list[str]] = {}
    for dp in datapoints:
        if dp.instance_name and dp.instance_name != dp.name:
            own = dp.instance_name.split()
        else:
            several = arrays.get(_array_of(dp), 0) > 1
            own = readable_words(dp.name, index=several)
        words[dp.qualifier] = _drop_repeated(own, device_name) or [dp.name]
    outputs = {_key(words[dp.qualifier]) for dp in datapoints if not dp.writable}
    for dp in datapoints:
        if dp.writable and _key(words[dp.qualifier]) in outputs:
            words[dp.qualifier] = [*words[dp.qualifier], "input"]
    return words


def _unique(
    names: dict[str, str | None], datapoints: Sequence[tuple[Datapoint, str | None]]
) -> dict[str, str | None]:
    """Tell apart names that are still shared (``nvoTemp`` and ``nvoTemperature``)."""
    seen: dict[str, int] = {}
    for name in names.values():
        if name is not None:
            seen[name.lower()] = seen.get(name.lower(), 0) + 1
    for dp, _ in datapoints:
        name = names[dp.qualifier]
        if name is not None and seen[name.lower()] > 1:
            names[dp.qualifier] = f"{name} ({dp.name})"
    return names


def display_names(datapoints: Iterable[Datapoint]) -> dict[str, str]:
    """Return readable names of one device's datapoints for lists (qualifier -> name).

    The names of ``entity_names`` without the device-class shortcut: a list of
    datapoints (the options flow) needs a name for every one.
    """
    datapoints = list(datapoints)
    if not datapoints:
        return {}
    names = entity_names(datapoints[0].device_name, [(dp, None) for dp in datapoints])
    return {qualifier: name or "" for qualifier, name in names.items()}


def _in_block(dp: Datapoint, words: list[str], *, programmatic: bool) -> str:
    """Return a shared name told apart by its block: ``Phase 1 voltage``."""
    block = dp.block_name.split()
    if programmatic:
        return " ".join((*block, str(dp.block_index), *words))
    if block and words and words[0].lower() == block[-1].lower():
        # "Lamp" block + "lamp feedback": Lamp 1 feedback, not Lamp 1 lamp feedback.
        words = words[1:]
    return " ".join((*block, str(dp.block_index), *words))


def smartserver_label(name: str | None, host: str) -> str:
    """Return how log lines name a SmartServer: ``SmartServer 'Building A' (192.0.2.10)``.

    The name tells two SmartServers on one host (a port each) apart; the host says
    where to look.
    """
    if not name:
        return f"SmartServer {host}"
    return f"SmartServer '{name}' ({host})"
