"""`coinlake report`: one self-contained HTML page (no CDN, no fetch) with a chart per product.

Each product gets hourly candlesticks with volume split into taker buys and sells, its VWAP line
and the CoinGecko daily close of its coin, from `gold_trades_hourly` and `gold_prices_daily`;
the page ends with the `coinlake status` table. The data is embedded as JSON (decimals as strings)
and drawn as SVG by the inline script in `assets/report.js`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from typing import Any

import duckdb

from coinlake.errors import ConfigError
from coinlake.query.status import STATUS_HEADERS, LakeStatus, status_rows
from coinlake.query.views import run_sql

COIN_IDS = {
    "BTC": "bitcoin",
    "ETH": "ethereum",
    "SOL": "solana",
    "ADA": "cardano",
    "DOGE": "dogecoin",
    "XRP": "ripple",
    "LTC": "litecoin",
    "DOT": "polkadot",
    "AVAX": "avalanche-2",
    "LINK": "chainlink",
}
"""Coinbase base currency -> CoinGecko coin id, for the daily price line."""
_CANDLE_COLUMNS = (
    "hour",
    "open",
    "high",
    "low",
    "close",
    "vwap",
    "volume",
    "buy_volume",
    "sell_volume",
    "trade_count",
    "missing_trade_ids",
)


@dataclass(frozen=True, slots=True)
class ReportRange:
    """Which hours to chart: [start, end) dates; None means unbounded."""

    start: date | None = None
    end: date | None = None


@dataclass(slots=True)
class ProductSeries:
    """What one product's chart shows."""

    product: str
    coin: str | None
    candles: list[dict[str, str | int | None]] = field(default_factory=list)
    daily: list[dict[str, str | int | None]] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """A DOM-id-safe name."""
        return re.sub(r"[^A-Za-z0-9]+", "-", self.product).strip("-").lower()


def _json_cell(value: object) -> str | int | None:
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date | Decimal):
        return str(value)
    return str(value)


def _date_filter(column: str, span: ReportRange) -> str:
    parts = []
    if span.start:
        parts.append(f"{column} >= DATE '{span.start.isoformat()}'")
    if span.end:
        parts.append(f"{column} < DATE '{span.end.isoformat()}'")
    return " AND ".join(parts) or "true"


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def build_series(
    con: duckdb.DuckDBPyConnection, products: Sequence[str], span: ReportRange
) -> list[ProductSeries]:
    """Hourly candles and daily prices per product (all products in Gold when none are given).

    Raises:
        ConfigError: a requested product has no Gold rows.
    """
    known = [
        row["product_id"]
        for row in run_sql(
            con, "SELECT DISTINCT product_id FROM coinlake.gold_trades_hourly ORDER BY 1"
        ).to_pylist()
    ]
    missing = [p for p in products if p not in known]
    if missing:
        raise ConfigError(
            f"no hourly data for {', '.join(missing)} in gold_trades_hourly "
            f"(products with data: {', '.join(known) or 'none'})"
        )
    out = []
    for product in products or known:
        base, _, quote = product.partition("-")
        series = ProductSeries(product=product, coin=COIN_IDS.get(base))
        candles = run_sql(
            con,
            f"SELECT {', '.join(_CANDLE_COLUMNS)} FROM coinlake.gold_trades_hourly "  # noqa: S608
            f"WHERE product_id = {_sql_str(product)} AND {_date_filter('date', span)} "
            "ORDER BY hour",
        ).to_pylist()
        series.candles = [{k: _json_cell(v) for k, v in row.items()} for row in candles]
        if series.coin:
            daily = run_sql(
                con,
                "SELECT date, close FROM coinlake.gold_prices_daily "  # noqa: S608
                f"WHERE coin_id = {_sql_str(series.coin)} "
                f"AND vs_currency = {_sql_str(quote.lower())} AND {_date_filter('date', span)} "
                "ORDER BY date",
            ).to_pylist()
            series.daily = [{k: _json_cell(v) for k, v in row.items()} for row in daily]
        out.append(series)
    return out


def _asset(name: str) -> str:
    return resources.files("coinlake.query").joinpath("assets", name).read_text(encoding="utf-8")


def _summary(series: ProductSeries) -> str:
    if not series.candles:
        return ""
    volume = sum(
        (Decimal(str(c["volume"])) for c in series.candles if c["volume"] is not None), Decimal(0)
    )
    trades = sum(int(c["trade_count"] or 0) for c in series.candles)
    gaps = sum(int(c["missing_trade_ids"] or 0) for c in series.candles)
    first, last = series.candles[0], series.candles[-1]
    items = [
        ("hours", str(len(series.candles))),
        ("trades", f"{trades:,}"),
        ("volume", f"{volume.normalize():f}"),
        ("first open", _plain(first["open"])),
        ("last close", _plain(last["close"])),
        ("missing ids in hours", f"{gaps:,}"),
    ]
    return "".join(f"<span>{html.escape(k)} <b>{html.escape(v)}</b></span>" for k, v in items)


