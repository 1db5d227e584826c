"""The README's "Running it for real" commands work as written, against the API sandbox."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.integration.cli.test_entry_point import coinlake

pytestmark = pytest.mark.integration

README = Path(__file__).resolve().parents[3] / "README.md"


def quick_start() -> list[list[str]]:
    """The commands of the first shell block under "## Running it for real", comments dropped."""
    section = README.read_text(encoding="utf-8").split("## Running it for real", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the section has no bash block"
    return [shlex.split(line, comments=True) for line in block.group(1).splitlines() if line]


def test_the_quick_start_names_init_run_and_schedule_in_order() -> None:
    programs = [words[:2] for words in quick_start()]
    assert programs[0] == ["source", ".venv/bin/activate"]
    order = [words[1] for words in programs if words[0] == "coinlake"]
    assert order.index("init") < order.index("run") < order.index("schedule")


def test_every_quick_start_command_works_against_the_sandbox(sandbox: Any, tmp_path: Path) -> None:
    env = {
        "COINLAKE_COINBASE_URL": sandbox.coinbase_url,
        "COINLAKE_COINGECKO_URL": sandbox.coingecko_url,
        "HOME": str(tmp_path),
        "COLUMNS": "100",
    }
    cwd = tmp_path
    ran = []
    for line in quick_start():
        words = [str(tmp_path / w[2:]) if w.startswith("~/") else w for w in line]
        if words[0] == "source":  # the venv is already the interpreter running coinlake
            continue
        if words[0] == "cd":
            cwd = Path(words[1])
            continue
        assert words[0] == "coinlake", words
        if words[1] == "schedule":
            words.append("--once")  # each job fires once instead of running until Ctrl-C
        done = coinlake(*words[1:], cwd=cwd, env=env)
        assert done.returncode == 0, f"{words}:\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
        ran.append(words[1])
    assert ran == ["init", "config", "run", "status", "schedule"]
    lake = tmp_path / "coinlake" / "lake"
    assert (tmp_path / "coinlake" / "coinlake.toml").is_file()
    [(trades,)] = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{lake}/silver/trades/**/*.parquet')"
    ).fetchall()
    assert trades > 0
