"""Offline checks of the integration's metadata.

hassfest and the HACS action need the network, so the project re-checks the rules they
apply that matter for a custom integration. Each checker returns a list of problems; an
empty list means the input passes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
import re
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy

MANIFEST_REQUIRED = (
    "domain",
    "name",
    "codeowners",
    "config_flow",
    "documentation",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "requirements",
    "version",
)
IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
INTEGRATION_TYPES = {
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
    "virtual",
}
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "hacs",
    "persistent_directory",
}
QUALITY_SCALE_RULES = {
    "bronze": (
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow-test-coverage",
        "config-flow",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ),
    "silver": (
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ),
    "gold": (
        "devices",
        "diagnostics",
        "discovery-update-info",
        "discovery",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ),
    "platinum": ("async-dependency", "inject-websession", "strict-typing"),
}
ALL_RULES = frozenset(rule for tier in QUALITY_SCALE_RULES.values() for rule in tier)
_SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")


def check_manifest(manifest: Mapping[str, Any], domain: str) -> list[str]:
    """Check required keys, key order (domain, name, then alphabetical) and values."""
    problems = [
        f"missing key {key!r}" for key in MANIFEST_REQUIRED if key not in manifest
    ]
    keys = list(manifest)
    expected = [k for k in ("domain", "name") if k in manifest]
    expected += sorted(k for k in keys if k not in ("domain", "name"))
    if keys != expected:
        problems.append(f"keys must be domain, name, then alphabetical: {expected}")
    if manifest.get("domain") != domain:
        problems.append(f"domain must be {domain!r} (the folder name)")
    if manifest.get("iot_class") not in IOT_CLASSES:
        problems.append(f"unknown iot_class {manifest.get('iot_class')!r}")
    if manifest.get("integration_type") not in INTEGRATION_TYPES:
        problems.append(
            f"unknown integration_type {manifest.get('integration_type')!r}"
        )
    problems += [
        f"{key} must be an https URL"
        for key in ("documentation", "issue_tracker")
        if key in manifest and not str(manifest[key]).startswith("https://")
    ]
    if not manifest.get("codeowners"):
        problems.append("codeowners must name at least one owner")
    version = manifest.get("version")
    if version is not None:
        parsed = AwesomeVersion(str(version))
        if parsed.strategy not in (
            AwesomeVersionStrategy.SEMVER,
            AwesomeVersionStrategy.SIMPLEVER,
            AwesomeVersionStrategy.CALVER,
            AwesomeVersionStrategy.PEP440,
            AwesomeVersionStrategy.BUILDVER,
        ):
            problems.append(f"version {version!r} does not parse")
    if not isinstance(manifest.get("requirements", []), list):
        problems.append("requirements must be a list")
    return problems


def check_hacs(hacs: Mapping[str, Any]) -> list[str]:
    """Check hacs.json holds only keys HACS accepts, with a name."""
    problems = [f"unknown key {key!r}" for key in hacs if key not in HACS_KEYS]
    if not isinstance(hacs.get("name"), str) or not hacs.get("name"):
        problems.append("name is required")
    if "homeassistant" in hacs and not AwesomeVersion(str(hacs["homeassistant"])).valid:
        problems.append("homeassistant must be a version")
    return problems


def _leaves(tree: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _leaves(value, f"{path}.")
        else:
            yield path, value


def check_translations(
    strings: Mapping[str, Any], english: Mapping[str, Any]
) -> list[str]:
    """Check translations/en.json holds every key of strings.json, with real text."""
    english_leaves = dict(_leaves(english))
    problems = [
        f"en.json lacks {key}"
        for key, _ in _leaves(strings)
        if key not in english_leaves
    ]
    problems += [
        f"en.json {key} is empty or an unresolved reference"
        for key, text in english_leaves.items()
        if not isinstance(text, str) or not text.strip() or "[%key:" in text
    ]
    return problems


def check_services(
    services: Mapping[str, Any] | None, strings: Mapping[str, Any]
) -> list[str]:
    """Check every action in services.yaml, and each of its fields, is translated."""
    translated = strings.get("services", {})
    problems: list[str] = []
    for action, spec in (services or {}).items():
        if not _SNAKE.match(action):
            problems.append(f"action {action!r} is not snake_case")
        entry = translated.get(action)
        if not isinstance(entry, Mapping):
            problems.append(f"action {action!r} has no translation")
            continue
        problems += [
            f"action {action!r} lacks {part}"
            for part in ("name", "description")
            if not entry.get(part)
        ]
        fields = (spec or {}).get("fields", {})
        for field_name in fields:
            field_entry = entry.get("fields", {}).get(field_name, {})
            if not field_entry.get("name") or not field_entry.get("description"):
                problems.append(f"field {action}.{field_name} lacks a translation")
    return problems


def check_quality_scale(scale: Mapping[str, Any]) -> list[str]:
    """Check all 54 rules are listed with a valid status, and every exempt is explained."""
    rules = scale.get("rules")
    if not isinstance(rules, Mapping):
        return ["top key 'rules' missing"]
    problems = [f"rule {rule} missing" for rule in sorted(ALL_RULES - set(rules))]
    problems += [f"unknown rule {rule}" for rule in sorted(set(rules) - ALL_RULES)]
    for rule, value in rules.items():
        status: object
        comment: object
        if isinstance(value, str):
            status, comment = value, None
        elif isinstance(value, Mapping):
            status, comment = value.get("status"), value.get("comment")
        else:
            problems.append(f"rule {rule} has no status")
            continue
        if status not in ("done", "todo", "exempt"):
            problems.append(f"rule {rule} has unknown status {status!r}")
        if status == "exempt" and not comment:
            problems.append(f"rule {rule} is exempt without a comment")
    return problems


def check_config_schema(init_source: str) -> list[str]:
    """Check that an integration defining async_setup also defines CONFIG_SCHEMA."""
    module = ast.parse(init_source)
    defines_setup = any(
        isinstance(node, ast.AsyncFunctionDef) and node.name == "async_setup"
        for node in module.body
    )
    assigned = {
        target.id
        for node in module.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    if defines_setup and "CONFIG_SCHEMA" not in assigned:
        return ["async_setup is defined but CONFIG_SCHEMA is not"]
    return []
