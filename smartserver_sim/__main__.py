"""``python -m smartserver_sim``: run the simulator until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from .options import SimOptions
from .scenario import default_scenario, load_scenario
from .sim import SmartServerSim


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m smartserver_sim", description=__doc__
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443, help="0 picks a free port")
    parser.add_argument("--scenario", help="scenario file (JSON or YAML)")
    parser.add_argument("--tls", choices=("self-signed", "off"), default="self-signed")
    parser.add_argument(
        "--cert", help="PEM certificate to use instead of generating one"
    )
    parser.add_argument("--key", help="PEM key of --cert")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="NAME:PASSWORD",
        help="a user (repeatable); default apollo:apollo",
    )
    parser.add_argument("--no-auto-updates", action="store_true", help="freeze values")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="take the other reading of every [GUESS] switch (SimOptions.strict)",
    )
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> None:
    """Start the simulator, print where it is, wait for SIGINT/SIGTERM."""
    users: dict[str, str] = {}
    for item in args.user:
        name, sep, password = item.partition(":")
        if not sep or not name:
            raise SystemExit(f"--user needs NAME:PASSWORD, got {item!r}")
        users[name] = password
    scenario = load_scenario(args.scenario) if args.scenario else default_scenario()
    make = SimOptions.strict if args.strict else SimOptions
    options = make(auto_updates=not args.no_auto_updates)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with SmartServerSim(
        scenario,
        host=args.host,
        port=args.port,
        tls=args.tls != "off",
        users=users or None,
        options=options,
        cert_file=args.cert,
        key_file=args.key,
    ) as sim:
        print(f"SmartServer simulator listening on {sim.base_url}", flush=True)
        print(f"URL: {sim.base_url}", flush=True)
        print(f"SHA-256 fingerprint: {sim.fingerprint or '(TLS off)'}", flush=True)
        print(f"Users: {', '.join(sorted(sim.auth.users))}", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main(sys.argv[1:])
