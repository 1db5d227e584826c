"""The `coinlake` console entry point: --version, --help everywhere, one error line per mistake."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from coinlake import __version__
from coinlake.cli.main import app

pytestmark = pytest.mark.integration


def coinlake(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real entry point (`python -m coinlake`) as a user would."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COINLAKE_")}
    return subprocess.run(
        [sys.executable, "-m", "coinlake", *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def command_paths() -> Iterator[list[str]]:
    """Every command and sub-command of the CLI, as argv prefixes."""
    root = typer.main.get_command(app)

    def walk(command: object, path: list[str]) -> Iterator[list[str]]:
        yield path
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(root, [])


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    done = coinlake("--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"coinlake {__version__}"


def test_every_command_has_help() -> None:
    runner = CliRunner()
    paths = list(command_paths())
    assert len(paths) >= 8
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output
        assert "--help" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--log-level", "LOUD", "status"], "error: --log-level 'LOUD': choose one of"),
        (["--no-such-flag"], "error: No such option: --no-such-flag (see coinlake --help)"),
        (["status", "--lake", "x"], "error: --lake is a global option: put it before the command"),
        (["transform", "sideways"], "error: Invalid value for 'layer'"),
        (["sandbox", "serve", "--port", "eighty"], "error: Invalid value for '--port'"),
        (["--config", "missing.toml", "status"], "error: config file missing.toml does not exist"),
        (
            ["--lake", "no/such/folder", "status"],
            "error: lake folder no/such/folder does not exist",
        ),
    ],
)
def test_user_mistakes_are_one_error_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = coinlake(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(message), lines[0]
    assert "Traceback" not in done.stderr


def test_bad_setting_in_the_environment_names_the_variable(tmp_path: Path) -> None:
    done = coinlake("status", cwd=tmp_path, env={"COINLAKE_LOG_LEVEL": "CHATTY"})
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "log_level" in done.stderr.lower()


def test_invalid_toml_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "coinlake.toml").write_text("lake = [\n")
    done = coinlake("status", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error: config file coinlake.toml is not valid TOML")


def _lake_under_a_file(cwd: Path) -> list[str]:
    (cwd / "afile").write_text("not a folder")
    return ["--lake", "afile/lake", "transform"]


def _unwritable_lake(cwd: Path) -> list[str]:
    # sysfs refuses new folders even to root, so this holds wherever the suite runs
    return ["--lake", "/sys/coinlake-lake", "transform"]


def _read_only_lake(cwd: Path) -> list[str]:
    page = "bronze/source=coinbase/dataset=trades/product=BTC-USD/date=2026-11-22/1-2.json"
    (cwd / "lake" / page).parent.mkdir(parents=True)
    (cwd / "lake" / page).write_text('{"meta": {"product": "BTC-USD"}, "body": []}')
    for path in sorted((cwd / "lake").rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    (cwd / "lake").chmod(0o555)
    return ["--lake", "lake", "transform"]


def _latin1_config(cwd: Path) -> list[str]:
    (cwd / "coinlake.toml").write_bytes('lake = "Müll"\n'.encode("latin-1"))
    return ["transform"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (_lake_under_a_file, "error: lake afile/lake: Not a directory"),
        (_unwritable_lake, "error: lake folder /sys/coinlake-lake does not exist"),
        pytest.param(
            _read_only_lake,
            "error: lake lake: Permission denied",
            marks=pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file modes"),
        ),
        (_latin1_config, "error: config file coinlake.toml is not UTF-8 text (byte 0xfc"),
        (lambda cwd: ["ingest", "--product", ""], "error: --product '' names no product"),
        (lambda cwd: ["backfill", "--product", ",", "--from", "2026-01-01"], "error: --product"),
        (lambda cwd: ["report", "--product", " "], "error: --product ' ' names no product"),
    ],
    ids=["under-a-file", "unwritable", "read-only", "latin-1-toml", "ingest", "backfill", "report"],
)
def test_lake_and_settings_mistakes_are_one_error_line_and_exit_2(
    tmp_path: Path, setup: Callable[[Path], list[str]], message: str
) -> None:
    args = setup(tmp_path)
    done = coinlake(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(message), lines[0]
    assert "unexpected" not in done.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sandbox_serve_prints_both_base_urls_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    # both order faults on one endpoint: a one-row page doubled has no other order (this hung
    # the server, holding the faults lock, and SIGTERM no longer stopped it)
    (tmp_path / "faults.json").write_text(
        '[{"kind": "duplicate_trades", "endpoint": "coinbase.trades", "count": 1, "calls": [2]},'
        ' {"kind": "out_of_order_trades", "endpoint": "coinbase.trades", "calls": [2]}]'
    )
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "coinlake", "sandbox", "serve"),
            *("--port", str(port), "--seed", "7", "--faults", "faults.json"),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first, second = server.stdout.readline().split(), server.stdout.readline().split()
        assert first == ["coingecko", f"http://127.0.0.1:{port}/coingecko/api/v3"]
        assert second == ["coinbase", f"http://127.0.0.1:{port}/coinbase"]
        ping = httpx.get(f"{first[1]}/ping", timeout=10)
        assert ping.status_code == 200
        assert "gecko_says" in ping.json()
        trades = httpx.get(f"{second[1]}/products/BTC-USD/trades", params={"limit": 5}, timeout=10)
        assert trades.status_code == 200
        assert len(trades.json()) == 5
        one = httpx.get(f"{second[1]}/products/BTC-USD/trades", params={"limit": 1}, timeout=10)
        assert one.status_code == 200
        assert len(one.json()) == 2
        assert one.json()[0] == one.json()[1]
        assert httpx.get(f"{first[1]}/ping", timeout=10).status_code == 200
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_sandbox_serve_on_a_busy_port_is_one_error_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = coinlake("sandbox", "serve", "--port", str(port), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: --port {port}: cannot listen (Address already in use)"
    ]
