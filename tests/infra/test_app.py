"""`infra/app.py` (what `make synth` and `cdk deploy` run): a bad context value or a missing
package is one error line and exit status 2, before anything is synthesized."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

APP = Path(__file__).parents[2] / "infra" / "app.py"


@pytest.mark.parametrize(
    ("context", "message"),
    [
        (
            {"trades_rate_minutes": "often"},
            "context value trades_rate_minutes='often' is not a int",
        ),
        ({"log_retention_days": "31"}, "log_retention_days=31: CloudWatch Logs accepts one of"),
        ({"github_repo": "coinlake"}, "github_repo='coinlake': expected owner/name"),
        ({"lambda_zip": "/nonexistent/ingest.zip"}, "no Lambda package at /nonexistent/ingest.zip"),
    ],
    ids=["not-a-number", "retention-cloudwatch-refuses", "repo-without-owner", "missing-zip"],
)
def test_a_bad_context_value_is_one_error_line(
    context: dict[str, str], message: str, tmp_path: Path, artifacts: Any
) -> None:
    # `artifacts` builds dist/ first: app.py finds the default packages there, so each case
    # fails on its own bad value and not on a missing package (as on a fresh clone)
    env = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps(context),
        "CDK_OUTDIR": str(tmp_path),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    done = subprocess.run(
        [sys.executable, str(APP)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2, done.stderr
    # jsii's node process may add its own lines on a busy machine: one error line is ours
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    assert message in errors[0]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "manifest.json").exists()
