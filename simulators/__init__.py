"""Offline twins of the vendor APIs, served over real HTTP on loopback.

``SIMULATORS`` maps a source name to its simulator class (imported on first use);
``serve(name, **options)`` runs one in the foreground (``analytics-elt simulate``,
``python -m simulators``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["SIMULATORS", "serve"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import __main__ as cli

        return getattr(cli, name)
    raise AttributeError(f"module 'simulators' has no attribute {name!r}")
