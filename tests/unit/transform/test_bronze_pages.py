"""The Bronze page generator: deterministic, realistic, in the exact layout."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from coinlake.bronze.keys import parse_bronze_key
from coinlake.devtools.bronze_pages import PageSpec, write_trade_pages
from coinlake.domain.envelope import split_envelope

SPEC = PageSpec(
    trades=2_000,
    products=("BTC-USD", "ETH-USD"),
    days=1.0,
    page_size=100,
    overlap_rate=0.1,
    late_rate=0.1,
    bad_row_rate=0.01,
    unparsable_pages=1,
    seed=5,
)


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.json")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_the_same_spec_gives_the_same_bytes(tmp_path: Path) -> None:
    write_trade_pages(tmp_path / "a", SPEC)
    write_trade_pages(tmp_path / "b", SPEC)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_pages_are_envelopes_in_the_bronze_layout_newest_first(tmp_path: Path) -> None:
    summary = write_trade_pages(tmp_path, replace(SPEC, bad_row_rate=0.0))
    assert summary.objects == len(list(tmp_path.rglob("*.json")))
    assert summary.unparsable_objects == 2
    ids: dict[str, list[int]] = {}
    for key in summary.keys:
        envelope = split_envelope((tmp_path / key).read_bytes())
        assert key.startswith(
            f"bronze/source=coinbase/dataset=trades/product={envelope.meta['product']}/date="
        )
        assert f"date={envelope.meta['fetched_at'][:10]}/" in key
        if envelope.parse_error:
            continue
        rows = json.loads(envelope.body, parse_float=Decimal)
        page_ids = [int(r["trade_id"]) for r in rows if "trade_id" in r]
        assert page_ids == sorted(page_ids, reverse=True)
        assert key.endswith(f"{page_ids[-1]:012d}-{page_ids[0]:012d}.json")
        ids.setdefault(envelope.meta["product"], []).extend(page_ids)
    for product_ids in ids.values():
        assert len(set(product_ids)) == 1_000  # every trade landed at least once
    assert sum(len(v) for v in ids.values()) > 2_000  # and some twice (re-fetched pages)
    assert summary.duplicate_rows == sum(len(v) for v in ids.values()) - 2_000
    assert summary.rows == 2_000 + summary.duplicate_rows


def test_bad_rows_are_mixed_in_when_asked(tmp_path: Path) -> None:
    summary = write_trade_pages(tmp_path, SPEC)
    text = "".join(p.read_text() for p in tmp_path.rglob("*.json"))
    assert summary.bad_rows > 0
    assert '"side":"hold"' in text
    assert '"time":"yesterday"' in text


def test_every_key_is_one_the_ingester_would_write(tmp_path: Path) -> None:
    summary = write_trade_pages(tmp_path, SPEC)
    parsed = [parse_bronze_key(key) for key in summary.keys]
    assert sum(p.unparsed for p in parsed) == summary.unparsable_objects == 2
    for p in parsed:
        assert (p.source, p.dataset) == ("coinbase", "trades")
        envelope = split_envelope((tmp_path / p.key).read_bytes())
        assert p.product == envelope.meta["product"]
        assert p.fetch_date.isoformat() == envelope.meta["fetched_at"][:10]
        if not p.unparsed:
            assert p.first_id is not None and p.last_id is not None
            assert p.first_id <= p.last_id
