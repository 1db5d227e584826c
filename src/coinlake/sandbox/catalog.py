"""The instruments the sandbox knows: Coinbase products and the CoinGecko coins that track them.

Increments follow the real Coinbase Exchange product objects (GET /products, docs.cdp.coinbase.com
"Get all known trading pairs"): USD books quote in cents for the large coins, finer for cheap ones,
and every base increment here is 1e-8. Start prices and supplies are round, recent-looking numbers;
the market walks away from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Instrument:
    """One Coinbase product and the CoinGecko coin that tracks it."""

    product_id: str
    coin_id: str
    name: str
    quote_increment: Decimal
    base_increment: Decimal
    start_price: Decimal
    circulating_supply: Decimal
    first_trade_id: int
    """Trade id of the first trade in the simulated tape (real tapes start high)."""

    @property
    def base_currency(self) -> str:
        """`BTC` of `BTC-USD`."""
        return self.product_id.split("-")[0]

    @property
    def quote_currency(self) -> str:
        """`USD` of `BTC-USD`."""
        return self.product_id.split("-")[1]

    @property
    def symbol(self) -> str:
        """CoinGecko's lower-case symbol (`btc`)."""
        return self.base_currency.lower()


def _i(
    product: str, coin: str, name: str, qi: str, price: str, supply: str, first: int
) -> Instrument:
    return Instrument(
        product_id=product,
        coin_id=coin,
        name=name,
        quote_increment=Decimal(qi),
        base_increment=Decimal("0.00000001"),
        start_price=Decimal(price),
        circulating_supply=Decimal(supply),
        first_trade_id=first,
    )


CATALOG: dict[str, Instrument] = {
    i.product_id: i
    for i in (
        _i("BTC-USD", "bitcoin", "Bitcoin", "0.01", "91234.56", "19950000", 874_000_000),
        _i("ETH-USD", "ethereum", "Ethereum", "0.01", "3087.41", "120400000", 612_000_000),
        _i("SOL-USD", "solana", "Solana", "0.01", "142.37", "545000000", 121_000_000),
        _i("ADA-USD", "cardano", "Cardano", "0.0001", "0.4521", "36200000000", 98_000_000),
        _i("DOGE-USD", "dogecoin", "Dogecoin", "0.00001", "0.15872", "151000000000", 187_000_000),
        _i("XRP-USD", "ripple", "XRP", "0.0001", "2.1843", "60300000000", 143_000_000),
        _i("LTC-USD", "litecoin", "Litecoin", "0.01", "88.15", "76300000", 110_000_000),
        _i("AVAX-USD", "avalanche-2", "Avalanche", "0.01", "14.62", "422000000", 64_000_000),
        _i("LINK-USD", "chainlink", "Chainlink", "0.001", "13.257", "678000000", 72_000_000),
        _i("DOT-USD", "polkadot", "Polkadot", "0.001", "2.914", "1620000000", 45_000_000),
    )
}

DEFAULT_PRODUCTS: tuple[str, ...] = ("BTC-USD", "ETH-USD", "SOL-USD")
