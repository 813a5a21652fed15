"""Arrow's allocator in our processes: the system allocator unless the user chose one.

Given a fresh Python process, when it imports the CLI (as the ``analytics-elt`` console
script does) and then arrow, then arrow's default pool is the system allocator; when the
user set ``ARROW_DEFAULT_MEMORY_POOL``, that choice is kept. The memory this saves is
measured by ``benchmarks/openpanel_events.py``, not here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = ("import pipelines.cli, pyarrow as pa; "
         "from sources.common.memory import release_free_memory; "
         "b = pa.array(range(100000)); del b; release_free_memory(); "
         "print(pa.default_memory_pool().backend_name)")


@pytest.mark.parametrize(("users_choice", "expected"), [
    (None, "system"), ("mimalloc", "mimalloc"), ("jemalloc", "jemalloc")])
def test_the_cli_process_allocates_arrow_buffers_from_the_system_allocator(
        users_choice: str | None, expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if users_choice:
        env["ARROW_DEFAULT_MEMORY_POOL"] = users_choice
    got = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, text=True,
                         capture_output=True, check=True, timeout=60)
    assert got.stdout.strip() == expected


def test_the_choice_is_lost_once_arrow_was_imported() -> None:
    """Why ``pipelines/__init__.py`` makes it first: arrow reads the variable on import."""
    probe = ("import pyarrow as pa, pipelines; "
             "print(pa.default_memory_pool().backend_name)")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    got = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, text=True,
                         capture_output=True, check=True, timeout=60)
    assert got.stdout.strip() != "system"  # pyarrow's own default (mimalloc in 26.x)
