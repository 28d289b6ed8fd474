"""``python -m smartserver_sim``: run the simulator until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import signal
import sys
import types
from typing import Any, Literal, get_args, get_origin, get_type_hints

import yaml

from .errors import ScenarioError
from .options import SimOptions
from .scenario import load_scenario, mac_address
from .sim import SmartServerSim
from .sites import default_scenario, default_spec

PROG = "python -m smartserver_sim"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443, help="0 picks a free port")
    parser.add_argument(
        "--scenario", help="scenario file (JSON or YAML); default: a small office"
    )
    parser.add_argument(
        "--print-scenario",
        action="store_true",
        help="print the default scenario as YAML (a start for your own) and exit",
    )
    parser.add_argument(
        "--name", help="the SmartServer's name (replaces the scenario's scName)"
    )
    parser.add_argument(
        "--uid",
        type=_uid,
        help="the SmartServer's uid, its MAC address (12 hex digits): "
        "a second simulator needs its own",
    )
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
        "--session-timeout", type=float, help="seconds a session lives (default 86400)"
    )
    parser.add_argument(
        "--lockout",
        nargs=3,
        type=float,
        metavar=("FAILURES", "WINDOW", "DURATION"),
        help="lock a user out for DURATION s after FAILURES failed logins in WINDOW s",
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any SimOptions field (repeatable), e.g. ws_timestamps=false, "
        "ntf_time_interval=none, ws_refuse_status=403",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="take the other reading of every [GUESS] switch (SimOptions.strict); "
        "--option still overrides any of them",
    )
    return parser.parse_args(argv)


def _uid(text: str) -> str:
    try:
        return mac_address(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _coerce(name: str, text: str, kind: Any) -> Any:
    """Return ``text`` as a value of the SimOptions field type ``kind``."""
    args = get_args(kind)
    if isinstance(kind, types.UnionType) and type(None) in args:
        if text.lower() in {"none", "null", ""}:
            return None
        (kind,) = [a for a in args if a is not type(None)]
        args = get_args(kind)
    if get_origin(kind) is Literal:
        if text not in args:
            raise SystemExit(f"--option {name} must be one of {', '.join(args)}")
        return text
    if kind is bool:
        if text.lower() not in _TRUE | _FALSE:
            raise SystemExit(f"--option {name} needs true or false, got {text!r}")
        return text.lower() in _TRUE
    try:
        return kind(text)
    except ValueError:
        raise SystemExit(
            f"--option {name} needs a {kind.__name__}, got {text!r}"
        ) from None


def sim_options(args: argparse.Namespace) -> SimOptions:
    """Return the SimOptions the command line asks for."""
    hints = get_type_hints(SimOptions)
    names = {f.name for f in dataclasses.fields(SimOptions)}
    values: dict[str, Any] = {"auto_updates": not args.no_auto_updates}
    if args.session_timeout is not None:
        values["session_timeout"] = args.session_timeout
    if args.lockout is not None:
        failures, window, duration = args.lockout
        values["lockout_failures"] = int(failures)
        values["lockout_window"] = window
        values["lockout_duration"] = duration
    for item in args.option:
        name, sep, text = item.partition("=")
        if not sep or name not in names:
            raise SystemExit(
                f"--option needs NAME=VALUE with a SimOptions field, got {item!r}"
            )
        values[name] = _coerce(name, text, hints[name])
    make = SimOptions.strict if args.strict else SimOptions
    return make(**values)


async def run(args: argparse.Namespace) -> None:
    """Start the simulator, print where it is, wait for SIGINT/SIGTERM."""
    users: dict[str, str] = {}
    for item in args.user:
        name, sep, password = item.partition(":")
        if not sep or not name:
            raise SystemExit(f"--user needs NAME:PASSWORD, got {item!r}")
        users[name] = password
    try:
        scenario = (
            load_scenario(args.scenario, name=args.name, uid=args.uid)
            if args.scenario
            else default_scenario(name=args.name, uid=args.uid)
        )
    except ScenarioError as err:
        raise SystemExit(f"{PROG}: bad scenario: {err}") from None
    options = sim_options(args)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    sim = SmartServerSim(
        scenario,
        host=args.host,
        port=args.port,
        tls=args.tls != "off",
        users=users or None,
        options=options,
        cert_file=args.cert,
        key_file=args.key,
    )
    try:
        await sim.start()
    except OSError as err:
        await sim.stop()
        raise SystemExit(
            f"{PROG}: cannot listen on {args.host}:{args.port}: {err.strerror or err}"
        ) from None
    try:
        print(f"SmartServer simulator listening on {sim.base_url}", flush=True)
        print(f"URL: {sim.base_url}", flush=True)
        print(f"SHA-256 fingerprint: {sim.fingerprint or '(TLS off)'}", flush=True)
        print(f"Users: {', '.join(sorted(sim.auth.users))}", flush=True)
        await stop.wait()
    finally:
        await sim.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    args = parse_args(argv)
    if args.print_scenario:
        print(
            yaml.safe_dump(default_spec(), allow_unicode=True, sort_keys=False), end=""
        )
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main(sys.argv[1:])
