"""`coinlake aws cost`: the table, the JSON, and one error line for a bad flag."""

from __future__ import annotations

import json
import sys
from decimal import Decimal

import pytest

from coinlake.cli.main import run


def coinlake(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """Run the console entry point in-process; (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["coinlake", *argv])
    monkeypatch.setenv("COLUMNS", "160")
    with pytest.raises(SystemExit) as stopped:
        run()
    out, err = capsys.readouterr()
    return int(stopped.value.code or 0), out, err


def test_the_default_table_shows_each_line_the_total_and_the_sources(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = coinlake(["aws", "cost"], monkeypatch, capsys)
    assert code == 0
    assert "Glue 2 G.1X x 2.0 min/run" in out
    assert "48.6667" in out
    assert "21.4133" in out
    total = next(line for line in out.splitlines() if line.strip().startswith("total"))
    assert total.split()[-1] == "23.49"
    assert "https://aws.amazon.com/glue/pricing/" in out
    assert "us-east-1" in out


def test_json_carries_exact_decimals_that_add_up(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = coinlake(["aws", "cost", "--format", "json"], monkeypatch, capsys)
    assert code == 0
    document = json.loads(out)
    assert document["region"] == "us-east-1"
    assert document["total_usd"] == "23.49"
    exact = sum(Decimal(x["quantity"]) * Decimal(x["unit_price_usd"]) for x in document["lines"])
    assert exact.quantize(Decimal("0.01")) == Decimal("23.49")
    assert all(x["source"].startswith("https://aws.amazon.com/") for x in document["lines"])


def test_flags_override_the_deployment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["aws", "cost", "--format", "json", "--every", "10m", "--transform-every", "2h"]
    argv += ["--products", "5", "-c", "glue_workers=4"]
    code, out, _ = coinlake(argv, monkeypatch, capsys)
    assert code == 0
    document = json.loads(out)
    assert document["deployment"]["trades_rate_minutes"] == 10
    assert document["deployment"]["transform_rate_minutes"] == 120
    assert document["workload"]["products"] == 5
    glue = next(x for x in document["lines"] if x["service"] == "Glue")
    assert glue["item"] == "4 G.1X x 2.0 min/run"
    assert Decimal(glue["quantity"]).quantize(Decimal("0.0001")) == Decimal("48.6667")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--every", "5s"], "--every '5s': give minutes or hours"),
        (["--every", "0m"], "--every '0m'"),
        (["-c", "nope=1"], "-c 'nope=1': give key=value with a Deployment field"),
        (["-c", "glue_workers=many"], "glue_workers='many'"),
        (["--format", "xml"], "--format 'xml'"),
        (["--month", "0"], "--month"),
    ],
    ids=["seconds", "zero", "unknown key", "not a number", "format", "month zero"],
)
def test_a_bad_flag_is_one_error_line_and_exit_2(
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = coinlake(["aws", "cost", *argv], monkeypatch, capsys)
    assert code == 2
    lines = (out + err).strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error:")
    assert message in lines[0]
