"""Bronze keys: pure builders and their parser (the lake layout of `DESIGN.md` is the contract).

    bronze/source=coingecko/dataset=simple_price/year=YYYY/month=MM/day=DD/<fetched_at>.json
    bronze/source=coingecko/dataset=market_chart_range/coin=<id>/vs_currency=<cur>/date=YYYY-MM-DD/<from>-<to>.json
    bronze/source=coinbase/dataset=trades/product=<P>/date=YYYY-MM-DD/<first_id>-<last_id>.json
    bronze/source=coinbase/dataset=trades/product=<P>/date=YYYY-MM-DD/unparsed-<fetched_at>-<sha>.json
    bronze/source=coinbase/dataset=candles/product=<P>/date=YYYY-MM-DD/<start>-<end>.json
    .../dataset=candles|market_chart_range/.../date=YYYY-MM-DD/unparsed-<fetched_at>-<sha>.json

- Every `date=`/`year=/month=/day=` is the **fetch** date in UTC (Bronze is a landing zone).
- Times in file names are compact UTC with microseconds and no colons: `20261122T170000.123456Z`.
- Trade ids are the smallest and largest id on the page, zero-padded to 12 digits, so lexical order
  is numeric order (ids up to 10^12 - 1; Coinbase's are around 10^9).
- A trades page whose ids are unknown (the body did not parse) is named after its fetch time and
  the first 16 hex digits of the SHA-256 of its body: still deterministic, so re-landing the same
  bytes fetched at the same instant is a no-op.
- Candle and market-chart keys carry the *requested* range, so they are known before parsing.
  A candles or market-chart response that did not parse lands beside them under an `unparsed-`
  name (`unparsed_key_beside`), so it never takes the range's key from the good response a
  re-fetch brings.
  The candle key has no granularity: one granularity per product, or a second one for the same
  range would be seen as already landed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from coinlake.errors import StorageError

BRONZE = "bronze"
ID_WIDTH = 12
"""Digits of a zero-padded trade id in a key."""
DIGEST_CHARS = 16
"""Hex digits of the body's SHA-256 in an `unparsed-` key."""
_COMPACT = "%Y%m%dT%H%M%S.%fZ"
_COMPACT_RE = r"\d{8}T\d{6}\.\d{6}Z"
# fullmatch, not match: `$` also matches before a trailing newline ("BTC-USD\n").
_PRODUCT_RE = re.compile(r"[A-Z0-9]{2,10}-[A-Z0-9]{2,10}", re.ASCII)
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}", re.ASCII)
_ID_PAIR = re.compile(rf"^(\d{{{ID_WIDTH},}})-(\d{{{ID_WIDTH},}})\.json$")
_TIME_PAIR = re.compile(rf"^({_COMPACT_RE})-({_COMPACT_RE})\.json$")
_UNPARSED = re.compile(rf"^unparsed-({_COMPACT_RE})-([0-9a-f]{{{DIGEST_CHARS}}})\.json$")
_SNAPSHOT = re.compile(rf"^({_COMPACT_RE})\.json$")


class InvalidBronzeKeyError(StorageError, ValueError):
    """A key (or a key part) does not follow the Bronze layout."""


def format_compact(moment: datetime) -> str:
    """`20261122T170000.123456Z`: UTC, microseconds, no colons (safe in any file name)."""
    if moment.tzinfo is None:
        raise InvalidBronzeKeyError(f"naive datetime {moment!r}: Bronze times must be UTC-aware")
    return moment.astimezone(UTC).strftime(_COMPACT)


def parse_compact(text: str) -> datetime:
    """Inverse of `format_compact`.

    Raises:
        InvalidBronzeKeyError: not a compact UTC time.
    """
    if not re.fullmatch(_COMPACT_RE, text):
        raise InvalidBronzeKeyError(f"{text!r} is not a compact UTC time like 20261122T170000.0Z")
    return datetime.strptime(text, _COMPACT).replace(tzinfo=UTC)


def _product(product: str) -> str:
    if not isinstance(product, str) or not _PRODUCT_RE.fullmatch(product):
        raise InvalidBronzeKeyError(f"{product!r} is not a product id like BTC-USD")
    return product


def _name(value: str, what: str) -> str:
    if not isinstance(value, str) or not _NAME_RE.fullmatch(value):
        raise InvalidBronzeKeyError(f"{value!r} is not a valid {what}")
    return value


def _day(fetched_at: datetime) -> str:
    format_compact(fetched_at)  # rejects naive times
    return f"date={fetched_at.astimezone(UTC):%Y-%m-%d}"


def _trade_id(value: int) -> str:
    if value < 0 or value >= 10**ID_WIDTH:
        raise InvalidBronzeKeyError(f"trade id {value} does not fit {ID_WIDTH} digits")
    return f"{value:0{ID_WIDTH}d}"


def _range(start: datetime, end: datetime) -> str:
    if end < start:
        raise InvalidBronzeKeyError(f"range ends ({end}) before it starts ({start})")
    return f"{format_compact(start)}-{format_compact(end)}.json"


