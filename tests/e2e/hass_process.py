"""A real Home Assistant process with this integration, driven through its HTTP API.

Used by the end-to-end test and by ``scripts/develop``: it writes a configuration
directory, links the integration into it, starts ``python -m homeassistant``, onboards an
owner account through the onboarding API, and walks the integration's config flow over
REST, exactly as the frontend would.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
import os
from pathlib import Path
import shutil
import socket
import sys
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from collections.abc import Mapping

REPO = Path(__file__).resolve().parents[2]
INTEGRATION = REPO / "custom_components" / "smartserver_iap"
CLIENT_ID = "http://127.0.0.1/"
OWNER = {"name": "Owner", "username": "owner", "password": "owner-password"}

MINIMAL_CONFIG = """\
homeassistant:
  name: SmartServer end-to-end
  time_zone: UTC
  unit_system: metric
  latitude: 0
  longitude: 0
  elevation: 0
http:
  server_host: 127.0.0.1
  server_port: {port}
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
"""

DEVELOP_CONFIG = """\
homeassistant:
  name: SmartServer demo
  unit_system: metric
http:
  server_host: 127.0.0.1
  server_port: {port}
frontend:
config:
api:
recorder:
history:
logbook:
energy:
system_health:
logger:
  default: info
  logs:
    custom_components.smartserver_iap: debug
"""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(config_dir: Path, port: int, template: str = MINIMAL_CONFIG) -> None:
    """Write configuration.yaml and link the integration into custom_components."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(template.format(port=port))
    custom = config_dir / "custom_components"
    custom.mkdir(exist_ok=True)
    link = custom / "smartserver_iap"
    if link.is_symlink() or link.exists():
        if link.is_symlink():
            link.unlink()
        else:
            shutil.rmtree(link)
    link.symlink_to(INTEGRATION, target_is_directory=True)


@dataclass
class HassProcess:
    """A running ``hass`` and an authenticated HTTP session to it."""

    config_dir: Path
    port: int
    process: asyncio.subprocess.Process | None = None
    session: aiohttp.ClientSession | None = None
    token: str | None = None
    refresh_token: str | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        """Place the process log beside the configuration."""
        self.log_path = self.config_dir / "hass-process.log"

    @property
    def url(self) -> str:
        """Return the base URL of the Home Assistant HTTP server."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 180) -> None:
        """Start Home Assistant and wait until its HTTP API answers."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "homeassistant",
                "--config",
                str(self.config_dir),
                "--skip-pip",
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                env=env,
            )
        self.session = aiohttp.ClientSession()
        async with asyncio.timeout(timeout):
            while True:
                if self.process.returncode is not None:
                    raise RuntimeError(f"hass exited early:\n{self.log_tail()}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with self.session.get(f"{self.url}/api/onboarding") as resp:
                        if resp.status == 200:
                            return
                await asyncio.sleep(0.5)

    def log_tail(self, lines: int = 60) -> str:
        """Return the end of the process log, for failure messages."""
        text = (
            self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        )
        return "\n".join(text.splitlines()[-lines:])

    async def onboard(self) -> None:
        """Create the owner account and obtain an access token."""
        assert self.session is not None
        async with self.session.post(
            f"{self.url}/api/onboarding/users",
            json={**OWNER, "client_id": CLIENT_ID, "language": "en"},
        ) as resp:
            resp.raise_for_status()
            code = (await resp.json())["auth_code"]
        async with self.session.post(
            f"{self.url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": CLIENT_ID,
            },
        ) as resp:
            resp.raise_for_status()
            tokens = await resp.json()
        self.token = tokens["access_token"]
        self.refresh_token = tokens["refresh_token"]

    async def refresh(self, refresh_token: str) -> None:
        """Obtain an access token from a refresh token of an earlier run."""
        assert self.session is not None
        async with self.session.post(
            f"{self.url}/auth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": CLIENT_ID,
            },
        ) as resp:
            resp.raise_for_status()
            self.token = (await resp.json())["access_token"]
        self.refresh_token = refresh_token

    async def api(
        self, method: str, path: str, payload: Mapping[str, Any] | None = None
    ) -> Any:
        """Call the REST API as the owner and return the decoded JSON answer."""
        assert self.session is not None
        assert self.token is not None
        async with self.session.request(
            method,
            f"{self.url}{path}",
            json=payload,
            headers={"Authorization": f"Bearer {self.token}"},
        ) as resp:
            body = await resp.json(content_type=None)
            if resp.status >= 400:
                raise RuntimeError(f"{method} {path} -> {resp.status}: {body}")
            return body

    async def add_entry(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """Walk the integration's config flow, answering each form from ``answers``."""
        result = await self.api(
            "POST", "/api/config/config_entries/flow", {"handler": "smartserver_iap"}
        )
        for _ in range(10):
            if result["type"] != "form":
                break
            fields = [item["name"] for item in result.get("data_schema", [])]
            reply = {name: answers[name] for name in fields if name in answers}
            result = await self.api(
                "POST", f"/api/config/config_entries/flow/{result['flow_id']}", reply
            )
        if result["type"] != "create_entry":
            raise RuntimeError(f"config flow did not create an entry: {result}")
        return dict(result)

    async def states(self) -> dict[str, dict[str, Any]]:
        """Return every state, by entity id."""
        return {
            state["entity_id"]: state for state in await self.api("GET", "/api/states")
        }

    async def stop(self, timeout: float = 60) -> None:
        """Stop Home Assistant gracefully (SIGTERM), then close the HTTP session."""
        if self.session is not None:
            await self.session.close()
            self.session = None
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            async with asyncio.timeout(timeout):
                await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
