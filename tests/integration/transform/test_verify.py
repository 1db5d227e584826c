"""`coinlake verify`: damage after the fact is found, listed, and a partition rebuilt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from coinlake.cli.main import app
from tests.integration.transform.helpers import MIDNIGHT_PAGE, T, land_page, read_table, run

pytestmark = pytest.mark.integration

SILVER_PART = "silver/trades/product_id=BTC-USD/date=2026-11-22"
GOLD_PART = "gold/trades_hourly/product_id=BTC-USD/year=2026"


def _lake(root: Path) -> dict[str, str]:
    """A transformed lake of two pages; returns the keys of both pages."""
    first = land_page(root, "BTC-USD", "2026-11-22T01:00:05Z", MIDNIGHT_PAGE)
    second = land_page(
        root, "BTC-USD", "2026-11-22T03:00:00Z", [T(1003, "2026-11-22T02:59:00Z", "3", "2")]
    )
    run(root)
    return {"first": first, "second": second}


def _verify(lake: str, *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, ["--lake", lake, "verify", *args], env=env)


def test_an_intact_lake_verifies_with_exit_0(tmp_path: Path) -> None:
    _lake(tmp_path)
    result = _verify(str(tmp_path))
    assert result.exit_code == 0, result.output
    # the two days of the pages are one year: one Gold file
    assert "all intact (bronze: 2 checked, gold: 1 checked, silver: 2 checked)" in result.stdout


def test_damage_in_every_layer_is_listed_and_exits_1(tmp_path: Path) -> None:
    keys = _lake(tmp_path)
    first = tmp_path / keys["first"]
    first.write_bytes(first.read_bytes().replace(b"91234.56", b"91234.65"))  # still JSON
    second = tmp_path / keys["second"]
    second.write_bytes(second.read_bytes()[:-30])  # truncated
    (silver,) = (tmp_path / SILVER_PART).glob("*.parquet")
    silver.write_bytes(silver.read_bytes()[:-1] + b"\0")  # same size, a byte changed
    (gold,) = (tmp_path / GOLD_PART).glob("*.parquet")
    gold.unlink()
    result = _verify(str(tmp_path))
    assert result.exit_code == 1
    damaged = sorted(line for line in result.stderr.splitlines() if line.startswith("damaged:"))
    assert len(damaged) == 4, result.stderr
    assert f"damaged: {keys['first']}: body SHA-256 differs" in damaged[0]
    assert f"damaged: {keys['second']}: not JSON (" in damaged[1]
    assert damaged[2].startswith(f"damaged: {GOLD_PART}/") and ": missing" in damaged[2]
    assert f"--partition {GOLD_PART})" in damaged[2]
    assert damaged[3].startswith(f"damaged: {SILVER_PART}/") and "SHA-256 differs" in damaged[3]
    only_gold = _verify(str(tmp_path), "--layer", "gold")
    assert only_gold.exit_code == 1
    assert only_gold.stderr.count("damaged:") == 1


def test_a_damaged_partition_is_rebuilt_alone_with_the_same_rows(tmp_path: Path) -> None:
    _lake(tmp_path)
    before_silver = read_table(tmp_path, "silver/trades", "trade_id")
    before_gold = read_table(tmp_path, "gold/trades_hourly", "hour")
    (silver,) = (tmp_path / SILVER_PART).glob("*.parquet")
    silver.write_bytes(b"PAR1 garbage")
    (gold,) = (tmp_path / GOLD_PART).glob("*.parquet")
    gold.unlink()
    other = next((tmp_path / "silver/trades/product_id=BTC-USD/date=2026-11-21").glob("*"))
    untouched = other.stat().st_mtime_ns
    runner = CliRunner()
    for part in (SILVER_PART, GOLD_PART):
        done = runner.invoke(
            app, ["--lake", str(tmp_path), "transform", "--full-refresh", "--partition", part]
        )
        assert done.exit_code == 0, done.output
    assert _verify(str(tmp_path)).exit_code == 0
    assert read_table(tmp_path, "silver/trades", "trade_id") == before_silver
    assert read_table(tmp_path, "gold/trades_hourly", "hour") == before_gold
    assert other.stat().st_mtime_ns == untouched


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--partition", SILVER_PART], "give it with --full-refresh"),
        (["--full-refresh", "--partition", "silver/trades/date=2026-11-22"], "a partition of"),
        (["--full-refresh", "--partition", "silver/nothing/x=1"], "not a partition folder"),
    ],
)
def test_a_bad_partition_is_one_clear_error(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["--lake", str(tmp_path), "transform", *args])
    assert result.exit_code != 0
    assert message in str(result.exception)


def test_verify_checks_an_s3_lake(tmp_path: Path, s3_lake: Any) -> None:
    keys = _lake(tmp_path)
    client = s3_lake.client()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            key = f"{s3_lake.prefix}/{path.relative_to(tmp_path).as_posix()}"
            client.put_object(Bucket=s3_lake.bucket, Key=key, Body=path.read_bytes())
    env = {"COINLAKE_S3_ENDPOINT_URL": s3_lake.endpoint_url}
    clean = _verify(s3_lake.uri, env=env)
    assert clean.exit_code == 0, clean.output
    assert "bronze: 2 checked" in clean.stdout
    cut = f"{s3_lake.prefix}/{keys['second']}"
    body = client.get_object(Bucket=s3_lake.bucket, Key=cut)["Body"].read()
    client.put_object(Bucket=s3_lake.bucket, Key=cut, Body=body[:-30])
    (silver,) = (tmp_path / SILVER_PART).glob("*.parquet")
    silver_key = f"{s3_lake.prefix}/{silver.relative_to(tmp_path).as_posix()}"
    client.put_object(Bucket=s3_lake.bucket, Key=silver_key, Body=b"x")
    damaged = _verify(s3_lake.uri, env=env)
    assert damaged.exit_code == 1
    assert f"damaged: {keys['second']}: not JSON" in damaged.stderr
    assert f"damaged: {SILVER_PART}/{silver.name}: 1 bytes" in damaged.stderr


def test_a_damaged_quarantine_partition_is_rebuilt_from_the_objects_fetched_that_day(
    tmp_path: Path,
) -> None:
    bad = [T(1010, "2026-11-22T00:30:00Z", "0", "1"), T(1011, "2026-11-22T00:31:00Z", "5", "1")]
    land_page(tmp_path, "BTC-USD", "2026-11-22T01:00:05Z", bad)
    land_page(
        tmp_path, "BTC-USD", "2026-11-23T01:00:05Z", [T(1012, "2026-11-23T00:30:00Z", "0", "1")]
    )
    run(tmp_path)
    before = read_table(tmp_path, "quarantine/trades", "trade_id_raw")
    assert [r["trade_id_raw"] for r in before] == ["1010", "1012"]
    part = "quarantine/trades/date=2026-11-22"
    (damaged,) = (tmp_path / part).glob("*.parquet")
    damaged.write_bytes(b"")
    assert f"damaged: {part}/{damaged.name}: 0 bytes" in _verify(str(tmp_path)).stderr
    done = CliRunner().invoke(
        app, ["--lake", str(tmp_path), "transform", "--full-refresh", "--partition", part]
    )
    assert done.exit_code == 0, done.output
    assert read_table(tmp_path, "quarantine/trades", "trade_id_raw") == before
    assert _verify(str(tmp_path)).exit_code == 0
