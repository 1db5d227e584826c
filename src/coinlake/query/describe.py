"""What each lake table and column means: `coinlake tables`, `coinlake describe` and docs/tables.md.

Names, types and partitioning come from the table definitions through `catalog()` (the only place
this module learns the list of tables); the meaning of each column is written here once, by
column name, with per-table wording where one name means different things in two tables.
`test_describe.py` fails when a table gains a column nobody has described.
"""

from __future__ import annotations

from dataclasses import dataclass

from coinlake.errors import ConfigError
from coinlake.query.tables import DATABASE, TABLES, TableSpec


def catalog() -> tuple[TableSpec, ...]:
    """Every queryable table, Silver, then Gold, then quarantine."""
    return TABLES


_SHARED: dict[str, str] = {
    "product_id": "Coinbase product, BASE-QUOTE (BTC-USD)",
    "coin_id": "CoinGecko coin id (bitcoin)",
    "vs_currency": "Quote currency of the CoinGecko price, lower case (usd)",
    "date": "UTC day of the event (partition key: date=YYYY-MM-DD)",
    "trade_id": "Coinbase trade id, sequential per product; unique with product_id",
    "trade_time": "When the trade happened (UTC, microseconds)",
    "price": "Trade price in the quote currency (exact decimal)",
    "size": "Trade size in the base currency (exact decimal)",
    "side": "Coinbase's side: the MAKER order's side (buy = the taker sold)",
    "source": "API the row came from (coinbase)",
    "ingested_at": "When the Bronze object holding the row was fetched (UTC)",
    "bronze_key": "Lake key of the Bronze object the row came from (lineage)",
    "market_cap": "Market capitalisation in vs_currency",
    "volume_24h": "Traded value over the last 24 hours in vs_currency",
    "change_24h_pct": "Price change over the last 24 hours, percent",
    "last_updated_at": "When CoinGecko last updated the price (UTC)",
    "fetched_at": "When coinlake fetched the response (UTC)",
    "bucket_start": "Start of the candle (UTC)",
    "granularity_s": "Candle width in seconds (60 ... 86400)",
    "low": "Lowest price",
    "high": "Highest price",
    "open": "First price",
    "close": "Last price",
    "volume": "Base-currency volume",
    "hour": "Start of the UTC hour",
    "trade_count": "Trades in the hour",
    "avg_price": "Mean price, rounded half-up to 8 places",
    "vwap": "Volume-weighted average price: notional / volume, rounded half-up to 8 places",
    "notional": "Quote-currency value traded: sum of price x size, exact",
    "buy_volume": "Base volume bought by takers (maker side sell: up-ticks)",
    "sell_volume": "Base volume sold by takers (maker side buy: down-ticks)",
    "first_trade_id": "Lowest trade id in the hour",
    "last_trade_id": "Highest trade id in the hour",
    "missing_trade_ids": "Ids absent inside the hour: last - first + 1 - trade_count",
    "observations": "CoinGecko observations in the day",
    "rule": "The validation rule the row failed",
    "detail": "What was wrong, in words",
    "trade_id_raw": "trade_id as received",
    "time_raw": "time as received",
    "price_raw": "price as received",
    "size_raw": "size as received",
    "side_raw": "side as received",
    "last_updated_raw": "last_updated_at as received",
    "row_raw": "The candle row as received",
    "check_name": "Data-quality check that ran",
    "table_name": "Table the check ran on",
    "partition_key": "Partition of that table the result is about ('' for the whole table)",
    "severity": "What a failure means: error (fails the run) or warn",
    "passed": "Whether observed stayed within threshold",
    "observed": "What the check measured (e.g. rows failing it)",
    "threshold": "The largest observed value that passes",
    "sample": "A few of the offending keys, for a first look",
    "run_id": "The run that ran the check",
    "checked_at": "When the check ran (UTC)",
}

_PER_TABLE: dict[tuple[str, str], str] = {
    ("silver_prices", "price"): "Price of one coin in vs_currency (exact decimal)",
    ("silver_prices", "date"): "UTC day of last_updated_at (partition key)",
    ("silver_candles", "date"): "UTC day of bucket_start (partition key)",
    ("silver_candles", "open"): "Price at the start of the candle",
    ("silver_candles", "close"): "Price at the end of the candle",
    ("gold_trades_hourly", "open"): "Price of the lowest trade id in the hour",
    ("gold_trades_hourly", "close"): "Price of the highest trade id in the hour",
    ("gold_trades_hourly", "date"): "UTC day of the hour (partition key)",
    ("gold_prices_daily", "date"): "UTC day of the observations (called `day` in 0.1.0)",
    ("gold_prices_daily", "open"): "First observed price of the day",
    ("gold_prices_daily", "close"): "Last observed price of the day",
    ("gold_prices_daily", "avg_price"): "Mean observed price, rounded half-up to 8 places",
    ("gold_prices_daily", "market_cap"): "Market cap at the last observation of the day",
    ("gold_prices_daily", "volume_24h"): "24-hour volume at the last observation of the day",
    ("quality_results", "date"): "UTC day the check ran (partition key)",
}

