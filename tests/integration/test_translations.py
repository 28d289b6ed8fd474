"""Every key the integration uses has English text; strings.json == translations/en.json."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from custom_components.smartserver_iap.binary_sensor import ALARM_DESCRIPTION
from custom_components.smartserver_iap.button import DESCRIPTIONS as BUTTONS
from custom_components.smartserver_iap.datapoint_types import (
    ENUM_TYPES,
    SWITCH_TYPES,
    describe_datapoint,
)
from custom_components.smartserver_iap.event import DEVICE_DESCRIPTION, HUB_DESCRIPTION
from custom_components.smartserver_iap.issues import (
    SUBSCRIPTION_TAKEN_OVER as ISSUE_KEY,
)
from custom_components.smartserver_iap.sensor import ACTIVE_ALARMS_DESCRIPTION

from .test_datapoint_types import dp

ROOT = Path(__file__).parents[2] / "custom_components" / "smartserver_iap"


def load(name: str) -> dict[str, object]:
    data = json.loads((ROOT / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_english_matches_strings() -> None:
    assert load("strings.json") == load("translations/en.json")


def test_used_keys_are_translated() -> None:
    strings = load("strings.json")
    source = "\n".join(p.read_text(encoding="utf-8") for p in ROOT.glob("*.py"))
    config = strings["config"]
    assert isinstance(config, dict)
    errors = set(config["error"])
    for key in set(re.findall(r'"base": "(\w+)"', source)) - {"base"}:
        assert key in errors, key
    for key in (
        "cannot_connect",
        "invalid_auth",
        "locked_out",
        "certificate_mismatch",
        "unknown",
    ):
        assert key in errors
    for key in re.findall(r'reason="(\w+)"', source):
        assert key in config["abort"] or key in strings["options"]["abort"], key  # type: ignore[index]
    exceptions = strings["exceptions"]
    assert isinstance(exceptions, dict)
    for key in re.findall(
        r'translation_domain=DOMAIN,\s*translation_key="(\w+)"', source
    ):
        assert key in exceptions, key
    entity = strings["entity"]
    assert isinstance(entity, dict)
    for description in ENUM_TYPES.values():
        states = entity["sensor"][description.translation_key]["state"]
        assert set(states) == set(description.options or [])
    for type_name in SWITCH_TYPES:
        for desc in describe_datapoint(dp(type_name)).binary_sensors:
            assert desc.translation_key in entity["binary_sensor"]
    for key in ("health", "link"):
        assert key in entity["binary_sensor"]
    assert "field" in entity["sensor"]


def test_every_step_field_is_described() -> None:
    strings = load("strings.json")
    for section in ("config", "options"):
        steps = strings[section]["step"]  # type: ignore[index]
        for step in steps.values():
            assert "description" in step
            for field in step.get("data", {}):
                assert field in step["data_description"], field


def test_alarm_entities_actions_and_issue_are_translated() -> None:
    """Names of the alarm entities and buttons, event types, the issue, the actions."""
    strings = load("strings.json")
    entity: Any = strings["entity"]
    for description in (HUB_DESCRIPTION, DEVICE_DESCRIPTION):
        translated = entity["event"][description.translation_key]
        assert translated["name"]
        states = translated["state_attributes"]["event_type"]["state"]
        assert set(states) == set(description.event_types or [])
    for button in BUTTONS:
        assert entity["button"][button.translation_key]["name"]
    assert entity["binary_sensor"][ALARM_DESCRIPTION.translation_key]["name"]
    assert entity["sensor"][ACTIVE_ALARMS_DESCRIPTION.translation_key]["name"]
    issue: Any = strings["issues"]
    assert set(issue[ISSUE_KEY]) == {"title", "description"}
    assert "{host}" in issue[ISSUE_KEY]["description"]
    services: Any = strings["services"]
    assert {"clear_alarm", "list_alarms"} <= set(services)
