"""The `make reliability` parts at their smallest (`--quick`), so that the suite does not rot and
the guarantees it checks hold on every `make test`: real coinlake processes, a real sandbox (and
moto for S3), the same invariants and table as the full run."""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability.__main__ import run_part
from reliability.context import Context
from reliability.invariants import Verdict, check_lake
from reliability.parts import secret_scan
from reliability.procs import MarketSpec
from reliability.report import PartResult, render

pytestmark = pytest.mark.integration
SEED = 20261129
TRADE_PARTS = ["kill", "storm", "concurrency", "storage", "secrets", "damage"]


def quick(name: str, tmp_path: Path) -> PartResult:
    with (tmp_path / "log.txt").open("w") as log:
        result = run_part(name, Context(tmp_path / name, SEED, True, log))
    print(render([result]))
    return result


@pytest.mark.parametrize("name", TRADE_PARTS)
def test_each_part_injects_faults_and_loses_and_duplicates_nothing(
    name: str, tmp_path: Path
) -> None:
    result = quick(name, tmp_path)
    assert result.faults > 0 and result.runs > 0
    assert result.expected > 0 and result.found == result.expected
    assert result.pending == []
    assert (result.lost, result.duplicated, result.problems) == (0, 0, [])


def test_hostile_flags_get_one_error_line_from_real_processes(tmp_path: Path) -> None:
    result = quick("hostile", tmp_path)
    assert result.runs == result.faults == 3
    assert result.problems == []


def test_the_invariants_catch_a_lost_and_a_duplicated_trade(tmp_path: Path) -> None:
    spec = MarketSpec(products=("BTC-USD",), history_days=0.01)
    trades = {"BTC-USD": spec.market().trades("BTC-USD")}
    empty = check_lake(tmp_path, trades)
    assert empty.lost == empty.expected == len(trades["BTC-USD"]) > 0
    assert any(p.startswith("bronze:") for p in empty.problems)


def test_a_failed_part_fails_the_table() -> None:
    lost = PartResult("kill -9", 1)
    lost.add(Verdict(expected=3, found=2, lost=1), "lake")
    assert lost.failed and "FAIL" in render([lost]) and "kill -9=1" in render([lost])
    fine = PartResult("storms", 2, pending=["verify: not in this build"])
    assert not fine.failed and "pending storms: verify" in render([fine])


def test_the_secret_scan_finds_the_key_plain_and_url_encoded() -> None:
    needles = [b"CG-a/b", b"CG-a%2Fb"]
    texts = {"log": b"x-cg-demo-api-key: CG-a/b", "url": b"?k=CG-a%2Fb", "clean": b"x-cg: ***"}
    assert secret_scan.leaks(needles, texts) == ["log", "url"]
