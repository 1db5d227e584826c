"""Deterministic Coinbase trade pages in the exact Bronze layout, for tests and the benchmark.

`write_trade_pages()` writes N trades spread over several products and days as Bronze envelopes
(`bronze/source=coinbase/dataset=trades/product=<P>/date=<fetch date>/<low id>-<high id>.json`,
the keys `coinlake.bronze.keys` builds and parses), the way the ingester lands them: pages of up
to 1,000 trades, newest first, each fetched a little after its newest trade. On top of that it
adds, from the seed:

- re-fetched pages (`overlap_rate`): the same trades again, shifted by half a page, fetched later
  under another key (what overlapping runs produce);
- late pages (`late_rate`): pages fetched hours or a day after their trades (a backfill), so they
  land in a later Bronze date folder than their event date;
- `trade_id` as a JSON string on some pages (`string_id_rate`), as some captures show;
- optional bad rows (`bad_row_rate`) of each quarantine kind, and optional unparsable responses
  (`unparsable_pages`) kept as `body_text` with `meta.parse_error`, under the
  `unparsed-<fetched_at>-<sha>.json` key the ingester gives a body whose ids are unknown.

Prices move by 0.01 ticks and sizes are in 1e-8 steps, like BTC-USD. Formatting works on integers
so 10M trades take a few tens of seconds. The same arguments always give the same bytes.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from coinlake.domain.envelope import EnvelopeMeta, build_envelope
from coinlake.sources.coinbase.keys import trades_page_key, trades_unparsed_key

TRADES_PREFIX = "bronze/source=coinbase/dataset=trades"
_BAD_KINDS = ("price_not_positive", "size_not_positive", "bad_time", "bad_side", "missing_id")


@dataclass(frozen=True, slots=True)
class PageSpec:
    """What to generate."""

    trades: int
    """Distinct trades in total (across products); duplicates come on top."""
    products: tuple[str, ...] = ("BTC-USD", "ETH-USD", "SOL-USD")
    """Products, trades split evenly."""
    start: datetime = datetime(2026, 11, 20, tzinfo=UTC)
    """Time of the first trade."""
    days: float = 3.0
    """Event-time span of each product's trades."""
    page_size: int = 1000
    """Trades per page (Coinbase's maximum)."""
    overlap_rate: float = 0.02
    """Share of pages fetched a second time, shifted by half a page."""
    late_rate: float = 0.01
    """Share of pages fetched 2 to 30 hours after their trades."""
    string_id_rate: float = 0.05
    """Share of pages whose trade ids are JSON strings."""
    bad_row_rate: float = 0.0
    """Share of rows replaced by an invalid variant (each quarantine rule in turn)."""
    unparsable_pages: int = 0
    """Extra pages whose body is truncated JSON (landed as body_text with parse_error)."""
    seed: int = 7
    """Everything random derives from it."""
    first_ids: dict[str, int] = field(default_factory=dict)
    """First trade id per product (defaults spread products over distinct id ranges)."""


@dataclass(slots=True)
class PageSummary:
    """What was written."""

    objects: int = 0
    rows: int = 0
    duplicate_rows: int = 0
    bad_rows: int = 0
    unparsable_objects: int = 0
    keys: list[str] = field(default_factory=list)


def _price_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _size_text(units: int) -> str:
    return f"{units // 100_000_000}.{units % 100_000_000:08d}"


@dataclass(slots=True)
class _Tape:
    """One product's trades as parallel integer lists (ids ascending)."""

    product: str
    ids: list[int]
    micros: list[int]
    cents: list[int]
    units: list[int]
    sides: list[str]


