"""Completeness: the gap report names exactly the missing ranges, and repair brings it to 100%."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coinlake.app.quality import find_gaps
from coinlake.bronze.state import read_trade_cursor
from coinlake.config import Settings
from coinlake.ingest.repair import repair_gaps
from coinlake.ingest.run import Sources
from coinlake.ingest.walk_steps import TradesRun
from coinlake.quality.config import QualityConfig
from coinlake.quality.gaps import IdRange
from coinlake.sources.coinbase.keys import trades_prefix
from tests.integration.ingest.helpers import ingest, sandbox_settings
from tests.integration.quality.helpers import check, failed_checks, transform

pytestmark = pytest.mark.integration

FIRST = 874_000_000  # the sandbox's first BTC-USD trade id
REMOVED = [(FIRST + 1000, FIRST + 1049), (FIRST + 1500, FIRST + 1500), (FIRST + 2000, FIRST + 2299)]


def gaps_of(lake: Path, sb: Any) -> list[IdRange]:
    return find_gaps(Settings(lake=str(lake)), QualityConfig(), now=sb.clock.now(), threads=1)


def repair(sb: Any, settings: Any, store: Any, gaps: list[IdRange]) -> Any:
    with Sources(settings, clock=sb.clock) as sources:
        run = TradesRun(
            store, sources.client("coinbase"), "coinbase", "trades", sb.clock, "repair-test"
        )
        return repair_gaps(run, gaps)


def trades_lake(sb: Any, tmp_path: Path) -> tuple[Path, Any, Any]:
    from coinlake.app.lake import open_lake

    lake = tmp_path / "lake"
    settings = sandbox_settings(sb, str(lake), products="BTC-USD")
    store = open_lake(settings)
    ingest(sb, store, settings, source="coinbase", since=FIRST + 1)
    transform(lake)
    return lake, settings, store


def test_the_gap_report_on_sandbox_gap_mode_names_exactly_the_removed_ranges(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    sb = sandbox_factory(gaps={"BTC-USD": REMOVED})
    lake, settings, store = trades_lake(sb, tmp_path)
    expected = [IdRange("BTC-USD", low, high, True) for low, high in REMOVED]
    assert gaps_of(lake, sb) == expected
    run = check(lake, sb.clock.now(), write=False)
    (result,) = [r for r in run.results if r.check == "completeness_trades"]
    assert not result.passed and result.observed == 50 + 1 + 300
    assert result.sample == ",".join(f"{low}-{high}" for low, high in REMOVED)

    # the exchange never had those ids: a repair asks, gets none, and records them as such
    _, repairs = repair(sb, settings, store, gaps_of(lake, sb))
    unservable = [IdRange("BTC-USD", lo, hi, False) for lo, hi in REMOVED]
    assert [r.unservable for r in repairs] == [[gap] for gap in unservable]
    transform(lake)
    assert gaps_of(lake, sb) == unservable
    after = check(lake, sb.clock.now(), write=False)
    assert "completeness_trades" not in failed_checks(after)
    assert "unservable_trades" in failed_checks(after, "warn")
    # and a second repair does not ask again
    _, again = repair(sb, settings, store, gaps_of(lake, sb))
    assert again == []


def _remove_pages(store: Any, which: str) -> tuple[int, int]:
    """Remove Bronze trades pages (the two in the middle, or the newest); return their ids."""
    keys = sorted(k for k in store.list(trades_prefix("BTC-USD")) if k.endswith(".json"))
    chosen = keys[len(keys) // 2 : len(keys) // 2 + 2] if which == "middle" else keys[-1:]
    ids = [int(part) for key in chosen for part in key.rsplit("/", 1)[1][:-5].split("-")]
    for key in chosen:
        store.delete(key)
    return min(ids), max(ids)


@pytest.mark.parametrize("which", ["middle", "newest"])
def test_repair_after_an_outage_brings_completeness_back_to_100_percent(
    sandbox: Any, tmp_path: Path, which: str
) -> None:
    lake, settings, store = trades_lake(sandbox, tmp_path)
    assert gaps_of(lake, sandbox) == []
    low, high = _remove_pages(store, which)
    transform(lake, full_refresh=True)
    cursor = read_trade_cursor(store, "coinbase", "trades", "BTC-USD")
    assert cursor is not None and (which == "middle" or cursor.last_trade_id == high)
    assert gaps_of(lake, sandbox) == [IdRange("BTC-USD", low, high, True)]
    assert "completeness_trades" in failed_checks(check(lake, sandbox.clock.now(), write=False))

    summaries, repairs = repair(sandbox, settings, store, gaps_of(lake, sandbox))
    assert [(r.fetched, r.unservable) for r in repairs] == [(high - low + 1, [])]
    assert summaries[0].status == "ok"
    transform(lake)
    assert gaps_of(lake, sandbox) == []
    run = check(lake, sandbox.clock.now(), write=False)
    assert failed_checks(run, "error") == set()
    assert (
        read_trade_cursor(store, "coinbase", "trades", "BTC-USD") == cursor
    )  # repair never moves the cursor


def test_sandbox_duplicate_rows_are_absorbed_and_wrong_shapes_are_reported(
    sandbox: Any, tmp_path: Path
) -> None:
    from coinlake.app.lake import open_lake

    lake = tmp_path / "lake"
    settings = sandbox_settings(sandbox, str(lake), products="BTC-USD")
    store = open_lake(settings)
    sandbox.faults.add("duplicate_trades", "coinbase.trades", calls=[2], count=5)
    sandbox.faults.add("wrong_shape", "coinbase.trades", calls=[3])
    ingest(sandbox, store, settings, source="coinbase", since=FIRST + 1)
    transform(lake)
    run = check(lake, sandbox.clock.now(), write=False)
    assert failed_checks(run) == {"quarantined_trades"}
    (quarantined,) = [r for r in run.results if r.check == "quarantined_trades"]
    assert quarantined.sample == "unparsable_response" and quarantined.observed == 1
