"""The benchmark run: a failing part, or a figure missing where one is expected, fails it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench import cost, report, run
from bench.plan import plan
from bench.report import Record, record
from bench.throughput import silver_problem, unique_trades

from coinlake.deployment import Deployment

COUNTS = {"rows": 1020, "duplicate_rows": 20, "bad_rows": 3}


def _context(tmp_path: Path) -> run.Context:
    return run.Context(plan(True, (1000,)), tmp_path)


def _raises(_ctx: run.Context) -> list[Record]:
    raise RuntimeError("sandbox did not start\nport 1234 in use")


def test_a_part_that_raises_is_a_failure_named_after_it_and_later_parts_still_run(
    tmp_path: Path,
) -> None:
    ctx = _context(tmp_path)
    parts = [
        run.Part("ingest", "ingestion", _raises),
        run.Part("query", "query", lambda c: [record("query x latency", 12.0, "ms")]),
    ]
    failures = run.run_parts(ctx, parts, skip=set())
    assert failures == ["ingestion: RuntimeError: port 1234 in use"]
    assert [(r["name"], r["value"]) for r in ctx.records] == [
        ("ingestion", None),
        ("query x latency", 12.0),
    ]


def test_an_expected_record_without_a_value_fails_and_an_optional_one_does_not(
    tmp_path: Path,
) -> None:
    found = [
        record("1M pandas baseline throughput", None, "trades/s", None, "skipped: no memory",
               expected=False),
        record("1M coinlake DuckDB throughput", None, "trades/s", None, "exited 1"),
    ]  # fmt: skip
    failures = run.run_parts(
        _context(tmp_path), [run.Part("transform", "t 1M", lambda c: found)], set()
    )
    assert failures == ["t 1M: no value for 1M coinlake DuckDB throughput (exited 1)"]


def test_a_skipped_part_does_not_run(tmp_path: Path) -> None:
    ctx = _context(tmp_path)
    assert run.run_parts(ctx, [run.Part("ingest", "ingestion", _raises)], {"ingest"}) == []
    assert ctx.records == []


def test_parity_and_incremental_never_use_a_lake_this_run_did_not_build(tmp_path: Path) -> None:
    ctx = _context(tmp_path)
    ctx.lake(1000).mkdir()  # left by an earlier run
    with pytest.raises(RuntimeError, match="no 1k DuckDB lake"):
        ctx.built(1000)


def test_the_full_plan_runs_spark_twice_and_adds_the_30m_incremental_point() -> None:
    full = plan(False, None)
    assert full.slow_reps["spark"][10_000_000] == 2
    assert full.incremental_sizes == (30_000_000,)
    kinds = [p.name for p in run.parts(full)]
    assert kinds[:3] == ["transform 1M", "parity 1M", "incremental 1M"]
    assert "incremental 30M" in kinds and "cost" in kinds


def test_unique_trades_and_the_silver_row_check() -> None:
    assert unique_trades(COUNTS) == 1000
    assert silver_problem(1000, COUNTS) is None
    assert silver_problem(997, COUNTS) is None  # each bad row was its trade's only copy
    assert (
        silver_problem(1020, COUNTS)
        == "Silver holds 1,020 rows, expected 997 to 1,000 unique trades"
    )
    assert silver_problem(996, COUNTS) is not None


def test_glue_cost_shows_its_arithmetic_at_the_default_job() -> None:
    usd, note = cost.glue(50_000.0, 2, Deployment())
    # 2 x G.1X, one executor worker of 4 vCPU = 2x the 2 local cores: 1M / 100,000 = 10 s;
    # 2 DPU x 10 s = 0.005556 DPU-h x $0.44
    assert usd == pytest.approx(2 * 10 / 3600 * 0.44)
    assert "2 x G.1X" in note and "= 10.00 s" in note and "$0.44/DPU-h" in note


def test_duckdb_cost_prices_its_seconds_as_lambda_compute_of_the_same_vcpus() -> None:
    usd, note = cost.lambda_priced(1_000_000.0, 2)
    assert usd == pytest.approx(2 * 1769 / 1024 * 1.0 * 0.0000166667)
    assert "3.455 GB" in note


def test_cost_needs_both_throughputs() -> None:
    found = [record("10M coinlake DuckDB throughput", 1e6, "trades/s")]
    with pytest.raises(RuntimeError, match="no 10M Spark and DuckDB throughput"):
        cost.records(found, 10_000_000)


def test_the_readme_table_is_regenerated_from_the_results(tmp_path: Path) -> None:
    results = tmp_path / "latest.json"
    document = {
        "stamp": "20261130T030000Z", "mode": "full", "seconds": 1234.5, "plan": "1M x5",
        "machine": {"cores": 2}, "failures": [],
        "records": [record("1M coinlake DuckDB throughput", 1_234_567.0, "trades/s", ">= 1000000")],
    }  # fmt: skip
    results.write_text(json.dumps(document))
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{report.START_MARK}\nold table\n{report.END_MARK}\n\nafter\n")
    report.main(["--readme", str(readme), "--results", str(results)])
    text = readme.read_text()
    assert "old table" not in text and text.endswith(f"{report.END_MARK}\n\nafter\n")
    assert "`make bench`, full, 20261130T030000Z, 1,234 s in all" in text
    assert "| 1M coinlake DuckDB throughput | 1,234,567 | trades/s |" in text