def _build_tape(spec: PageSpec, product: str, count: int, rng: random.Random) -> _Tape:
    first_id = spec.first_ids.get(product, 100_000_000 * (1 + spec.products.index(product)))
    start_us = int(spec.start.timestamp()) * 1_000_000
    span_us = max(1, int(spec.days * 86_400 * 1_000_000))
    step = span_us / max(1, count)
    price = 9_123_456 if product.startswith("BTC") else 312_345
    ids, micros, cents, units, sides = [], [], [], [], []
    rand = rng.random
    for index in range(count):
        price = max(1, price + int((rand() - 0.5) * 41))
        ids.append(first_id + index)
        micros.append(start_us + int(index * step + rand() * step * 0.9))
        cents.append(price)
        units.append(1 + int(rand() ** 3 * 50_000_000))
        sides.append("buy" if rand() < 0.5 else "sell")
    return _Tape(product, ids, micros, cents, units, sides)


_HOUR_TEXT: dict[int, str] = {}


def _second_text(second: int) -> str:
    """`YYYY-MM-DDTHH:MM:SS` with the date and hour formatted once per hour (the slow part)."""
    hour, rest = divmod(second, 3600)
    prefix = _HOUR_TEXT.get(hour)
    if prefix is None:
        if len(_HOUR_TEXT) > 100_000:
            _HOUR_TEXT.clear()
        prefix = f"{datetime.fromtimestamp(hour * 3600, tz=UTC):%Y-%m-%dT%H}"
        _HOUR_TEXT[hour] = prefix
    minute, sec = divmod(rest, 60)
    return f"{prefix}:{minute:02d}:{sec:02d}"


def _row(tape: _Tape, i: int, string_id: bool, bad: str | None) -> str:
    micros = tape.micros[i]
    stamp = f"{_second_text(micros // 1_000_000)}.{micros % 1_000_000:06d}Z"
    trade_id = f'"{tape.ids[i]}"' if string_id else str(tape.ids[i])
    price, size, side = _price_text(tape.cents[i]), _size_text(tape.units[i]), tape.sides[i]
    if bad == "price_not_positive":
        price = "-" + price
    elif bad == "size_not_positive":
        size = "0.00000000"
    elif bad == "bad_time":
        stamp = "yesterday"
    elif bad == "bad_side":
        side = "hold"
    elif bad == "missing_id":
        return f'{{"time":"{stamp}","price":"{price}","size":"{size}","side":"{side}"}}'
    return (
        f'{{"time":"{stamp}","trade_id":{trade_id},"price":"{price}",'
        f'"size":"{size}","side":"{side}"}}'
    )


def _envelope(product: str, fetched: datetime, first: int, last: int, body: str) -> str:
    meta = EnvelopeMeta(
        source="coinbase",
        dataset="trades",
        url=f"https://api.exchange.coinbase.com/products/{product}/trades",
        params={"limit": "1000", "after": str(last + 1000)},
        status=200,
        headers={"cb-before": str(first), "cb-after": str(last)},
        fetched_at=fetched,
        client_version="0.1.0",
        product=product,
    )
    return '{"meta":' + json.dumps(meta.to_json_dict(), separators=(",", ":")) + ',"body":' + body


def page_key(product: str, fetched: datetime, first_id: int, last_id: int) -> str:
    """The Bronze key of a trades page: `coinlake.sources.coinbase.keys.trades_page_key` (the ids in
    either order; the name holds the smallest then the largest)."""
    return trades_page_key(product, fetched, first_id, last_id)


