"""The integration's metadata passes the offline checks; each check fails on a broken sample."""

from __future__ import annotations

import json
from pathlib import Path
import struct
from typing import Any

import pytest
import yaml

from .validators import (
    ALL_RULES,
    check_config_schema,
    check_hacs,
    check_manifest,
    check_quality_scale,
    check_services,
    check_translations,
)

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / "smartserver_iap"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None


@pytest.fixture(name="manifest")
def manifest_fixture() -> dict[str, Any]:
    return dict(_json(INTEGRATION / "manifest.json"))


@pytest.fixture(name="strings")
def strings_fixture() -> dict[str, Any]:
    return dict(_json(INTEGRATION / "strings.json"))


def test_manifest_passes(manifest: dict[str, Any]) -> None:
    assert check_manifest(manifest, "smartserver_iap") == []
    assert manifest["dependencies"] == ["recorder"]
    assert manifest["requirements"] == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m.pop("version"), "missing key 'version'"),
        (lambda m: m.pop("issue_tracker"), "missing key 'issue_tracker'"),
        (lambda m: m.update(version="not a version!"), "does not parse"),
        (lambda m: m.update(iot_class="local_magic"), "unknown iot_class"),
        (lambda m: m.update(integration_type="gadget"), "unknown integration_type"),
        (lambda m: m.update(domain="other"), "domain must be"),
        (lambda m: m.update(documentation="http://x"), "https URL"),
        (lambda m: m.update(codeowners=[]), "codeowners"),
        (lambda m: m.update(requirements="aiohttp"), "requirements must be a list"),
    ],
)
def test_manifest_broken_samples_fail(
    manifest: dict[str, Any], change: Any, expected: str
) -> None:
    change(manifest)
    problems = check_manifest(manifest, "smartserver_iap")
    assert any(expected in problem for problem in problems), problems


def test_manifest_key_order_is_checked(manifest: dict[str, Any]) -> None:
    reordered = {"name": manifest["name"], **manifest}
    reordered = {
        k: reordered[k] for k in ["name", *[k for k in manifest if k != "name"]]
    }
    assert any(
        "alphabetical" in p for p in check_manifest(reordered, "smartserver_iap")
    )
    swapped = dict(reversed(list(manifest.items())))
    assert any("alphabetical" in p for p in check_manifest(swapped, "smartserver_iap"))


def test_hacs_json() -> None:
    hacs = _json(ROOT / "hacs.json")
    assert check_hacs(hacs) == []
    assert hacs["homeassistant"] == "2026.10.0"
    assert check_hacs({**hacs, "domains": ["sensor"]}) == ["unknown key 'domains'"]
    assert check_hacs({"homeassistant": "2026.10.0"}) == ["name is required"]
    assert check_hacs({"name": "x", "homeassistant": "soon"}) == [
        "homeassistant must be a version"
    ]


def test_translations_cover_strings(strings: dict[str, Any]) -> None:
    english = _json(INTEGRATION / "translations" / "en.json")
    assert check_translations(strings, english) == []


def test_translations_broken_samples_fail() -> None:
    strings = {
        "config": {"step": {"user": {"title": "Connect", "data": {"host": "Host"}}}}
    }
    assert check_translations(
        strings, {"config": {"step": {"user": {"title": "x"}}}}
    ) == ["en.json lacks config.step.user.data.host"]
    reference = {"config": {"step": {"user": {"title": "[%key:common::x%]"}}}}
    assert check_translations({}, reference) == [
        "en.json config.step.user.title is empty or an unresolved reference"
    ]


def test_services_are_translated(strings: dict[str, Any]) -> None:
    assert check_services(_yaml(INTEGRATION / "services.yaml"), strings) == []


def test_services_broken_samples_fail() -> None:
    services = {"import_history": {"fields": {"config_entry_id": {"required": True}}}}
    assert check_services(services, {}) == [
        "action 'import_history' has no translation"
    ]
    strings: dict[str, Any] = {"services": {"import_history": {"name": "Import"}}}
    assert check_services(services, strings) == [
        "action 'import_history' lacks description",
        "field import_history.config_entry_id lacks a translation",
    ]
    assert check_services({"Bad-Name": None}, {"services": {"Bad-Name": {}}})[0] == (
        "action 'Bad-Name' is not snake_case"
    )


def test_quality_scale_lists_every_rule() -> None:
    assert len(ALL_RULES) == 54
    scale = _yaml(INTEGRATION / "quality_scale.yaml")
    assert check_quality_scale(scale) == []


def test_quality_scale_broken_samples_fail() -> None:
    full = dict.fromkeys(ALL_RULES, "todo")
    assert check_quality_scale({"rules": full}) == []
    missing = dict(full)
    del missing["brands"]
    assert check_quality_scale({"rules": missing}) == ["rule brands missing"]
    assert check_quality_scale({"rules": {**full, "made-up": "done"}}) == [
        "unknown rule made-up"
    ]
    exempt = {**full, "discovery": {"status": "exempt"}}
    assert check_quality_scale({"rules": exempt}) == [
        "rule discovery is exempt without a comment"
    ]
    assert check_quality_scale({"rules": {**full, "brands": "maybe"}}) == [
        "rule brands has unknown status 'maybe'"
    ]
    assert check_quality_scale({"rules": {**full, "brands": 3}}) == [
        "rule brands has no status"
    ]
    assert check_quality_scale({}) == ["top key 'rules' missing"]


def test_config_schema_exists_with_async_setup() -> None:
    source = (INTEGRATION / "__init__.py").read_text(encoding="utf-8")
    assert check_config_schema(source) == []


def test_config_schema_broken_sample_fails() -> None:
    broken = "async def async_setup(hass, config):\n    return True\n"
    assert check_config_schema(broken) == [
        "async_setup is defined but CONFIG_SCHEMA is not"
    ]
    fixed = "CONFIG_SCHEMA = object()\n" + broken
    assert check_config_schema(fixed) == []
    annotated = "CONFIG_SCHEMA: object = object()\n" + broken
    assert check_config_schema(annotated) == []


@pytest.mark.parametrize(("name", "square"), [("icon.png", True), ("logo.png", False)])
def test_brand_images(name: str, square: bool) -> None:
    data = (INTEGRATION / "brand" / name).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    if square:
        assert (width, height) == (256, 256)
    else:
        assert 128 <= height <= 256
        assert width >= height
