"""The SmartServer simulator as its own process (``python -m smartserver_sim``).

The soak runs it this way so it can be killed outright (``kill -9``) and started again
on the same port with the same certificate, as a SmartServer that loses power; the
control API (``POST /sim/control``) is how the soak changes values and injects faults.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
import signal
import sys
from typing import TYPE_CHECKING, Any

import aiohttp

from smartserver_sim.tls import generate_certificate, load_certificate

if TYPE_CHECKING:
    from pathlib import Path


class SimProcessError(RuntimeError):
    """The simulator did not start, or its control API refused an op."""


@dataclass
class SimProcess:
    """One ``python -m smartserver_sim`` on 127.0.0.1:``port``, restartable."""

    state_dir: Path
    port: int
    users: dict[str, str]
    # Extra command-line arguments (``--option NAME=VALUE``, ``--no-auto-updates`` ...).
    args: list[str] = field(default_factory=list)
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    _session: aiohttp.ClientSession | None = None

    def __post_init__(self) -> None:
        """Make the certificate once: every start presents the same one."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.cert_file = self.state_dir / "sim-cert.pem"
        self.key_file = self.state_dir / "sim-key.pem"
        self.log_path = self.state_dir / "sim-process.log"
        if not self.cert_file.exists():
            bundle = generate_certificate("127.0.0.1")
            self.cert_file.write_text(bundle.cert_pem)
            self.key_file.write_text(bundle.key_pem)
        self.fingerprint = load_certificate(self.cert_file, self.key_file).fingerprint

    @property
    def host(self) -> str:
        """Return the address it listens on."""
        return "127.0.0.1"

    @property
    def base_url(self) -> str:
        """Return ``https://127.0.0.1:<port>``."""
        return f"https://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """Return True while the process runs."""
        return self.process is not None and self.process.returncode is None

    async def start(self, timeout: float = 30) -> None:
        """Start the process and wait until it prints its URL."""
        command = [
            sys.executable,
            "-m",
            "smartserver_sim",
            "--port",
            str(self.port),
            "--cert",
            str(self.cert_file),
            "--key",
            str(self.key_file),
            *(f"--user={name}:{password}" for name, password in self.users.items()),
            *self.args,
        ]
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *command, stdout=log, stderr=log
            )
        self.starts += 1
        try:
            async with asyncio.timeout(timeout):
                while await self.try_control("counters") is None:
                    if not self.running:
                        raise SimProcessError(
                            f"the simulator exited: see {self.log_path}"
                        )
                    await asyncio.sleep(0.05)
        except TimeoutError:
            await self.kill()
            raise SimProcessError("the simulator did not start in time") from None

    async def kill(self) -> None:
        """End the process at once (SIGKILL): no close frames, no goodbyes."""
        if self.running:
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        """End the process gracefully (SIGTERM), then close the control session."""
        if self.running:
            assert self.process is not None
            self.process.terminate()
            try:
                async with asyncio.timeout(10):
                    await self.process.wait()
            except TimeoutError:
                await self.kill()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def control(self, op: str, *, timeout: float = 10, **args: Any) -> Any:
        """Run one control op and return its result.

        Raises:
            SimProcessError: the op was refused (bad arguments).
            aiohttp.ClientError, TimeoutError: the simulator is not reachable.
        """
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=False)
            )
        async with (
            asyncio.timeout(timeout),
            self._session.post(
                f"{self.base_url}/sim/control", json={"op": op, **args}
            ) as resp,
        ):
            body = await resp.json(content_type=None)
            if resp.status != 200:
                raise SimProcessError(f"{op}: HTTP {resp.status}: {body}")
            return body["result"]

    async def try_control(self, op: str, **args: Any) -> Any | None:
        """Run a control op; None while the simulator does not answer."""
        with contextlib.suppress(aiohttp.ClientError, TimeoutError, OSError):
            return await self.control(op, **args)
        return None