def dataset_prefix(source: str, dataset: str) -> str:
    """`bronze/source=<s>/dataset=<d>/`: every object of one dataset."""
    return f"{BRONZE}/source={_name(source, 'source')}/dataset={_name(dataset, 'dataset')}/"


def trades_prefix(product: str, day: date | None = None) -> str:
    """Folder of one product's trade pages (of one fetch day when given)."""
    base = f"{dataset_prefix('coinbase', 'trades')}product={_product(product)}/"
    return base if day is None else f"{base}date={day:%Y-%m-%d}/"


def simple_price_key(fetched_at: datetime) -> str:
    """A CoinGecko `/simple/price` snapshot, by fetch time."""
    moment = fetched_at.astimezone(UTC) if fetched_at.tzinfo else fetched_at
    name = format_compact(fetched_at)
    return (
        f"{dataset_prefix('coingecko', 'simple_price')}"
        f"year={moment:%Y}/month={moment:%m}/day={moment:%d}/{name}.json"
    )


def market_chart_range_key(
    coin: str, vs_currency: str, fetched_at: datetime, from_at: datetime, to_at: datetime
) -> str:
    """A CoinGecko `/coins/{id}/market_chart/range` response for the requested range."""
    return (
        f"{dataset_prefix('coingecko', 'market_chart_range')}coin={_name(coin, 'coin id')}/"
        f"vs_currency={_name(vs_currency, 'currency')}/{_day(fetched_at)}/{_range(from_at, to_at)}"
    )


def trades_page_key(product: str, fetched_at: datetime, first_id: int, last_id: int) -> str:
    """A Coinbase trades page: its smallest and largest trade id (given in either order)."""
    low, high = sorted((first_id, last_id))
    return f"{trades_prefix(product)}{_day(fetched_at)}/{_trade_id(low)}-{_trade_id(high)}.json"


def trades_unparsed_key(product: str, fetched_at: datetime, body: bytes) -> str:
    """A Coinbase trades response whose ids are unknown (it did not parse)."""
    digest = hashlib.sha256(body).hexdigest()[:DIGEST_CHARS]
    return (
        f"{trades_prefix(product)}{_day(fetched_at)}/"
        f"unparsed-{format_compact(fetched_at)}-{digest}.json"
    )


def unparsed_key_beside(key: str, fetched_at: datetime, body: bytes) -> str:
    """Where a response that did not parse lands: in the folder of `key` (the candles or
    market-chart key a parsed response gets), named by its fetch time and body digest.

    Raises:
        InvalidBronzeKeyError: `key` is not a candles or market-chart key.
    """
    parsed = parse_bronze_key(key)
    if parsed.dataset not in _RANGED:
        raise InvalidBronzeKeyError(f"{key!r}: only candles and market-chart keys have one beside")
    digest = hashlib.sha256(body).hexdigest()[:DIGEST_CHARS]
    folder = key.rsplit("/", 1)[0]
    return f"{folder}/unparsed-{format_compact(fetched_at)}-{digest}.json"


def candles_key(product: str, fetched_at: datetime, start: datetime, end: datetime) -> str:
    """A Coinbase candles response for the requested [start, end] range."""
    return (
        f"{dataset_prefix('coinbase', 'candles')}product={_product(product)}/"
        f"{_day(fetched_at)}/{_range(start, end)}"
    )


@dataclass(frozen=True, slots=True)
class BronzeKey:
    """A Bronze key taken apart. Fields that a dataset's layout lacks are None."""

    key: str
    source: str
    dataset: str
    partitions: dict[str, str]
    """Every `name=value` folder below `dataset=`, in order (`product`, `date`, ...)."""
    fetch_date: date
    """The UTC date the object was fetched (from `date=` or `year=/month=/day=`)."""
    product: str | None = None
    coin: str | None = None
    vs_currency: str | None = None
    first_id: int | None = None
    """Smallest trade id on the page."""
    last_id: int | None = None
    """Largest trade id on the page."""
    start_at: datetime | None = None
    """Start of the requested range (candles, market charts)."""
    end_at: datetime | None = None
    """End of the requested range."""
    fetched_at: datetime | None = None
    """Exact fetch time, when the file name holds it (snapshots, unparsed pages)."""
    body_digest: str | None = None
    """SHA-256 prefix of the body of an `unparsed-` object."""

    @property
    def unparsed(self) -> bool:
        """True for an object landed without known ids (its body did not parse)."""
        return self.body_digest is not None


_RANGED = ("candles", "market_chart_range")
"""Datasets keyed by the requested range."""
_LAYOUTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("coingecko", "simple_price"): ("year", "month", "day"),
    ("coingecko", "market_chart_range"): ("coin", "vs_currency", "date"),
    ("coinbase", "trades"): ("product", "date"),
    ("coinbase", "candles"): ("product", "date"),
}


