"""``python -m simulators SOURCE [options]``: run one simulator until Ctrl-C."""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import threading
from collections.abc import Sequence
from typing import Any

from .base import SimServer

KNOWN = ("ptengine", "pirsch", "convert", "openpanel")


def _load() -> dict[str, type[SimServer]]:
    """Every vendor package that exports ``SIMULATOR`` (``simulators/<vendor>/``)."""
    found: dict[str, type[SimServer]] = {}
    for name in KNOWN:
        try:
            module = importlib.import_module(f"simulators.{name}")
        except ModuleNotFoundError:
            continue
        if hasattr(module, "SIMULATOR"):
            found[name] = module.SIMULATOR
    return found


SIMULATORS: dict[str, type[SimServer]] = _load()


def serve(name: str, **options: Any) -> None:
    """Run simulator ``name`` in the foreground until interrupted.

    Options are the simulator's constructor keywords; ``None`` values are dropped so a
    CLI can pass its flags through unchanged. Prints the base URL and demo credentials.

    Raises:
        ValueError: unknown simulator name or option value.
    """
    if name not in SIMULATORS:
        raise ValueError(f"unknown simulator {name!r}: choose from {', '.join(SIMULATORS)}")
    cls = SIMULATORS[name]
    accepted = inspect.signature(cls).parameters
    unknown = [k for k, v in options.items() if v not in (None, "") and k not in accepted
               and not any(p.kind is p.VAR_KEYWORD for p in accepted.values())]
    if unknown:
        raise ValueError(f"the {name} simulator has no option {', '.join(unknown)}")
    sim = cls(**{k: v for k, v in options.items() if v not in (None, "") and k in accepted})
    sim.start()
    print(sim.banner(), flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(prog="python -m simulators", description=__doc__)
    parser.add_argument("source", choices=sorted(SIMULATORS))
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: any free one)")
    parser.add_argument("--plan", help="rate plan, e.g. free, free_trial, growth, unlimited")
    parser.add_argument("--rpm", type=int, help="requests per minute (overrides the plan)")
    parser.add_argument("--rpd", type=int, help="requests per day (overrides the plan)")
    parser.add_argument("--faults", default="", help='e.g. "500:0.05,reset:0.01,slow:0.02"')
    parser.add_argument("--fault-seed", type=int, default=0)
    parser.add_argument("--slow-seconds", type=float, help="delay of a slow fault")
    parser.add_argument("--request-log", help="JSONL file of every API request")
    parser.add_argument("--revise-days", type=int, help="recent days that are still revised")
    args = parser.parse_args(argv)
    options = {k: v for k, v in vars(args).items() if k != "source"}
    try:
        serve(args.source, **options)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
