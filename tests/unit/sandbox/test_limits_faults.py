import json

import pytest

from coinlake.errors import ConfigError
from coinlake.sandbox import FaultRule, Faults, SandboxOptions, load_fault_script
from coinlake.sandbox.faults import transform_body
from coinlake.sandbox.limits import SlidingWindow, TokenBucket
from coinlake.sandbox.options import parse_gap


class Now:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_token_bucket_allows_the_burst_then_refills_at_the_rate():
    now = Now()
    bucket = TokenBucket(10, 15, now)
    assert all(bucket.try_acquire("ip") for _ in range(15))
    assert not bucket.try_acquire("ip")
    now.t += 0.1
    assert bucket.try_acquire("ip")
    assert not bucket.try_acquire("ip")
    assert bucket.try_acquire("other-ip")


def test_sliding_window_refuses_the_call_past_the_limit_and_says_when_to_retry():
    now = Now()
    window = SlidingWindow(30, now)
    for _ in range(30):
        assert window.try_acquire("k") is None
        now.t += 1
    assert window.try_acquire("k") == 30
    now.t += 30
    assert window.try_acquire("k") is None


def test_faults_fire_on_the_scripted_calls_only():
    faults = Faults(seed=1)
    faults.add("status", "coinbase.trades", status=503, calls=[2, 4])
    fired = [bool(faults.pick("coinbase.trades")) for _ in range(5)]
    assert fired == [False, True, False, True, False]
    assert faults.pick("coinbase.candles") == []


def test_probabilistic_faults_are_seeded():
    def run() -> list[bool]:
        faults = Faults(seed=3)
        faults.add("reset", "*", probability=0.5)
        return [bool(faults.pick("coingecko.ping")) for _ in range(50)]

    assert run() == run()
    assert 5 < sum(run()) < 45


def test_body_transforms():
    faults = Faults()
    rows = [{"trade_id": i, "price": "1.5"} for i in range(5)]
    rule = FaultRule
    assert transform_body(rule("wrong_shape"), rows, faults) == {"data": rows}
    renamed = transform_body(rule("rename_field", field="price", to="px"), rows, faults)
    assert all("px" in r and "price" not in r for r in renamed)
    assert all("trade_id" not in r for r in transform_body(rule("drop_field"), rows, faults))
    assert transform_body(rule("numbers_as_strings"), rows, faults)[0]["trade_id"] == "0"
    assert str(transform_body(rule("strings_as_numbers"), rows, faults)[0]["price"]) == "1.5"
    dup = transform_body(rule("duplicate_trades", count=2), rows, faults)
    assert [r["trade_id"] for r in dup] == [0, 0, 1, 1, 2, 3, 4]
    shuffled = transform_body(rule("out_of_order_trades"), rows, faults)
    assert shuffled != rows and sorted(shuffled, key=lambda r: r["trade_id"]) == rows


def test_fault_scripts_load_from_json_and_toml(tmp_path):
    j = tmp_path / "f.json"
    j.write_text(json.dumps({"faults": [{"kind": "status", "status": 502, "calls": [1]}]}))
    t = tmp_path / "f.toml"
    t.write_text('[[faults]]\nendpoint = "coingecko.*"\nkind = "rate_limit"\nretry_after = 7\n')
    assert load_fault_script(j)[0].status == 502
    assert load_fault_script(t)[0].retry_after == 7
    bad = tmp_path / "bad.json"
    bad.write_text('{"faults": [{"kind": "status", "colour": 1}]}')
    with pytest.raises(ValueError, match="colour"):
        load_fault_script(bad)


def test_bad_options_and_gaps_are_one_clear_config_error():
    with pytest.raises(ConfigError, match="port"):
        SandboxOptions(port=70000).validate()
    with pytest.raises(ConfigError, match="clock"):
        SandboxOptions(clock="sometimes").validate()
    assert parse_gap("BTC-USD:+10-+19")[1] == 874_000_010
    with pytest.raises(ConfigError):
        parse_gap("BTC-USD:19-10")


def _in_thread(call: object, *args: object) -> tuple[bool, list[object]]:
    """Run `call(*args)` in a daemon thread for at most 5 s: (finished, its result)."""
    import threading

    out: list[object] = []
    worker = threading.Thread(target=lambda: out.append(call(*args)), daemon=True)  # type: ignore[operator]
    worker.start()
    worker.join(timeout=5)
    return not worker.is_alive(), out


def test_out_of_order_on_a_doubled_one_row_page_returns_the_rows_and_frees_the_lock() -> None:
    faults = Faults(seed=5)
    duplicate = FaultRule.from_mapping({"kind": "duplicate_trades", "count": 1})
    shuffle = FaultRule.from_mapping({"kind": "out_of_order_trades"})
    row = {"trade_id": 1, "price": "1"}
    page = transform_body(duplicate, [row], faults)
    finished, result = _in_thread(transform_body, shuffle, page, faults)
    assert finished, "the shuffle of two equal rows never returned"
    assert result == [[row, row]]
    finished, _ = _in_thread(faults.add, "status", "*")
    assert finished, "the faults lock is still held"


@pytest.mark.parametrize("seed", range(20))
def test_out_of_order_always_changes_the_order_of_distinct_rows(seed: int) -> None:
    rows: list[object] = [{"trade_id": n} for n in (3, 2, 1)]
    shuffled = Faults(seed=seed).shuffle(rows)
    assert shuffled != rows
    assert sorted(shuffled, key=str) == sorted(rows, key=str)
    pair: list[object] = [{"trade_id": 2}, {"trade_id": 2}, {"trade_id": 1}]
    assert Faults(seed=seed).shuffle(pair) != pair
