"""An `s3://` lake on DuckDB, end to end against moto's server: every command, the same rows as a
local lake, the crash-safe commit, and a missing bucket."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from coinlake.app.lake import open_lake
from coinlake.app.query import connect
from coinlake.app.transform import make_engine, remote_lake, transform
from coinlake.aws.s3 import S3Store
from coinlake.cli.main import app
from coinlake.config import Settings
from coinlake.devtools.bronze_pages import PageSpec, write_trade_pages
from coinlake.engines.duckdb import DuckDBEngine
from coinlake.errors import StorageError
from coinlake.storage.base import ObjectStore, put_folder
from coinlake.storage.layout import bookmark_key, journal_key
from coinlake.tables import catalog
from coinlake.transform.runner import run_transform
from tests.fixtures.s3 import S3Lake
from tests.integration.cli.test_entry_point import coinlake

pytestmark = pytest.mark.integration

Rows = dict[str, list[tuple[Any, ...]]]


def table_rows(settings: Settings) -> Rows:
    """Every row of every table the transforms write, sorted (through the query views)."""
    con = connect(settings)
    try:
        return {
            spec.name: con.sql(f"SELECT * FROM coinlake.{spec.name} ORDER BY ALL").fetchall()
            for spec in catalog.sql_tables()
            if spec.name != "quality_results"  # a run's own ids and times
        }
    finally:
        con.close()


def copy_prefix(source: ObjectStore, target: ObjectStore, prefix: str) -> int:
    keys = list(source.list(prefix))
    for key in keys:
        target.put(key, source.get(key))
    return len(keys)


def test_every_command_works_on_an_s3_lake_with_the_rows_of_a_local_lake(
    sandbox: Any, s3_lake: S3Lake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # moto's server runs in this process: keep its request log out of the commands' output
    monkeypatch.setattr(logging.getLogger("werkzeug"), "disabled", True)
    env = {
        "COINLAKE_COINBASE_URL": sandbox.coinbase_url,
        "COINLAKE_COINGECKO_URL": sandbox.coingecko_url,
        "COINLAKE_PRODUCTS": "BTC-USD",
        "COINLAKE_COINS": "bitcoin",
        "COINLAKE_VS_CURRENCIES": "usd",
        "COINLAKE_S3_ENDPOINT_URL": s3_lake.endpoint_url,
        "COLUMNS": "200",
    }
    runner = CliRunner()

    def cli(lake: str, *args: str) -> str:
        result = runner.invoke(app, ["--lake", lake, *args], env=env)
        assert result.exit_code == 0, f"{args}: {result.output} {result.exception!r}"
        return result.stdout

    cli(s3_lake.uri, "ingest")
    # the very Bronze objects in a local lake: both transforms must give the same rows
    local = tmp_path / "lake"
    local.mkdir()
    landed = copy_prefix(
        open_lake(s3_lake.settings()), open_lake(Settings(lake=str(local))), "bronze/"
    )
    assert landed >= 2
    for lake in (s3_lake.uri, str(local)):
        assert "silver.trades" in cli(lake, "transform")

    sql = (
        "SELECT product_id, count(*) AS trades, sum(size) AS volume, max(trade_id) AS last_id "
        "FROM coinlake.silver_trades GROUP BY product_id ORDER BY product_id"
    )
    on_s3 = cli(s3_lake.uri, "query", sql, "--format", "csv")
    assert on_s3 == cli(str(local), "query", sql, "--format", "csv")
    assert on_s3.splitlines()[1].startswith("BTC-USD,")
    status = cli(s3_lake.uri, "status")
    assert "gold_trades_hourly" in status
    assert "not yet transformed: none" in status
    report = tmp_path / "report.html"
    cli(s3_lake.uri, "report", "-o", str(report))
    assert "BTC-USD" in report.read_text(encoding="utf-8")
    assert "all intact" in cli(s3_lake.uri, "verify")
    assert "0 failed at error or worse" in cli(s3_lake.uri, "quality")
    assert "nothing to repair" in cli(s3_lake.uri, "backfill", "--repair-gaps")
    assert "up to date" in cli(s3_lake.uri, "transform")

    on_s3_rows = table_rows(s3_lake.settings())
    assert on_s3_rows["silver_trades"]
    assert on_s3_rows["gold_trades_hourly"]
    assert on_s3_rows == table_rows(Settings(lake=str(local)))
    # and the one pass a cron calls: ingest, transform and quality on the S3 lake
    assert cli(s3_lake.uri, "run").strip().endswith("run: ok")


class CrashingS3Store(S3Store):
    """The S3 lake of a process that dies when it is about to write one state object."""

    def __init__(self, store: S3Store, crash_on: str) -> None:
        super().__init__(store.client, store.bucket, store.prefix)
        self.crash_on = crash_on

    def put(self, key: str, data: bytes) -> None:
        if key == self.crash_on:
            raise StorageError("simulated crash")
        super().put(key, data)


@pytest.fixture(scope="module")
def bronze_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pages")
    spec = PageSpec(
        trades=1_200,
        products=("BTC-USD", "ETH-USD"),
        days=2.0,
        page_size=100,
        overlap_rate=0.2,
        late_rate=0.1,
        bad_row_rate=0.01,
        unparsable_pages=1,
        seed=5,
    )
    write_trade_pages(root, spec)
    return root / "bronze"


@pytest.mark.parametrize(
    "crash_on",
    [journal_key("silver.trades"), bookmark_key("silver.trades")],
    ids=["staged-before-the-commit-record", "files-moved-before-the-bookmark"],
)
def test_a_crash_between_staging_and_commit_on_s3_converges_on_the_next_run(
    bronze_pages: Path, s3_lake: S3Lake, crash_on: str
) -> None:
    clean = s3_lake.settings(lake=f"s3://{s3_lake.bucket}/clean")
    put_folder(open_lake(clean), bronze_pages, "bronze")
    transform(clean)
    settings = s3_lake.settings()
    store = open_lake(settings)
    assert isinstance(store, S3Store)
    put_folder(store, bronze_pages, "bronze")

    crashing = CrashingS3Store(store, crash_on)
    engine = make_engine("duckdb", remote=remote_lake(crashing))
    try:
        with pytest.raises(StorageError, match="simulated crash"):
            run_transform(crashing, engine, "silver")
    finally:
        engine.close()
    left = [*store.list("_staging/silver.trades/"), *store.list("_state/journal/")]
    assert left  # the crash left staged files, or a commit record not yet applied

    summaries = transform(settings)
    trades = next(s for s in summaries if s.table == "silver.trades")
    assert trades.recovered == (crash_on == bookmark_key("silver.trades"))
    assert not list(store.list("_staging/"))
    assert not list(store.list("_state/journal/"))
    rows = table_rows(settings)
    assert rows["quarantine_trades"]  # the bad rows went to quarantine, on S3 too
    assert rows == table_rows(clean)


@pytest.mark.parametrize("command", [["transform"], ["query", "SELECT 1"], ["status"]])
def test_a_missing_bucket_is_one_clear_line(
    s3_lake: S3Lake, tmp_path: Path, command: list[str]
) -> None:
    env = {"COINLAKE_S3_ENDPOINT_URL": s3_lake.endpoint_url}
    done = coinlake("--lake", "s3://no-such-bucket-here/lake", *command, cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error: S3 bucket 'no-such-bucket-here' does not exist")


class CacheWatchingEngine(DuckDBEngine):
    """DuckDB that counts the Bronze files in its S3 cache each time it reads a view."""

    def __init__(self, cache: Path, store: ObjectStore) -> None:
        super().__init__(temp_directory=str(cache), remote=remote_lake(store))
        self.cache = cache
        self.cached: list[int] = []

    def materialize(self, name: str, sql: str) -> None:
        self.cached.append(sum(1 for p in self.cache.rglob("*.json") if "bronze" in p.parts))
        super().materialize(name, sql)


def test_small_batches_on_s3_keep_one_batch_of_bronze_cached_and_give_the_same_rows(
    bronze_pages: Path, s3_lake: S3Lake, tmp_path: Path
) -> None:
    local = tmp_path / "lake"
    local.mkdir()
    put_folder(open_lake(Settings(lake=str(local))), bronze_pages, "bronze")
    transform(Settings(lake=str(local)))
    settings = s3_lake.settings()
    store = open_lake(settings)
    put_folder(store, bronze_pages, "bronze")
    cache = tmp_path / "cache"
    cache.mkdir()
    engine = CacheWatchingEngine(cache, store)
    try:
        summaries = run_transform(store, engine, "all", max_batch_objects=4)
    finally:
        engine.close()
    assert next(s for s in summaries if s.table == "silver.trades").objects_read > 4
    assert 0 < max(engine.cached) <= 4  # one batch at a time, never all of Bronze
    assert not list(cache.iterdir())  # the cache goes with the engine
    assert table_rows(settings) == table_rows(Settings(lake=str(local)))
