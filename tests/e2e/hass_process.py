"""A real Home Assistant process with this integration, driven through its HTTP API.

Used by the end-to-end tests and by ``scripts/develop``: it starts ``python -m
homeassistant`` on a configuration directory (see ``hass_config``), creates the owner
through the onboarding API or logs in as the owner, and walks the integration's config
flow over REST, exactly as the frontend would. Access tokens of Home Assistant last 30
minutes; ``api`` refreshes them before they expire, so a long run keeps working.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
import os
import re
import socket
import sys
import time
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

# Home Assistant's states, by entity id, as its REST API shows them.
type States = dict[str, dict[str, Any]]

CLIENT_ID = "http://127.0.0.1/"
# Refresh an access token this long before it expires.
TOKEN_MARGIN = 60.0


@dataclass(frozen=True, slots=True)
class Owner:
    """The owner account of a Home Assistant instance."""

    username: str
    password: str
    name: str = "Owner"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# A log line of level ERROR or CRITICAL in Home Assistant's log format.
_ERROR_LINE = re.compile(r"^\d{4}-\d\d-\d\d [\d:.]+ (ERROR|CRITICAL) ")


def error_lines(log_path: Path) -> list[str]:
    """Return the ERROR and CRITICAL lines and tracebacks of a Home Assistant log."""
    return [
        line
        for line in log_path.read_text(errors="replace").splitlines()
        if _ERROR_LINE.match(line) or line.startswith("Traceback")
    ]


class HassExitedError(RuntimeError):
    """The Home Assistant process ended."""


@dataclass
class HassProcess:
    """A running ``hass`` and an authenticated HTTP session to it."""

    config_dir: Path
    port: int
    process: asyncio.subprocess.Process | None = None
    session: aiohttp.ClientSession | None = None
    token: str | None = None
    refresh_token: str | None = None
    token_expires: float = 0.0
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        """Place the process log beside the configuration."""
        self.log_path = self.config_dir / "hass-process.log"

    @property
    def url(self) -> str:
        """Return the base URL of the Home Assistant HTTP server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def returncode(self) -> int | None:
        """Return the exit status once the process has ended."""
        return None if self.process is None else self.process.returncode

    async def start(self, timeout: float = 180) -> None:
        """Start Home Assistant and wait until its HTTP server answers."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # A restart appends to the log of this run; a new run starts it afresh.
        with self.log_path.open("wb" if self.process is None else "ab") as log:
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
                # In its configuration directory: from the repository's root,
                # ``custom_components`` would be the repository's, not the
                # configuration's (where the integration is linked, and the soak's
                # probe).
                cwd=self.config_dir,
                # Its own session: Ctrl-C in the terminal reaches only the harness,
                # which stops Home Assistant itself.
                start_new_session=True,
            )
        self.session = aiohttp.ClientSession()
        async with asyncio.timeout(timeout):
            while True:
                self._check_running()
                with contextlib.suppress(aiohttp.ClientError):
                    # The server answers once the frontend and onboarding are set up;
                    # the onboarding view is gone (404) once onboarding is complete.
                    async with self.session.get(f"{self.url}/api/onboarding") as resp:
                        if resp.status in (200, 404):
                            return
                await asyncio.sleep(0.5)

    def _check_running(self) -> None:
        if self.process is not None and self.process.returncode is not None:
            raise HassExitedError(
                f"Home Assistant exited with status {self.process.returncode}:\n"
                f"{self.log_tail()}"
            )

    async def wait_exit(self) -> int:
        """Wait until the process ends; return its exit status."""
        assert self.process is not None
        return await self.process.wait()

    def log_tail(self, lines: int = 60) -> str:
        """Return the end of the process log, for failure messages."""
        text = (
            self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        )
        return "\n".join(text.splitlines()[-lines:])

    async def onboarding_open(self) -> bool:
        """Return True while the owner account has not been created yet."""
        assert self.session is not None
        async with self.session.get(f"{self.url}/api/onboarding") as resp:
            if resp.status == 404:  # the view is gone once onboarding is complete
                return False
            resp.raise_for_status()
            steps = await resp.json()
        return not any(step["step"] == "user" and step["done"] for step in steps)

    async def onboard(self, owner: Owner) -> None:
        """Create the owner account and obtain an access token."""
        assert self.session is not None
        async with self.session.post(
            f"{self.url}/api/onboarding/users",
            json={
                "name": owner.name,
                "username": owner.username,
                "password": owner.password,
                "client_id": CLIENT_ID,
                "language": "en",
            },
        ) as resp:
            resp.raise_for_status()
            code = (await resp.json())["auth_code"]
        await self._token({"grant_type": "authorization_code", "code": code})

    async def login(self, owner: Owner) -> None:
        """Log in with the owner's password (the login flow of the login page)."""
        assert self.session is not None
        async with self.session.post(
            f"{self.url}/auth/login_flow",
            json={
                "client_id": CLIENT_ID,
                "handler": ["homeassistant", None],
                "redirect_uri": CLIENT_ID,
            },
        ) as resp:
            resp.raise_for_status()
            flow_id = (await resp.json())["flow_id"]
        async with self.session.post(
            f"{self.url}/auth/login_flow/{flow_id}",
            json={
                "username": owner.username,
                "password": owner.password,
                "client_id": CLIENT_ID,
            },
        ) as resp:
            resp.raise_for_status()
            result = await resp.json()
        if result.get("type") != "create_entry":
            raise PermissionError(
                f"Home Assistant refused the password of {owner.username!r}"
            )
        await self._token(
            {"grant_type": "authorization_code", "code": result["result"]}
        )

    async def _token(self, grant: Mapping[str, str]) -> None:
        assert self.session is not None
        async with self.session.post(
            f"{self.url}/auth/token", data={**grant, "client_id": CLIENT_ID}
        ) as resp:
            resp.raise_for_status()
            tokens = await resp.json()
        self.token = tokens["access_token"]
        self.refresh_token = tokens.get("refresh_token", self.refresh_token)
        self.token_expires = time.monotonic() + float(tokens["expires_in"])

    async def _fresh_token(self) -> str:
        if time.monotonic() > self.token_expires - TOKEN_MARGIN:
            assert self.refresh_token is not None
            await self._token(
                {"grant_type": "refresh_token", "refresh_token": self.refresh_token}
            )
        assert self.token is not None
        return self.token

    async def request(
        self, method: str, path: str, payload: Mapping[str, Any] | None = None
    ) -> tuple[int, Any]:
        """Call the REST API as the owner; return the status and the decoded answer."""
        assert self.session is not None
        token = await self._fresh_token()
        async with self.session.request(
            method,
            f"{self.url}{path}",
            json=payload,
            headers={"Authorization": f"Bearer {token}"},
        ) as resp:
            return resp.status, await resp.json(content_type=None)

    async def api(
        self, method: str, path: str, payload: Mapping[str, Any] | None = None
    ) -> Any:
        """Call the REST API as the owner and return the decoded JSON answer."""
        status, body = await self.request(method, path, payload)
        if status >= 400:
            raise RuntimeError(f"{method} {path} -> {status}: {body}")
        return body

    async def ws(self, *commands: Mapping[str, Any]) -> list[Any]:
        """Send WebSocket API commands as the owner; return their results in order."""
        assert self.session is not None
        token = await self._fresh_token()
        results: list[Any] = []
        async with self.session.ws_connect(f"{self.url}/api/websocket") as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": token})
            if (await ws.receive_json())["type"] != "auth_ok":
                raise PermissionError("Home Assistant refused the access token")
            for number, command in enumerate(commands, 1):
                await ws.send_json({**command, "id": number})
                answer = await ws.receive_json()
                if not answer.get("success"):
                    raise RuntimeError(f"{command['type']} failed: {answer}")
                results.append(answer["result"])
        return results

    async def wait_running(self, timeout: float = 120) -> None:
        """Wait until Home Assistant has finished starting (state RUNNING)."""
        async with asyncio.timeout(timeout):
            while (await self.api("GET", "/api/config"))["state"] != "RUNNING":
                self._check_running()
                await asyncio.sleep(0.5)

    async def entries(self, domain: str = "smartserver_iap") -> list[dict[str, Any]]:
        """Return the config entries of ``domain``."""
        return list(
            await self.api("GET", f"/api/config/config_entries/entry?domain={domain}")
        )

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

    async def states(self) -> States:
        """Return every state, by entity id."""
        return {
            state["entity_id"]: state for state in await self.api("GET", "/api/states")
        }

    async def wait_for(
        self, check: Callable[[States], bool], timeout: float = 60
    ) -> States:
        """Poll the states until ``check`` accepts them; return those states."""
        async with asyncio.timeout(timeout):
            while True:
                states = await self.states()
                if check(states):
                    return states
                await asyncio.sleep(0.25)

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