_QUARANTINE_DATE = "UTC day the rejected row's Bronze object was fetched (partition key)"


@dataclass(frozen=True, slots=True)
class ColumnDoc:
    """One column of a table as a person reads it."""

    name: str
    type: str
    meaning: str
    partition: bool = False


@dataclass(frozen=True, slots=True)
class TableDoc:
    """One table as a person reads it."""

    name: str
    layer: str
    path: str
    comment: str
    columns: tuple[ColumnDoc, ...]
    partitioned_by: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        """snake_case keys, for `--format json`."""
        return {
            "name": self.name,
            "layer": self.layer,
            "path": self.path,
            "comment": self.comment,
            "partitioned_by": list(self.partitioned_by),
            "columns": [
                {"name": c.name, "type": c.type, "partition": c.partition, "meaning": c.meaning}
                for c in self.columns
            ],
        }


def column_meaning(table: str, column: str) -> str:
    """The meaning of `column` in `table`, or "" when nobody wrote it down."""
    if table.startswith("quarantine_") and column == "date":
        return _QUARANTINE_DATE
    return _PER_TABLE.get((table, column)) or _SHARED.get(column, "")


def describe_table(spec: TableSpec) -> TableDoc:
    """`spec` with the meaning of each column; partition keys last, as engines show them."""
    keys = {p.name for p in spec.partitions}
    return TableDoc(
        name=spec.name,
        layer=spec.layer,
        path=spec.path,
        comment=spec.comment,
        columns=tuple(
            ColumnDoc(c.name, c.type, column_meaning(spec.name, c.name), c.name in keys)
            for c in spec.all_columns
        ),
        partitioned_by=tuple(p.name for p in spec.partitions),
    )


def find_table(name: str) -> TableDoc:
    """The table called `name` (`gold_trades_hourly` or `coinlake.gold_trades_hourly`).

    Raises:
        ConfigError: no such table; the message names the closest ones and lists them all.
    """
    import difflib

    short = name.strip().removeprefix(f"{DATABASE}.")
    specs = {spec.name: spec for spec in catalog()}
    if short in specs:
        return describe_table(specs[short])
    close = difflib.get_close_matches(short, specs, n=2, cutoff=0.5)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    raise ConfigError(
        f"unknown table {name!r}{hint}; `coinlake tables` lists them: {', '.join(specs)}"
    )


def all_tables() -> list[TableDoc]:
    """Every table, described."""
    return [describe_table(spec) for spec in catalog()]


def tables_markdown() -> str:
    """docs/tables.md: every table, its partitioning and its columns with their meaning."""
    lines = [
        "# The lake's tables",
        "",
        "<!-- Generated by `python -m coinlake.devtools.docs` from the table definitions;",
        "     `make lint` fails when it is stale. Do not edit by hand. -->",
        "",
        f"SQL names are `{DATABASE}.<table>` in DuckDB (`coinlake query`) and in Athena. Types "
        "are Hive/Athena types; `decimal` columns are exact. Partition keys are the folder "
        "names of the lake layout (`key=value`) and are the cheapest filters. "
        "`coinlake tables` and `coinlake describe TABLE` print the same.",
        "",
        "| table | layer | partitioned by | what it holds |",
        "|---|---|---|---|",
    ]
    docs = all_tables()
    lines += [
        f"| [`{t.name}`](#{t.name}) | {t.layer} | {', '.join(t.partitioned_by)} | {t.comment} |"
        for t in docs
    ]
    for doc in docs:
        lines += [
            "",
            f"## {doc.name}",
            "",
            f"{doc.comment}. Files: `{doc.path}/"
            + "/".join(f"{key}=..." for key in doc.partitioned_by)
            + "/part-*.parquet`.",
            "",
            "| column | type | meaning |",
            "|---|---|---|",
        ]
        lines += [
            f"| `{c.name}`{' (partition)' if c.partition else ''} | `{c.type}` | {c.meaning} |"
            for c in doc.columns
        ]
    lines += [
        "",
        "## Changes",
        "",
        "- `gold_prices_daily.day` is now `date`, the name every other table and the `date=` "
        "partition keys use. Rebuild Gold once with `coinlake transform gold --full-refresh`; "
        "on Athena re-create the table from `coinlake ddl`.",
        "",
    ]
    return "\n".join(lines)
