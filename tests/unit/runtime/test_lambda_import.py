"""What importing the ingest Lambda's handler module loads, in a fresh interpreter: none of the
engines, the CLI's packages or boto3, and neither httpx (loaded when a source builds its client)
nor pydantic (loaded by the first invocation's `load_settings`). This is the cold start the
benchmark's footprint part times (`bench/footprint.py`, `cold_import`)."""

from __future__ import annotations

import json
import subprocess
import sys

HANDLER = "coinlake.runtime.lambda_ingest"
NEVER = ("duckdb", "pyarrow", "pandas", "pyspark", "numpy", "boto3", "rich", "typer", "click")
"""Packages the handler's import graph must never reach."""
LATER = ("httpx", "pydantic", "tenacity")
"""Packages the first invocation loads, not the import."""

PROBE = """
import json, sys
import {module}
print(json.dumps(sorted({{m.partition(".")[0] for m in sys.modules}})))
"""


def _loaded_by(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_handler_loads_no_engine_no_cli_and_defers_http_and_settings() -> None:
    loaded = _loaded_by(PROBE.format(module=HANDLER))

    assert "coinlake" in loaded  # the probe did import it
    assert sorted(loaded & set(NEVER)) == []
    assert sorted(loaded & set(LATER)) == []


def test_the_first_settings_load_brings_pydantic_and_a_client_brings_httpx() -> None:
    # The deferred packages are really what the invocation uses (else LATER proves nothing).
    code = PROBE.format(module=HANDLER) + (
        "from coinlake.config import load_settings\n"
        "from coinlake.sources.registry import Sources\n"
        "settings = load_settings(environ={'COINLAKE_LAKE': '/tmp/lake'})\n"
        "Sources.for_settings(settings).client('coinbase').close()\n"
        'print(json.dumps(sorted({m.partition(".")[0] for m in sys.modules})))\n'
    )
    loaded = _loaded_by(code)

    assert {"httpx", "pydantic"} <= loaded
    assert sorted(loaded & {"duckdb", "pyarrow", "pandas", "pyspark", "typer"}) == []
