"""The simulated market: one `Tape` per product, the CoinGecko view of it, and accessors for tests.

Deterministic from the seed and the clock's start: `Market(seed=7, ...)` on a frozen clock gives
the same trades on every machine. The market starts `history_days` before the clock's start
(rounded down to the minute) and grows as the clock advances.

Accessors other code relies on (all "landed" = trade time at or before `clock.now()`):
`products`, `coins`, `newest_trade_id(p)`, `first_trade_id(p)`, `trades(p, start_id, end_id)`,
`missing_ids(p)`, `trade_id_at(p, time)`, `last_trade(p)`, `price_at(coin, vs, time)`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from coinlake.sandbox.catalog import CATALOG, Instrument
from coinlake.sandbox.clock import SandboxClock, to_us
from coinlake.sandbox.tape import MINUTE_US, Agg, Tape, Trade

VS_CURRENCIES = ("usd", "eur")
_FX_PERIOD_S = 7 * 86_400


class Market:
    """All products' tapes on one clock."""

    def __init__(
        self,
        *,
        clock: SandboxClock,
        seed: int = 7,
        products: Sequence[str] = ("BTC-USD", "ETH-USD", "SOL-USD"),
        history_days: float = 1.0,
        trades_per_minute: float = 60.0,
        gaps: Mapping[str, Sequence[tuple[int, int]]] | None = None,
    ) -> None:
        unknown = [p for p in products if p not in CATALOG]
        if unknown:
            raise ValueError(
                f"unknown product(s) {', '.join(unknown)}; known: {', '.join(CATALOG)}"
            )
        if not products:
            raise ValueError("the market needs at least one product")
        gaps = gaps or {}
        for product in gaps:
            if product not in products:
                raise ValueError(f"gap for {product}, which is not one of the market's products")
        self.clock = clock
        self.seed = seed
        start_us = clock.now_us()
        self.origin_us = start_us - start_us % MINUTE_US - round(history_days * 1440) * MINUTE_US
        self._tapes = {
            p: Tape(
                CATALOG[p],
                seed=seed,
                origin_us=self.origin_us,
                trades_per_minute=trades_per_minute,
                gaps=gaps.get(p, ()),
            )
            for p in products
        }
        for tape in self._tapes.values():
            tape.ensure(start_us)
        self._fx_phase = random.Random(f"coinlake-sandbox:{seed}:fx").randrange(_FX_PERIOD_S)  # noqa: S311 - a simulation, not crypto

    # -- catalogue ---------------------------------------------------------------------------
    @property
    def products(self) -> tuple[str, ...]:
        """Coinbase product ids, in configuration order."""
        return tuple(self._tapes)

    @property
    def coins(self) -> tuple[str, ...]:
        """CoinGecko coin ids, one per product."""
        return tuple(t.instrument.coin_id for t in self._tapes.values())

    def instrument(self, product: str) -> Instrument:
        """The product's static description (increments, coin id)."""
        return self.tape(product).instrument

    def tape(self, product: str) -> Tape:
        """The product's tape; KeyError for an unknown product."""
        return self._tapes[product]

    def product_of_coin(self, coin_id: str) -> str | None:
        """The -USD product a CoinGecko coin id tracks, or None."""
        for product, tape in self._tapes.items():
            if tape.instrument.coin_id == coin_id:
                return product
        return None

    # -- trades ------------------------------------------------------------------------------
    def _now(self) -> int:
        return self.clock.now_us()

    def first_trade_id(self, product: str) -> int:
        """The id the tape starts at (the first trade may itself lie in a gap)."""
        return self.tape(product).first_id

    def last_trade(self, product: str) -> Trade | None:
        """The newest landed trade."""
        return self.tape(product).newest(self._now())

    def newest_trade_id(self, product: str) -> int | None:
        """Id of the newest landed trade, None before the first trade lands."""
        trade = self.last_trade(product)
        return trade.trade_id if trade else None

    def trades(
        self, product: str, start_id: int | None = None, end_id: int | None = None
    ) -> list[Trade]:
        """Landed trades with `start_id <= id <= end_id` (bounds optional), oldest first."""
        tape = self.tape(product)
        out: list[Trade] = []
        for trade in tape.iter_up(start_id if start_id is not None else tape.first_id, self._now()):
            if end_id is not None and trade.trade_id > end_id:
                break
            out.append(trade)
        return out

    def missing_ids(self, product: str) -> list[int]:
        """Ids in the configured gaps between the first id and the newest landed id."""
        tape = self.tape(product)
        newest = self.newest_trade_id(product)
        if newest is None:
            return []
        return [
            i for lo, hi in tape._gaps for i in range(max(lo, tape.first_id), min(hi, newest) + 1)
        ]

    def trade_id_at(self, product: str, when: datetime) -> int | None:
        """Id of the first landed trade at or after `when` (None if none yet)."""
        trade = self.tape(product).first_at_or_after(to_us(when), self._now())
        return trade.trade_id if trade else None

    def agg(self, product: str, start: datetime, end: datetime) -> Agg | None:
        """OHLCV (ticks/units) of landed trades with `start <= time < end`."""
        return self.tape(product).agg(to_us(start), to_us(end), self._now())

    # -- the CoinGecko view ------------------------------------------------------------------
    def fx(self, vs: str, t_us: int) -> Decimal:
        """Units of `vs` per USD at `t_us`: 1 for usd; eur drifts in a 7-day triangle 0.91-0.93."""
        if vs == "usd":
            return Decimal(1)
        x = (t_us // 1_000_000 + self._fx_phase) % _FX_PERIOD_S
        triangle = abs(Decimal(2 * x) / _FX_PERIOD_S - 1)
        return (Decimal("0.91") + Decimal("0.02") * triangle).quantize(Decimal("0.000001"))

    def usd_price_at(self, coin_id: str, t_us: int) -> tuple[Decimal, int] | None:
        """(last trade price in USD, its time in us) at or before `t_us`."""
        product = self.product_of_coin(coin_id)
        if product is None:
            return None
        trade = self.tape(product).last_at_or_before(t_us, self._now())
        return (trade.price, to_us(trade.time)) if trade else None

    def price_at(self, coin_id: str, vs: str, when: datetime) -> Decimal | None:
        """CoinGecko's price of a coin at a time: the matching product's last trade, converted."""
        t_us = to_us(when)
        found = self.usd_price_at(coin_id, t_us)
        return None if found is None else found[0] * self.fx(vs, t_us)

    def usd_volume(self, coin_id: str, t0_us: int, t1_us: int) -> Decimal:
        """Quote (USD) notional traded with `t0_us <= time < t1_us`."""
        product = self.product_of_coin(coin_id)
        if product is None:
            return Decimal(0)
        tape = self.tape(product)
        _, notional = tape.volume(t0_us, t1_us, self._now())
        return Decimal(notional) * tape.instrument.quote_increment * tape.instrument.base_increment