class _Writer:
    def __init__(self, root: Path, spec: PageSpec, rng: random.Random) -> None:
        self.root, self.spec, self.rng = root, spec, rng
        self.summary = PageSummary()
        self.bad_index = 0

    def page(self, tape: _Tape, lo: int, hi: int, fetched: datetime) -> None:
        """Write trades tape[lo:hi] as one page fetched at `fetched` (newest first)."""
        string_id = self.rng.random() < self.spec.string_id_rate
        rows = []
        for i in range(hi - 1, lo - 1, -1):
            bad = None
            if self.spec.bad_row_rate and self.rng.random() < self.spec.bad_row_rate:
                bad = _BAD_KINDS[self.bad_index % len(_BAD_KINDS)]
                self.bad_index += 1
                self.summary.bad_rows += 1
            rows.append(_row(tape, i, string_id, bad))
        first, last = tape.ids[hi - 1], tape.ids[lo]
        key = page_key(tape.product, fetched, first, last)
        path = self.root / key
        if path.exists():  # Bronze is create-only: a same-key re-fetch is a no-op
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "[" + ",".join(rows) + "]"
        path.write_text(_envelope(tape.product, fetched, first, last, body) + "}\n")
        self.summary.objects += 1
        self.summary.rows += hi - lo
        self.summary.keys.append(key)

    def unparsable(self, tape: _Tape, n: int) -> None:
        fetched = datetime.fromtimestamp(tape.micros[-1] / 1e6, tz=UTC) + timedelta(minutes=n)
        meta = EnvelopeMeta(
            source="coinbase",
            dataset="trades",
            url=f"https://api.exchange.coinbase.com/products/{tape.product}/trades",
            params={"limit": "1000"},
            status=200,
            headers={},
            fetched_at=fetched,
            client_version="0.1.0",
            product=tape.product,
            parse_error="truncated JSON: unexpected end of data",
        )
        body = b'[{"time":"2026-11-22T10:00:00.1Z","trade_id":1,"pri'
        key = trades_unparsed_key(tape.product, fetched, body)
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(build_envelope(meta, body))
        self.summary.objects += 1
        self.summary.unparsable_objects += 1
        self.summary.keys.append(key)


def _fetch_time(tape: _Tape, hi: int, delay_s: float) -> datetime:
    newest = datetime.fromtimestamp(tape.micros[hi - 1] // 1_000_000, tz=UTC)
    return newest + timedelta(seconds=delay_s)


def write_trade_pages(root: Path, spec: PageSpec) -> PageSummary:
    """Write the pages described by `spec` under the lake folder `root`."""
    rng = random.Random(spec.seed)  # noqa: S311 - reproducible test data, not security
    writer = _Writer(root, spec, rng)
    per_product = [spec.trades // len(spec.products)] * len(spec.products)
    per_product[0] += spec.trades - sum(per_product)
    size = spec.page_size
    for product, count in zip(spec.products, per_product, strict=True):
        if count == 0:
            continue
        tape = _build_tape(spec, product, count, rng)
        for lo in range(0, count, size):
            hi = min(count, lo + size)
            late = rng.random() < spec.late_rate
            delay = rng.uniform(7_200, 108_000) if late else rng.uniform(1, 300)
            writer.page(tape, lo, hi, _fetch_time(tape, hi, delay))
            if rng.random() < spec.overlap_rate and hi - lo > 1:
                shift = (hi - lo) // 2
                lo2, hi2 = min(count - 1, lo + shift), min(count, hi + shift)
                before = writer.summary.rows
                writer.page(tape, lo2, hi2, _fetch_time(tape, hi2, delay + rng.uniform(60, 900)))
                writer.summary.duplicate_rows += writer.summary.rows - before
        for n in range(spec.unparsable_pages):
            writer.unparsable(tape, n)
    return writer.summary


def write_new_page(
    root: Path, product: str, first_id: int, first_time: datetime, count: int = 1000
) -> str:
    """Land one extra page of `count` trades (ids from `first_id`, one per millisecond from
    `first_time`, newest first), fetched ten minutes after its newest trade, the way the ingester
    lands a new page; return its key. Used to time an incremental run after one new page."""
    rows = [
        {
            "time": (first_time + timedelta(milliseconds=i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "trade_id": first_id + i,
            "price": f"{91000 + i % 97}.{i % 100:02d}",
            "size": f"0.{1 + (i * 7919) % 99_999_999:08d}",
            "side": "buy" if i % 3 else "sell",
        }
        for i in reversed(range(count))
    ]
    last_id = first_id + count - 1
    fetched = first_time + timedelta(milliseconds=count - 1, minutes=10)
    key = trades_page_key(product, fetched, first_id, last_id)
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(rows, separators=(",", ":"))
    path.write_text(_envelope(product, fetched, first_id, last_id, body) + "}\n")
    return key
