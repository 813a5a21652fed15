"""Credentials never leave the process: not in output, logs, dlt's working files (state,
traces, load packages), the simulator's request log, or the warehouse (CONTRACT §6).

Given each source's simulator with its demo credentials, when a verbose run loads into
DuckDB, then no secret string appears anywhere the run wrote.
"""

from __future__ import annotations

import base64
import json
import zlib
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import registry
from tests.e2e import cli, env_vars

pytestmark = pytest.mark.slow

SECRET_KEYS = ("API_KEY", "CLIENT_SECRET", "APPLICATION_SECRET")


class CapturingStack(ExitStack):
    """An ExitStack that remembers the simulators the demo hooks start in it."""

    def __init__(self) -> None:
        super().__init__()
        self.entered: list[Any] = []

    def enter_context(self, cm: Any) -> Any:  # type: ignore[override]
        obj = super().enter_context(cm)
        self.entered.append(obj)
        return obj


def warehouse_text(db: Path) -> str:
    """Every value of every table in the file, dlt's zlib+base64 state rows decoded."""
    con = duckdb.connect(str(db), read_only=True)
    parts: list[str] = []
    try:
        tables = con.execute("select table_schema, table_name from information_schema.tables"
                             ).fetchall()
        for schema, table in tables:
            for row in con.execute(f'select * from "{schema}"."{table}"').fetchall():
                parts.append(repr(row))
                if table == "_dlt_pipeline_state":
                    for value in row:
                        if isinstance(value, str) and len(value) > 40:
                            with suppress(ValueError, zlib.error, UnicodeDecodeError):
                                parts.append(zlib.decompress(base64.b64decode(value)).decode())
    finally:
        con.close()
    return "\n".join(parts)


def files_bytes(root: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("source", ["ptengine", "pirsch", "convert", "openpanel"])
def test_credentials_appear_nowhere(source: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "dlt"
    monkeypatch.setenv("DLT_DATA_DIR", str(data_dir))
    db = tmp_path / "w.duckdb"
    with CapturingStack() as stack:
        env = registry.get(source).demo(stack)
        secrets = [v for k, v in env.items() if k.endswith(SECRET_KEYS) and len(v) >= 8]
        assert secrets, env.keys()
        with env_vars({**env, "DESTINATION__DUCKDB__CREDENTIALS": str(db)}):
            result = cli("-v", "run", source, "--progress", "log")
        assert result.code == 0, result.text[-2000:]
        sims = [s for s in stack.entered if hasattr(s, "requests")]
        assert sims
        request_log = json.dumps([s.requests for s in sims], default=str)
    places = {"output": result.text, "simulator request log": request_log,
              "warehouse": warehouse_text(db)}
    for path, content in files_bytes(data_dir):
        places[f"dlt working file {path.relative_to(data_dir)}"] = content.decode(
            "utf-8", "replace")
    # controls: the searches see real content (so a leaked secret would be found)
    assert len(places) > 5  # the run left state, schemas and traces behind to search
    assert source in places["warehouse"]
    assert any(source in text for where, text in places.items() if where.startswith("dlt"))
    if source == "ptengine":
        assert env["SOURCES__PTENGINE__PROFILE_ID"] in places["warehouse"]
    for secret in secrets:
        for where, text in places.items():
            assert secret not in text, f"{source} secret found in {where}"
