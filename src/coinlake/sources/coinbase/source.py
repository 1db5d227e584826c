"""Coinbase Exchange as the registry sees it: trades walked by id, candles by window.

Nothing here connects or imports httpx: `open` builds the client when a run first asks for it.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from coinlake.errors import CoinlakeError, ConfigError
from coinlake.sources.paging import Dataset, KeyLayout, SourceSpec

if TYPE_CHECKING:
    from coinlake.config import Settings
    from coinlake.domain.clock import Clock
    from coinlake.sources.coinbase.client import CoinbaseSource

log = logging.getLogger(__name__)

NAME = "coinbase"
# docs.cdp.coinbase.com "Get product candles": these granularities only, <= 300 candles a request.
GRANULARITIES = (60, 300, 900, 3600, 21600, 86400)


def products(settings: Settings) -> Sequence[str]:
    """The products a run covers."""
    return settings.products


def open_client(settings: Settings, clock: Clock) -> CoinbaseSource:
    """The Coinbase client for a run."""
    from coinlake.sources.coinbase.client import CoinbaseSource

    return CoinbaseSource.from_settings(settings, clock=clock)


def check_products(client: CoinbaseSource, wanted: Sequence[str]) -> None:
    """Refuse products the exchange does not list (a typo is a usage error, not a failed run).
    If the product list cannot be fetched, the run goes on and says so per product.

    Raises:
        ConfigError: a product is not listed, naming the closest known ones.
    """
    from coinlake.sources.coinbase.parse import parse_products

    try:
        known = {p.product_id for p in parse_products(client.fetch_products().body)}
    except CoinlakeError as exc:
        log.warning("could not check the products against /products: %s", exc)
        return
    for product in wanted:
        if product not in known:
            close = difflib.get_close_matches(product, sorted(known), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ConfigError(
                f"unknown Coinbase product {product!r}: the exchange does not list it{hint}"
            )


BY_PRODUCT = ("product", "date")
SOURCE = SourceSpec(
    name=NAME,
    title="Coinbase",
    datasets=(
        Dataset("trades", "id_walk", KeyLayout(BY_PRODUCT, "id_range"), items=products),
        Dataset(
            "candles",
            "windows",
            KeyLayout(BY_PRODUCT, "time_range"),
            items=products,
            ingest=False,
            requires=("granularity_s",),
            choices={"granularity_s": GRANULARITIES},
        ),
    ),
    open=open_client,
    check_items=check_products,
)
