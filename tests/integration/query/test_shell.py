"""The interactive `coinlake query` shell, driven through a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coinlake.query.sample import SampleLake

pytestmark = pytest.mark.integration


def _read_until(fd: int, needle: bytes, timeout: float = 30.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"timed out waiting for {needle!r}; got {seen[-400:]!r}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_the_shell_runs_statements_reports_errors_and_quits(
    sample_lake: tuple[Path, SampleLake],
) -> None:
    root, lake = sample_lake
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "dumb"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "coinlake", "--lake", str(root), "query", "--format", "csv"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    try:
        banner = _read_until(master, b"coinlake> ")
        assert b"coinlake.gold_trades_hourly" in banner
        os.write(master, b"SELECT count(*) AS n\n")
        _read_until(master, b"...> ")
        os.write(master, b"FROM coinlake.silver_trades;\n")
        answer = _read_until(master, b"coinlake> ")
        assert f"n\r\n{len(lake.trades)}\r\n".encode() in answer
        os.write(master, b"SELECT nope;\n")
        error = _read_until(master, b"coinlake> ")
        assert b"error: query failed:" in error
        # DuckDB's suggestion survives: the old name of the day column points at the new one
        os.write(master, b"SELECT day FROM coinlake.gold_prices_daily;\n")
        hint = _read_until(master, b"coinlake> ")
        assert b'Candidate bindings: "date"' in hint.replace(b"\r\n", b" ")
        os.write(master, b"SELECT 1 FROM coinlake.gold_price_daily;\n")
        hint = _read_until(master, b"coinlake> ")
        assert b'Did you mean "gold_prices_daily"' in hint.replace(b"\r\n", b" ")
        os.write(master, b".tables\n")
        listing = _read_until(master, b"coinlake> ")
        assert b"quarantine_candles" in listing, listing.decode()
        os.write(master, b".schema gold_trades_hourly\n")
        schema = _read_until(master, b"coinlake> ")
        assert b"missing_trade_ids" in schema
        assert b"decimal(18,8)" in schema
        os.write(master, b".schema nope\n")
        assert b"error: unknown table 'nope'" in _read_until(master, b"coinlake> ")
        os.write(master, b".quit\n")
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
