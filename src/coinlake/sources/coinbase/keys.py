"""Coinbase's Bronze keys spelled out (the layouts are declared in `source.py`).

bronze/source=coinbase/dataset=trades/product=<P>/date=YYYY-MM-DD/<first_id>-<last_id>.json
bronze/source=coinbase/dataset=trades/product=<P>/date=YYYY-MM-DD/unparsed-<fetched_at>-<sha>.json
bronze/source=coinbase/dataset=candles/product=<P>/date=YYYY-MM-DD/<start>-<end>.json
"""

from __future__ import annotations

from datetime import date, datetime

from coinlake.bronze.keys import dataset_key, dataset_prefix, item_folder

SOURCE = "coinbase"


def trades_prefix(product: str, day: date | None = None) -> str:
    """Folder of one product's trade pages (of one fetch day when given)."""
    base = f"{dataset_prefix(SOURCE, 'trades')}{item_folder('product', product)}/"
    return base if day is None else f"{base}date={day:%Y-%m-%d}/"


def trades_page_key(product: str, fetched_at: datetime, first_id: int, last_id: int) -> str:
    """A trades page: its smallest and largest trade id (given in either order)."""
    folders = {"product": product}
    return dataset_key(SOURCE, "trades", fetched_at, folders=folders, ids=(first_id, last_id))


def trades_unparsed_key(product: str, fetched_at: datetime, body: bytes) -> str:
    """A trades response whose ids are unknown (it did not parse)."""
    folders = {"product": product}
    return dataset_key(SOURCE, "trades", fetched_at, folders=folders, unparsed_body=body)


def candles_key(product: str, fetched_at: datetime, start: datetime, end: datetime) -> str:
    """A candles response for the requested [start, end] range."""
    folders = {"product": product}
    return dataset_key(SOURCE, "candles", fetched_at, folders=folders, window=(start, end))
