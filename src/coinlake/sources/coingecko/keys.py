"""CoinGecko's Bronze keys spelled out (the layouts are declared in `source.py`).

bronze/source=coingecko/dataset=simple_price/year=YYYY/month=MM/day=DD/<fetched_at>.json
bronze/source=coingecko/dataset=market_chart_range/coin=<id>/vs_currency=<cur>/date=YYYY-MM-DD/<from>-<to>.json
"""

from __future__ import annotations

from datetime import datetime

from coinlake.bronze.keys import dataset_key

SOURCE = "coingecko"


def simple_price_key(fetched_at: datetime) -> str:
    """A `/simple/price` snapshot, by fetch time."""
    return dataset_key(SOURCE, "simple_price", fetched_at)


def market_chart_range_key(
    coin: str, vs_currency: str, fetched_at: datetime, from_at: datetime, to_at: datetime
) -> str:
    """A `/coins/{id}/market_chart/range` response for the requested range."""
    folders = {"coin": coin, "vs_currency": vs_currency}
    return dataset_key(
        SOURCE, "market_chart_range", fetched_at, folders=folders, window=(from_at, to_at)
    )
