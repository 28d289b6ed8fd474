"""The configuration directory of a real Home Assistant for the end-to-end runs.

Home Assistant 2026.10 keeps its HTTP settings in ``.storage/http`` as a stable/pending
pair: an ``http:`` section in configuration.yaml is migrated into a *pending* setting that
is on trial, and Home Assistant reverts it and restarts itself five minutes later unless
someone confirms it in the UI. So the loopback binding is written as the stored *stable*
setting (in the store's first format, which Home Assistant migrates itself), and
configuration.yaml has no ``http:`` section.

Onboarding is pre-marked as done except for the owner account: creating the owner through
the onboarding API then completes it. The scripted core-config step is never run, because
it sets up met, radio_browser, google_translate and shopping_list, whose errors (no
network, missing packages) a newcomer would blame on this integration.
"""

from __future__ import annotations

import json
from pathlib import Path
import shutil

REPO = Path(__file__).resolve().parents[2]
INTEGRATION = REPO / "custom_components" / "smartserver_iap"

# The onboarding steps a demo marks done before the first start; creating the owner ("user")
# through the onboarding API is the last one.
PRESET_ONBOARDING_STEPS = ("core_config", "analytics", "integration")

_GENERATED = "# Written by {writer} at each start: edits here are lost.\n"

MINIMAL_CONFIG = """\
homeassistant:
  name: SmartServer end-to-end
  time_zone: UTC
  unit_system: metric
  latitude: 0
  longitude: 0
  elevation: 0
api:
config:
onboarding:
# Home Assistant's bootstrap must start the recorder itself (the integration depends on it).
recorder:
  commit_interval: 1
logger:
  default: warning
  logs:
    custom_components.smartserver_iap: debug
    # Optional system libraries of base platforms these runs do not use (see
    # DEVELOP_CONFIG): muted, so that any ERROR line in the log is a real one.
    haffmpeg: critical
    homeassistant.components.camera.img_util: critical
"""

# No default_config: only what the demo shows. Home Assistant still sets up its base
# platforms and default integrations (camera, tts, conversation ...), whose packages the
# "develop" dependency group installs.
DEVELOP_CONFIG = """\
homeassistant:
  name: SmartServer demo
  unit_system: metric
  time_zone: Europe/Berlin
  latitude: 52.52
  longitude: 13.405
  elevation: 34
  currency: EUR
  country: DE
  language: en
frontend:
config:
recorder:
history:
logbook:
energy:
automation: !include automations.yaml
logger:
  default: info
  logs:
    custom_components.smartserver_iap: debug
    # Optional system libraries of base platforms the demo does not use: without them
    # these log an ERROR at start (no ffmpeg binary for tts, no libturbojpeg for
    # camera snapshots) although everything set up.
    haffmpeg: critical
    homeassistant.components.camera.img_util: critical
"""


def write_config(
    config_dir: Path,
    port: int,
    template: str = MINIMAL_CONFIG,
    *,
    writer: str = "the end-to-end tests",
) -> None:
    """Prepare ``config_dir`` for a Home Assistant on 127.0.0.1:``port``.

    Safe on an existing directory: configuration.yaml and the HTTP setting are rewritten,
    the onboarding state and everything else Home Assistant stored are kept.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(
        _GENERATED.format(writer=writer) + template
    )
    automations = config_dir / "automations.yaml"
    if "automations.yaml" in template and not automations.exists():
        automations.write_text("[]\n")
    storage = config_dir / ".storage"
    storage.mkdir(exist_ok=True)
    _write_store(
        storage / "http",
        "http",
        1,
        {"server_host": ["127.0.0.1"], "server_port": port},
    )
    _preset_onboarding(storage / "onboarding")
    _link_integration(config_dir)


def _write_store(path: Path, key: str, version: int, data: object) -> None:
    path.write_text(
        json.dumps(
            {"version": version, "minor_version": 1, "key": key, "data": data},
            indent=2,
        )
    )
    path.chmod(0o600)


def _preset_onboarding(path: Path) -> None:
    """Mark every onboarding step but the owner's done, unless the owner exists."""
    done: list[str] = []
    if path.exists():
        done = list(json.loads(path.read_text())["data"]["done"])
    if "user" in done:
        return
    _write_store(path, "onboarding", 4, {"done": list(PRESET_ONBOARDING_STEPS)})


def _link_integration(config_dir: Path) -> None:
    custom = config_dir / "custom_components"
    custom.mkdir(exist_ok=True)
    link = custom / "smartserver_iap"
    if link.is_symlink():
        link.unlink()
    elif link.exists():
        shutil.rmtree(link)
    link.symlink_to(INTEGRATION, target_is_directory=True)