def _plain(value: str | int | None) -> str:
    """An exact decimal without the trailing zeros of its column's scale."""
    return "-" if value is None else f"{Decimal(str(value)).normalize():f}"


def _product_section(series: ProductSeries) -> str:
    coin = (
        f"daily close price ({html.escape(series.coin)})"
        if series.coin
        else "no daily price for this coin"
    )
    return (
        f'<section class="product" id="product-{series.slug}">'
        f"<h2>{html.escape(series.product)}</h2>"
        f'<div class="summary">{_summary(series)}</div>'
        '<div class="legend"><span><i style="background:var(--up)"></i>up hour</span>'
        '<span><i style="background:var(--down)"></i>down hour</span>'
        '<span><i style="background:var(--vwap)"></i>VWAP</span>'
        f'<span><i style="background:var(--daily)"></i>{coin}</span>'
        '<span><i style="background:var(--up);opacity:.75"></i>taker buy volume</span>'
        '<span><i style="background:var(--down);opacity:.75"></i>taker sell volume</span></div>'
        f'<div class="chart" id="chart-{series.slug}"></div></section>'
    )


def _status_section(status: LakeStatus | None) -> str:
    if status is None:
        return ""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in STATUS_HEADERS)
    numeric = {2, 3, 6, 7}
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if i in numeric else ''}>{html.escape(cell)}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in status_rows(status)
    )
    quarantined = ", ".join(f"{k}: {v}" for k, v in status.quarantined.items()) or "none"
    pending = ", ".join(f"{k}: {v}" for k, v in status.bronze_pending.items()) or "none"
    return (
        '<section class="status"><h2>Lake status</h2>'
        f'<table id="status-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f'<p class="notes">Quarantined rows: {html.escape(quarantined)}. Bronze objects: '
        f"{status.bronze_total}, not yet transformed: {html.escape(pending)}.</p>"
        f'<p class="notes" id="quality">Data quality: {html.escape(status.quality)}.</p></section>'
    )


def hour_range(series: Sequence[ProductSeries]) -> str:
    """The hours the charts cover, e.g. `2026-01-02 00:00 to 23:59 UTC (24 hours)`."""
    hours = sorted(str(c["hour"]) for s in series for c in s.candles if c["hour"])
    if not hours:
        return "no hourly data"
    first = datetime.fromisoformat(hours[0].replace("Z", "+00:00"))
    last = datetime.fromisoformat(hours[-1].replace("Z", "+00:00"))
    count = int((last - first).total_seconds() // 3600) + 1
    end = f"{last:%H}:59" if last.date() == first.date() else f"{last:%Y-%m-%d %H}:59"
    return f"hours {first:%Y-%m-%d %H:%M} to {end} UTC ({count} hour{'s' if count != 1 else ''})"


def _asked(span: ReportRange) -> str:
    if span.start is None and span.end is None:
        return ""
    return f" · asked for {span.start or 'the first day'} to {span.end or 'the last day'}"


def _embedded_json(payload: dict[str, Any]) -> str:
    # `</` would end the <script> element early; JSON allows the escaped form.
    return json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")


def render_html(
    series: Sequence[ProductSeries],
    *,
    status: LakeStatus | None,
    generated_at: datetime,
    span: ReportRange,
    title: str = "coinlake report",
) -> str:
    """The complete page: CSS, data, script and status inline."""
    payload = {
        "products": [
            {"product": s.product, "slug": s.slug, "candles": s.candles, "daily": s.daily}
            for s in series
        ]
    }
    window = hour_range(series)
    sections = "".join(_product_section(s) for s in series) or (
        '<p class="empty">No Gold data in this lake yet.</p>'
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_asset('report.css')}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>"
        f'<p class="subtitle" id="subtitle">{html.escape(window)} · '
        f"{len(series)} product{'s' if len(series) != 1 else ''}</p>"
        f'<div class="meta">Generated {generated_at:%Y-%m-%d %H:%M} UTC{_asked(span)}</div>'
        f"{sections}{_status_section(status)}"
        '<script type="application/json" id="coinlake-data">'
        f"{_embedded_json(payload)}</script>"
        f"<script>{_asset('report.js')}</script></body></html>\n"
    )
