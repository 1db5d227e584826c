"""`coinlake query` and `coinlake ddl` end to end: formats, files, stdin, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from coinlake.cli.main import app
from coinlake.query.sample import SampleLake

pytestmark = pytest.mark.integration
SQL = (
    "SELECT product_id, sum(volume) AS volume, sum(trade_count) AS trades "
    "FROM coinlake.gold_trades_hourly GROUP BY product_id ORDER BY product_id"
)


def _expected(lake: SampleLake) -> dict[str, tuple[Decimal, int]]:
    out: dict[str, tuple[Decimal, int]] = {}
    for row in lake.hourly:
        volume, trades = out.get(row["product_id"], (Decimal(0), 0))
        out[row["product_id"]] = (volume + row["volume"], trades + row["trade_count"])
    return out


def _coinlake(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coinlake", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_csv_output_has_exact_decimals(sample_lake: tuple[Path, SampleLake]) -> None:
    root, lake = sample_lake
    result = CliRunner().invoke(app, ["--lake", str(root), "query", SQL, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    got = {r["product_id"]: (Decimal(r["volume"]), int(r["trades"])) for r in rows}
    assert got == _expected(lake)


def test_json_output_parses_to_exact_numbers(sample_lake: tuple[Path, SampleLake]) -> None:
    root, lake = sample_lake
    result = CliRunner().invoke(app, ["--lake", str(root), "query", SQL, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout, parse_float=Decimal)
    assert {r["product_id"]: (r["volume"], r["trades"]) for r in rows} == _expected(lake)


def test_parquet_output_from_a_sql_file(
    sample_lake: tuple[Path, SampleLake], tmp_path: Path
) -> None:
    root, lake = sample_lake
    sql_file = tmp_path / "q.sql"
    sql_file.write_text(SQL + ";\n")
    out = tmp_path / "out" / "result.parquet"
    args = [
        "--lake",
        str(root),
        "query",
        "-f",
        str(sql_file),
        "--format",
        "parquet",
        "-o",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.column("product_id").to_pylist() == sorted(_expected(lake))


def test_the_default_table_format_shows_rows_and_a_count(
    sample_lake: tuple[Path, SampleLake],
) -> None:
    root, _ = sample_lake
    result = CliRunner().invoke(app, ["--lake", str(root), "query", SQL])
    assert result.exit_code == 0, result.output
    assert "BTC-USD" in result.stdout
    assert "2 rows" in result.stdout


def test_sql_on_stdin_and_a_sql_error_as_one_line(sample_lake: tuple[Path, SampleLake]) -> None:
    root, _ = sample_lake
    ok = _coinlake("--lake", str(root), "query", "--format", "csv", stdin="SELECT 40 + 2 AS x;")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines() == ["x", "42"]
    bad = _coinlake("--lake", str(root), "query", "SELECT * FROM coinlake.no_such_table")
    assert bad.returncode == 1
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: query failed:")
    assert "no_such_table" in lines[0]


def test_parquet_without_an_output_file_is_a_usage_error(
    sample_lake: tuple[Path, SampleLake],
) -> None:
    root, _ = sample_lake
    bad = _coinlake("--lake", str(root), "query", "SELECT 1", "--format", "parquet")
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: --format parquet needs -o/--output FILE"


def test_ddl_prints_one_table_for_spark_with_a_repair(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--lake", str(tmp_path), "ddl", "--dialect", "spark", "--table", "gold_trades_hourly"]
    )
    assert result.exit_code == 0, result.output
    assert f"LOCATION '{tmp_path.resolve().as_uri()}/gold/trades_hourly/'" in result.stdout
    assert result.stdout.rstrip().endswith("MSCK REPAIR TABLE `coinlake`.`gold_trades_hourly`;")


def test_ddl_for_athena_needs_an_s3_location(tmp_path: Path) -> None:
    bad = _coinlake("--lake", str(tmp_path), "ddl")
    assert bad.returncode == 2
    assert "s3://" in bad.stderr
    ok = _coinlake("ddl", "--location", "s3://my-lake/prod", "--table", "silver_trades")
    assert ok.returncode == 0, ok.stderr
    assert "'projection.enabled' = 'true'" in ok.stdout
    assert "LOCATION 's3://my-lake/prod/silver/trades/'" in ok.stdout
