"""silver.prices, gold.prices_daily and silver.candles on small hand-made Bronze objects."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from coinlake.domain.envelope import EnvelopeMeta, build_envelope, parse_timestamp
from tests.integration.transform.helpers import read_table, run

pytestmark = pytest.mark.integration


def _land(root: Path, key: str, dataset: str, fetched: str, body: bytes, **meta: object) -> str:
    envelope = EnvelopeMeta(
        source="coingecko" if dataset in ("simple_price", "market_chart_range") else "coinbase",
        dataset=dataset,
        url="https://example.invalid/x",
        params={str(k): str(v) for k, v in meta.pop("params", {}).items()},  # type: ignore[attr-defined]
        status=200,
        headers={},
        fetched_at=parse_timestamp(fetched),
        client_version="test",
        **meta,  # type: ignore[arg-type]
    )
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_envelope(envelope, body))
    return key


def _snapshot(root: Path, fetched: str, body: str) -> str:
    moment = parse_timestamp(fetched)
    key = (
        f"bronze/source=coingecko/dataset=simple_price/year={moment:%Y}/month={moment:%m}/"
        f"day={moment:%d}/{moment:%Y%m%dT%H%M%S}Z.json"
    )
    return _land(root, key, "simple_price", fetched, body.encode())


T1, T2 = 1763805600, 1763809200  # 2025-11-22 10:00 and 11:00 UTC


def test_snapshots_become_exact_price_rows_deduplicated_by_observation(tmp_path: Path) -> None:
    first = _snapshot(
        tmp_path,
        "2025-11-22T10:00:30Z",
        '{"bitcoin": {"usd": 91234.12, "usd_market_cap": 1.81e12, "usd_24h_vol": 31000000000.5, '
        '"usd_24h_change": -1.23, "eur": 85000.5, "eur_market_cap": 1.7e12, "last_updated_at": '
        f"{T1}}}, "
        '"solana": {"usd": 0.000012345678, "usd_24h_change": null, "last_updated_at": '
        f"{T1}}}}}",
    )
    # the same bitcoin observation again, then a new one
    _snapshot(
        tmp_path,
        "2025-11-22T10:05:00Z",
        f'{{"bitcoin": {{"usd": 91234.12, "last_updated_at": {T1}}}}}',
    )
    _snapshot(
        tmp_path,
        "2025-11-22T11:00:30Z",
        f'{{"bitcoin": {{"usd": 90000, "eur": 84000, "last_updated_at": {T2}}}}}',
    )
    _snapshot(tmp_path, "2025-11-22T11:01:00Z", "{}")
    run(tmp_path)
    rows = read_table(tmp_path, "silver/prices", "coin_id, vs_currency, last_updated_at")
    got = [(r["coin_id"], r["vs_currency"], r["price"], r["last_updated_at"]) for r in rows]
    at1, at2 = datetime(2025, 11, 22, 10, tzinfo=UTC), datetime(2025, 11, 22, 11, tzinfo=UTC)
    assert got == [
        ("bitcoin", "eur", Decimal("85000.5"), at1),
        ("bitcoin", "eur", Decimal(84000), at2),
        ("bitcoin", "usd", Decimal("91234.12"), at1),
        ("bitcoin", "usd", Decimal(90000), at2),
        ("solana", "usd", Decimal("0.000012345678"), at1),
    ]
    usd = rows[2]
    assert usd["market_cap"] == Decimal("1810000000000")
    assert usd["volume_24h"] == Decimal("31000000000.5")
    assert usd["change_24h_pct"] == Decimal("-1.23")
    assert usd["bronze_key"] == first
    assert rows[4]["change_24h_pct"] is None
    assert {r["date"] for r in rows} == {date(2025, 11, 22)}

    daily = read_table(tmp_path, "gold/prices_daily", "coin_id, vs_currency")
    btc_usd = next(d for d in daily if (d["coin_id"], d["vs_currency"]) == ("bitcoin", "usd"))
    assert btc_usd["date"] == date(2025, 11, 22)
    assert (btc_usd["open"], btc_usd["close"]) == (Decimal("91234.12"), Decimal(90000))
    assert (btc_usd["high"], btc_usd["low"]) == (Decimal("91234.12"), Decimal(90000))
    assert btc_usd["avg_price"] == Decimal("90617.06")
    assert btc_usd["observations"] == 2
    assert btc_usd["market_cap"] is None  # the last observation had none
    assert len(daily) == 3


def test_price_rules_and_unparsable_snapshots_go_to_quarantine(tmp_path: Path) -> None:
    _snapshot(
        tmp_path,
        "2025-11-22T10:00:30Z",
        '{"bitcoin": {"usd": 0, "eur": 1, "last_updated_at": 1763805600}, '
        '"ethereum": {"usd": 3000}}',
    )
    _land(
        tmp_path,
        "bronze/source=coingecko/dataset=simple_price/year=2025/month=11/day=22/bad.json",
        "simple_price",
        "2025-11-22T10:01:00Z",
        b"<html>Cloudflare</html>",
        parse_error="not JSON",
    )
    summaries = {s.table: s for s in run(tmp_path)}
    assert [r["vs_currency"] for r in read_table(tmp_path, "silver/prices", "coin_id")] == ["eur"]
    rules = sorted(
        (q["rule"], q["coin_id"]) for q in read_table(tmp_path, "quarantine/prices", "rule")
    )
    assert rules == [
        ("bad_last_updated_at", "ethereum"),
        ("bad_price", "bitcoin"),
        ("unparsable_response", None),
    ]
    assert summaries["silver.prices"].objects_unparsable == 1


def _history(root: Path, coin: str, vs: str, fetched: str, body: str, **meta: object) -> str:
    key = (
        f"bronze/source=coingecko/dataset=market_chart_range/coin={coin}/vs_currency={vs}/"
        f"date={fetched[:10]}/20251121T000000.000000Z-20251122T000000.000000Z.json"
    )
    extra = {"vs_currency": vs}
    return _land(
        root, key, "market_chart_range", fetched, body.encode(), product=coin, extra=extra, **meta
    )


def test_history_points_join_snapshots_in_silver_prices_and_gold_daily(tmp_path: Path) -> None:
    t1_ms, t2_ms = T1 * 1000, T2 * 1000 + 123  # milliseconds kept exactly
    _history(
        tmp_path,
        "bitcoin",
        "usd",
        "2025-11-22T12:00:00Z",
        f'{{"prices": [[{t1_ms}, 91234.12], [{t2_ms}, 90000.12345678], [{t2_ms + 1}, -5]], '
        f'"market_caps": [[{t1_ms}, 1810000000000], [{t2_ms}, 1.8e12]], '
        f'"total_volumes": [[{t1_ms}, 31000000000.5], [{t2_ms}, 168400239.89804137]]}}',
    )
    # a snapshot of the first point, fetched earlier: it wins the observation
    _snapshot(
        tmp_path,
        "2025-11-22T10:00:30Z",
        f'{{"bitcoin": {{"usd": 91234.12, "usd_24h_change": 1.5, "last_updated_at": {T1}}}}}',
    )
    _history(
        tmp_path,
        "ethereum",
        "eur",
        "2025-11-22T12:00:01Z",
        "<html>rate limited</html>",
        parse_error="not JSON",
    )
    summaries = {s.table: s for s in run(tmp_path)}
    rows = read_table(tmp_path, "silver/prices", "coin_id, vs_currency, last_updated_at")
    got = [
        (r["coin_id"], r["price"], r["market_cap"], r["volume_24h"], r["change_24h_pct"])
        for r in rows
    ]
    assert got == [
        ("bitcoin", Decimal("91234.12"), None, None, Decimal("1.5")),
        (
            "bitcoin",
            Decimal("90000.12345678"),
            Decimal(1800000000000),
            Decimal("168400239.89804137"),
            None,
        ),
    ]
    assert rows[1]["last_updated_at"] == datetime(2025, 11, 22, 11, 0, 0, 123000, tzinfo=UTC)
    assert rows[1]["bronze_key"].startswith("bronze/source=coingecko/dataset=market_chart_range/")
    rules = sorted(
        (q["rule"], q["price_raw"]) for q in read_table(tmp_path, "quarantine/prices", "rule")
    )
    assert rules == [("bad_price", "-5"), ("unparsable_response", None)]
    assert summaries["silver.prices"].objects_read == 3
    daily = read_table(tmp_path, "gold/prices_daily", "coin_id, vs_currency, date")
    assert [(d["coin_id"], d["open"], d["close"], d["observations"]) for d in daily] == [
        ("bitcoin", Decimal("91234.12"), Decimal("90000.12345678"), 2)
    ]
    # nothing new: nothing read again
    again = {s.table: s for s in run(tmp_path)}
    assert again["silver.prices"].objects_read == 0


def test_candles_are_typed_deduplicated_and_checked(tmp_path: Path) -> None:
    prefix = "bronze/source=coinbase/dataset=candles/product=BTC-USD/date=2025-11-22"
    body = b"[[1763809200, 90000.5, 91000, 90100, 90900.25, 12.5], [1763805600, 1, 2, 1, 2, 3]]"
    _land(
        tmp_path,
        f"{prefix}/a.json",
        "candles",
        "2025-11-22T12:00:00Z",
        body,
        product="BTC-USD",
        params={"granularity": 3600},
    )
    again = b"[[1763809200, 90000.5, 91000, 90100, 90900.25, 12.5], [1763812800, 5, 4, 4, 4, 1]]"
    _land(
        tmp_path,
        f"{prefix}/b.json",
        "candles",
        "2025-11-22T13:00:00Z",
        again,
        product="BTC-USD",
        params={"granularity": 3600},
    )
    run(tmp_path)
    rows = read_table(tmp_path, "silver/candles", "bucket_start")
    assert [(r["bucket_start"].hour, r["granularity_s"], r["bronze_key"][-6:]) for r in rows] == [
        (10, 3600, "a.json"),
        (11, 3600, "a.json"),
    ]
    last = rows[1]
    assert (last["low"], last["high"], last["open"], last["close"], last["volume"]) == (
        Decimal("90000.5"),
        Decimal(91000),
        Decimal(90100),
        Decimal("90900.25"),
        Decimal("12.5"),
    )
    quarantined = read_table(tmp_path, "quarantine/candles", "rule")
    assert [(q["rule"], q["row_raw"]) for q in quarantined] == [
        ("bad_price", "1763812800,5,4,4,4,1")
    ]
