"""The benchmark suite at a tiny size, so that it does not rot (no timings asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench import ingest_bench, lakes, procs, run, s3_lake
from bench.parity import gold_differences

pytestmark = pytest.mark.integration

TINY = 6_000


def test_the_pandas_baseline_gives_coinlakes_gold(tmp_path: Path) -> None:
    source, counts = lakes.bronze(tmp_path, TINY)
    assert counts["bad_rows"] > 0 and counts["unparsable_objects"] == len(lakes.PRODUCTS)
    ours = lakes.clone(source, tmp_path / "duckdb")
    theirs = lakes.clone(source, tmp_path / "pandas")
    done = procs.measure(["bench.worker", "duckdb", str(ours)])
    baseline = procs.measure(["bench.worker", "pandas", str(theirs)])
    assert done.result["gold_rows"] == baseline.result["gold_rows"] > 0
    assert done.peak_rss > 0
    assert (
        gold_differences(ours / "gold/trades_hourly", theirs / "baseline/gold_trades_hourly") == []
    )


def test_one_run_prints_one_table_and_writes_the_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    code = run.main(
        ["--quick", "--sizes", str(TINY), "--engines", "duckdb,floor", "--work", str(tmp_path),
         "--out", str(out), "--skip", "ingest,query,s3"]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "6k coinlake DuckDB throughput" in printed
    assert "6k incremental run after one new page" in printed
    document = json.loads((out / "latest.json").read_text())
    assert document["machine"]["cores"] >= 1
    names = [r["name"] for r in document["records"]]
    assert "6k coinlake DuckDB / floor (time)" in names
    assert "Silver bytes per 1M trades" in names
    for r in document["records"]:
        assert {"name", "value", "unit", "goal", "met", "min", "max"} <= set(r)
        assert r["met"] in (True, False, None)
    assert (out / "latest.md").read_text().startswith("# coinlake benchmark")
    assert len(list(out.glob("*-*.json"))) == 1


def test_a_small_backfill_is_counted() -> None:
    result = ingest_bench.run(products=1, pages=3)
    assert result["requests"] >= 3
    assert result["gaps"] == 0
    assert result["trades"] > 0


def test_the_s3_part_times_both_lakes_and_counts_the_requests(tmp_path: Path) -> None:
    found = {r["name"]: r for r in s3_lake.records(tmp_path, TINY, 1, log=lambda _m: None)}
    rows = lakes.bronze(tmp_path, TINY)[1]["rows"]
    local = found[f"s3 lake: local folder throughput ({rows:,} trades)"]
    on_s3 = found[f"s3 lake: s3:// on moto throughput ({rows:,} trades)"]
    assert local["value"] > 0 and on_s3["value"] > 0
    assert found["s3 lake: s3:// time / local time"]["runs"] == 1
    requests = found["s3 lake: S3 requests per full transform"]
    assert requests["value"] > 0
    assert "PUT" in requests["note"] and "GET" in requests["note"]
