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

Each source declares its datasets' layouts (`coinlake.sources.paging.KeyLayout`: the folders
below `dataset=` and what names the file) in its own package; `build_key` builds any of them and
`parse_bronze_key` reads the layouts from the registry, so a new source needs no edit here;
`dataset_key` builds one from a registered dataset's layout. Each built-in source spells its
own keys out as named builders in its package (`coinlake.sources.coinbase.keys`,
`coinlake.sources.coingecko.keys`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from coinlake.errors import StorageError
from coinlake.sources.paging import DATE_FOLDERS, KeyLayout
from coinlake.sources.registry import REGISTRY
from coinlake.storage.layout import BRONZE, bronze_dataset_prefix

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


def _trade_id(value: int) -> str:
    if value < 0 or value >= 10**ID_WIDTH:
        raise InvalidBronzeKeyError(f"trade id {value} does not fit {ID_WIDTH} digits")
    return f"{value:0{ID_WIDTH}d}"


def _range(start: datetime, end: datetime) -> str:
    if end < start:
        raise InvalidBronzeKeyError(f"range ends ({end}) before it starts ({start})")
    return f"{format_compact(start)}-{format_compact(end)}.json"


def _folder(name: str, value: str) -> str:
    checked = _product(value) if name == "product" else _name(value, name.replace("_", " "))
    return f"{name}={checked}"


def _date_folder(name: str, fetched_at: datetime) -> str:
    format_compact(fetched_at)  # rejects naive times
    day = fetched_at.astimezone(UTC)
    formats = {"date": "%Y-%m-%d", "year": "%Y", "month": "%m", "day": "%d"}
    return f"{name}={day.strftime(formats[name])}"


def build_key(
    source: str,
    dataset: str,
    layout: KeyLayout,
    fetched_at: datetime,
    *,
    folders: Mapping[str, str] | None = None,
    ids: tuple[int, int] | None = None,
    window: tuple[datetime, datetime] | None = None,
    unparsed_body: bytes | None = None,
) -> str:
    """The Bronze key of one response of `source`/`dataset` laid out as `layout`.

    Args:
        source: the registered source name.
        dataset: the dataset name.
        layout: the dataset's declared layout.
        fetched_at: when the response arrived (the date folders and `fetched_at` names).
        folders: values of the layout's item folders (`{"product": "BTC-USD"}`).
        ids: smallest and largest id on the page (`id_range` files), in either order.
        window: the requested range (`time_range` files).
        unparsed_body: the body of a response that did not parse: the file is then named
            `unparsed-<fetched_at>-<sha>.json` (ranged layouts only), keeping the range's key
            free for a re-fetch that parses.

    Raises:
        InvalidBronzeKeyError: a part is missing or does not fit the layout.
    """
    values = dict(folders or {})
    parts = [dataset_prefix(source, dataset).rstrip("/")]
    for name in layout.folders:
        if name in DATE_FOLDERS:
            parts.append(_date_folder(name, fetched_at))
        elif name in values:
            parts.append(_folder(name, values[name]))
        else:
            raise InvalidBronzeKeyError(f"{source}/{dataset} keys need a {name!r} value")
    if unparsed_body is not None and layout.file != "fetched_at":
        digest = hashlib.sha256(unparsed_body).hexdigest()[:DIGEST_CHARS]
        parts.append(f"unparsed-{format_compact(fetched_at)}-{digest}.json")
    elif layout.file == "fetched_at":
        parts.append(f"{format_compact(fetched_at)}.json")
    elif layout.file == "id_range":
        if ids is None:
            raise InvalidBronzeKeyError(f"{source}/{dataset} keys need the page's ids")
        low, high = sorted(ids)
        parts.append(f"{_trade_id(low)}-{_trade_id(high)}.json")
    else:
        if window is None:
            raise InvalidBronzeKeyError(f"{source}/{dataset} keys need the requested window")
        parts.append(_range(*window))
    return "/".join(parts)


def item_folder(name: str, value: str) -> str:
    """`name=value`, the value checked (`product=BTC-USD`).

    Raises:
        InvalidBronzeKeyError: the value is not valid for that folder.
    """
    return _folder(name, value)


def dataset_prefix(source: str, dataset: str) -> str:
    """`bronze/source=<s>/dataset=<d>/`: every object of one dataset."""
    return bronze_dataset_prefix(_name(source, "source"), _name(dataset, "dataset"))


def _layout(source: str, dataset: str) -> KeyLayout:
    layout = REGISTRY.layouts().get((source, dataset))
    if layout is None:
        raise InvalidBronzeKeyError(f"unknown Bronze dataset {source}/{dataset}")
    return layout


def dataset_key(
    source: str,
    dataset: str,
    fetched_at: datetime,
    *,
    folders: Mapping[str, str] | None = None,
    ids: tuple[int, int] | None = None,
    window: tuple[datetime, datetime] | None = None,
    unparsed_body: bytes | None = None,
) -> str:
    """`build_key` with the layout the registered `source` declares for `dataset`.

    Raises:
        InvalidBronzeKeyError: no such registered dataset, or a part does not fit its layout.
    """
    layout = _layout(source, dataset)
    return build_key(
        source, dataset, layout, fetched_at,
        folders=folders, ids=ids, window=window, unparsed_body=unparsed_body,
    )  # fmt: skip


def unparsed_key_beside(key: str, fetched_at: datetime, body: bytes) -> str:
    """Where a response that did not parse lands: in the folder of `key` (the key a parsed
    response of a windowed dataset gets), named by its fetch time and body digest.

    Raises:
        InvalidBronzeKeyError: `key` is not the key of a windowed dataset.
    """
    parsed = parse_bronze_key(key)
    if _layout(parsed.source, parsed.dataset).file != "time_range":
        raise InvalidBronzeKeyError(f"{key!r}: only windowed datasets have a key beside")
    digest = hashlib.sha256(body).hexdigest()[:DIGEST_CHARS]
    folder = key.rsplit("/", 1)[0]
    return f"{folder}/unparsed-{format_compact(fetched_at)}-{digest}.json"


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


def parse_bronze_key(key: str) -> BronzeKey:
    """Take a Bronze key apart; `build_key` and this parser round-trip exactly.

    Raises:
        InvalidBronzeKeyError: the key does not follow the layout (the message says where).
    """
    parts = key.split("/")
    if len(parts) < 4 or parts[0] != BRONZE:
        raise InvalidBronzeKeyError(f"{key!r} is not a Bronze key (bronze/source=.../dataset=...)")
    source, dataset = _value(parts[1], "source", key), _value(parts[2], "dataset", key)
    layout = REGISTRY.layouts().get((source, dataset))
    if layout is None:
        raise InvalidBronzeKeyError(f"{key!r}: unknown Bronze dataset {source}/{dataset}")
    if len(parts) != 3 + len(layout.folders) + 1:
        raise InvalidBronzeKeyError(
            f"{key!r}: expected folders {', '.join(layout.folders)} then a file"
        )
    partitions = {
        name: _value(part, name, key)
        for name, part in zip(layout.folders, parts[3:-1], strict=True)
    }
    fields: dict[str, object] = {"fetch_date": _fetch_date(partitions, key)}
    for name in ("product", "coin", "vs_currency"):
        if name in partitions:
            fields[name] = partitions[name]
    fields.update(_file_fields(source, dataset, layout, parts[-1], key))
    parsed = BronzeKey(key, source, dataset, partitions, **fields)  # type: ignore[arg-type]
    if _rebuild(parsed, layout) != key:
        raise InvalidBronzeKeyError(
            f"{key!r} is not in canonical form (expected {_rebuild(parsed, layout)})"
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


def _file_fields(
    source: str, dataset: str, layout: KeyLayout, name: str, key: str
) -> dict[str, object]:
    if layout.file == "fetched_at":
        if match := _SNAPSHOT.match(name):
            return {"fetched_at": parse_compact(match[1])}
    elif match := _UNPARSED.match(name):
        return {"fetched_at": parse_compact(match[1]), "body_digest": match[2]}
    elif layout.file == "id_range":
        if match := _ID_PAIR.match(name):
            return {"first_id": int(match[1]), "last_id": int(match[2])}
    elif match := _TIME_PAIR.match(name):
        return {"start_at": parse_compact(match[1]), "end_at": parse_compact(match[2])}
    raise InvalidBronzeKeyError(f"{key!r}: unexpected file name {name!r} for {source}/{dataset}")


def _rebuild(parsed: BronzeKey, layout: KeyLayout) -> str:
    """The key `build_key` gives for these parts (used to reject non-canonical keys)."""
    items = {name: parsed.partitions[name] for name in layout.item_folders}
    build = {"source": parsed.source, "dataset": parsed.dataset, "layout": layout}
    if layout.file == "fetched_at":
        assert parsed.fetched_at is not None
        return build_key(fetched_at=parsed.fetched_at, folders=items, **build)  # type: ignore[arg-type]
    if parsed.body_digest is not None:
        assert parsed.fetched_at is not None
        if parsed.fetched_at.date() != parsed.fetch_date:
            return "(a date= folder equal to the fetch time's date)"
        beside = build_key(fetched_at=parsed.fetched_at, folders=items, unparsed_body=b"", **build)  # type: ignore[arg-type]
        name = f"unparsed-{format_compact(parsed.fetched_at)}-{parsed.body_digest}.json"
        return f"{beside.rsplit('/', 1)[0]}/{name}"
    day = datetime(*parsed.fetch_date.timetuple()[:3], tzinfo=UTC)
    if layout.file == "id_range":
        assert parsed.first_id is not None and parsed.last_id is not None
        ids = (parsed.first_id, parsed.last_id)
        return build_key(fetched_at=day, folders=items, ids=ids, **build)  # type: ignore[arg-type]
    assert parsed.start_at is not None and parsed.end_at is not None
    window = (parsed.start_at, parsed.end_at)
    return build_key(fetched_at=day, folders=items, window=window, **build)  # type: ignore[arg-type]