def parse_bronze_key(key: str) -> BronzeKey:
    """Take a Bronze key apart; `build` functions and this parser round-trip exactly.

    Raises:
        InvalidBronzeKeyError: the key does not follow the layout (the message says where).
    """
    parts = key.split("/")
    if len(parts) < 4 or parts[0] != BRONZE:
        raise InvalidBronzeKeyError(f"{key!r} is not a Bronze key (bronze/source=.../dataset=...)")
    source, dataset = _value(parts[1], "source", key), _value(parts[2], "dataset", key)
    layout = _LAYOUTS.get((source, dataset))
    if layout is None:
        raise InvalidBronzeKeyError(f"{key!r}: unknown Bronze dataset {source}/{dataset}")
    if len(parts) != 3 + len(layout) + 1:
        raise InvalidBronzeKeyError(f"{key!r}: expected folders {', '.join(layout)} then a file")
    partitions = {
        name: _value(part, name, key) for name, part in zip(layout, parts[3:-1], strict=True)
    }
    fields: dict[str, object] = {"fetch_date": _fetch_date(partitions, key)}
    for name in ("product", "coin", "vs_currency"):
        if name in partitions:
            fields[name] = partitions[name]
    fields.update(_file_fields(source, dataset, parts[-1], key))
    parsed = BronzeKey(key, source, dataset, partitions, **fields)  # type: ignore[arg-type]
    if _rebuild(parsed) != key:
        raise InvalidBronzeKeyError(
            f"{key!r} is not in canonical form (expected {_rebuild(parsed)})"
        )
    return parsed


def _value(part: str, name: str, key: str) -> str:
    prefix = f"{name}="
    if not part.startswith(prefix) or len(part) == len(prefix):
        raise InvalidBronzeKeyError(f"{key!r}: expected a {prefix}<value> folder, got {part!r}")
    return part[len(prefix) :]


def _fetch_date(partitions: dict[str, str], key: str) -> date:
    try:
        if "date" in partitions:
            return date.fromisoformat(partitions["date"])
        return date(int(partitions["year"]), int(partitions["month"]), int(partitions["day"]))
    except ValueError as exc:
        raise InvalidBronzeKeyError(f"{key!r}: bad fetch date: {exc}") from exc


def _file_fields(source: str, dataset: str, name: str, key: str) -> dict[str, object]:
    if dataset == "simple_price":
        if match := _SNAPSHOT.match(name):
            return {"fetched_at": parse_compact(match[1])}
    elif match := _UNPARSED.match(name):
        return {"fetched_at": parse_compact(match[1]), "body_digest": match[2]}
    elif dataset == "trades":
        if match := _ID_PAIR.match(name):
            return {"first_id": int(match[1]), "last_id": int(match[2])}
    elif match := _TIME_PAIR.match(name):
        return {"start_at": parse_compact(match[1]), "end_at": parse_compact(match[2])}
    raise InvalidBronzeKeyError(f"{key!r}: unexpected file name {name!r} for {source}/{dataset}")


def _rebuild(parsed: BronzeKey) -> str:
    """The key the builders give for these parts (used to reject non-canonical keys)."""
    day = datetime(*parsed.fetch_date.timetuple()[:3], tzinfo=UTC)
    if parsed.dataset == "simple_price":
        assert parsed.fetched_at is not None
        return simple_price_key(parsed.fetched_at)
    if parsed.dataset in _RANGED and parsed.body_digest is not None:
        assert parsed.fetched_at is not None
        if parsed.fetched_at.date() != parsed.fetch_date:
            return "(a date= folder equal to the fetch time's date)"
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        if parsed.dataset == "candles":
            assert parsed.product is not None
            sibling = candles_key(parsed.product, day, epoch, epoch)
        else:
            assert parsed.coin and parsed.vs_currency
            sibling = market_chart_range_key(parsed.coin, parsed.vs_currency, day, epoch, epoch)
        name = f"unparsed-{format_compact(parsed.fetched_at)}-{parsed.body_digest}.json"
        return f"{sibling.rsplit('/', 1)[0]}/{name}"
    if parsed.dataset == "market_chart_range":
        assert parsed.coin and parsed.vs_currency and parsed.start_at and parsed.end_at
        return market_chart_range_key(
            parsed.coin, parsed.vs_currency, day, parsed.start_at, parsed.end_at
        )
    assert parsed.product is not None
    if parsed.dataset == "candles":
        assert parsed.start_at and parsed.end_at
        return candles_key(parsed.product, day, parsed.start_at, parsed.end_at)
    if parsed.first_id is not None and parsed.last_id is not None:
        return trades_page_key(parsed.product, day, parsed.first_id, parsed.last_id)
    assert parsed.fetched_at is not None
    if parsed.fetched_at.date() != parsed.fetch_date:
        return "(a date= folder equal to the fetch time's date)"
    folder = trades_prefix(parsed.product, parsed.fetch_date)
    return f"{folder}unparsed-{format_compact(parsed.fetched_at)}-{parsed.body_digest}.json"
