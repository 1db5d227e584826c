"""One product's trade tape: deterministic from the seed, generated lazily minute by minute.

Start-up only walks the minute boundaries (a price and a trade count per minute, a few random
numbers each), so a day of history for ten products is ready in milliseconds. The trades of a
minute are drawn on demand from their own RNG (`Random("<seed>:<product>:<minute>")`) as a bridge
between the two boundary prices, then cached (LRU) and summarised (OHLCV) for candles and stats.
Only integer and IEEE add/multiply arithmetic is used (no libm calls such as `log` or `exp`), so
the same seed gives the same tape on every machine.

Trade ids are sequential from the instrument's first id; ids inside a configured gap are drawn
but dropped from the tape (as after an exchange incident), so a gap never shifts other trades.
A trade has "landed" once its time is at or before the clock's now.
"""

from __future__ import annotations

import bisect
import random
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from coinlake.sandbox.catalog import Instrument
from coinlake.sandbox.clock import from_us

MINUTE_US = 60_000_000
_SIGMA_PER_MINUTE = 0.0007  # ~2.7 % a day: a calm crypto day
_SQRT3 = 1.7320508075688772
_CACHE_CHUNKS = 4096


@dataclass(frozen=True, slots=True)
class Trade:
    """One trade of the tape, as Coinbase reports it."""

    product_id: str
    trade_id: int
    time: datetime
    price: Decimal
    size: Decimal
    side: str
    """Maker side (Coinbase convention): `buy` on a down-tick, `sell` on an up-tick."""

    def to_coinbase(self) -> dict[str, object]:
        """The JSON object of GET /products/{id}/trades (price and size as strings)."""
        return {
            "trade_id": self.trade_id,
            "side": self.side,
            "size": format(self.size, "f"),
            "price": format(self.price, "f"),
            "time": self.time.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }


@dataclass(frozen=True, slots=True)
class Agg:
    """OHLCV of a set of trades, in ticks (price) and base units (size)."""

    count: int
    volume_units: int
    notional: int
    """Sum of price_ticks * size_units."""
    open: int
    high: int
    low: int
    close: int
    first_us: int
    last_us: int

    def merge(self, later: Agg) -> Agg:
        """This aggregate followed in time by `later`."""
        return Agg(
            self.count + later.count,
            self.volume_units + later.volume_units,
            self.notional + later.notional,
            self.open,
            max(self.high, later.high),
            min(self.low, later.low),
            later.close,
            self.first_us,
            later.last_us,
        )


@dataclass(frozen=True, slots=True)
class _Chunk:
    ids: list[int]
    times: list[int]
    prices: list[int]
    sizes: list[int]
    sides: list[str]
    agg: Agg | None


class Tape:
    """The trades of one product (see the module docstring). Thread-safe."""

    def __init__(
        self,
        instrument: Instrument,
        *,
        seed: int,
        origin_us: int,
        trades_per_minute: float,
        gaps: Sequence[tuple[int, int]] = (),
    ) -> None:
        self.instrument = instrument
        self.product_id = instrument.product_id
        self.origin_us = origin_us
        self.first_id = instrument.first_trade_id
        self._seed = seed
        self._rate = trades_per_minute
        self._gaps = sorted(gaps)
        self._gap_starts = [lo for lo, _ in self._gaps]
        self._lock = threading.RLock()
        self._walk = random.Random(f"coinlake-sandbox:{seed}:{self.product_id}:walk")  # noqa: S311 - a simulation, not crypto
        start_ticks = int(instrument.start_price / instrument.quote_increment)
        self._floor_ticks = max(1, start_ticks // 20)
        self._bounds: list[int] = [start_ticks]
        self._cum: list[int] = [0]
        self._cache: OrderedDict[int, _Chunk] = OrderedDict()
        self._aggs: list[Agg | None] = []
        self._cum_volume: list[int] = [0]
        self._cum_notional: list[int] = [0]
        unit = instrument.base_increment
        self._max_units = max(1, int(Decimal(10_000) / instrument.start_price / unit))
        self._min_units = max(1, int(Decimal(1) / instrument.start_price / unit))

    # -- conversions -------------------------------------------------------------------------
    def price_of(self, ticks: int) -> Decimal:
        """Ticks as a Decimal price with the product's quote increment."""
        return Decimal(ticks) * self.instrument.quote_increment

    def size_of(self, units: int) -> Decimal:
        """Base units as a Decimal size with 8 places."""
        return Decimal(units).scaleb(-8)

    def chunk_of(self, t_us: int) -> int:
        """The minute index holding time `t_us` (negative before the tape starts)."""
        return (t_us - self.origin_us) // MINUTE_US

    def in_gap(self, trade_id: int) -> bool:
        """True if `trade_id` lies in a configured gap."""
        i = bisect.bisect_right(self._gap_starts, trade_id) - 1
        return i >= 0 and self._gaps[i][0] <= trade_id <= self._gaps[i][1]

    # -- the minute boundaries ---------------------------------------------------------------
    def _extend(self, k: int) -> None:
        """Walk the boundaries so that minutes 0..k exist."""
        rate = self._rate
        lo = int(rate * 0.5)
        hi = int(rate * 1.5 + 0.999999)
        rnd = self._walk.random
        while len(self._cum) <= k + 1:
            b = self._bounds[-1]
            z = (rnd() + rnd() + rnd() + rnd() - 2.0) * _SQRT3
            self._bounds.append(max(self._floor_ticks, b + round(b * _SIGMA_PER_MINUTE * z)))
            n = (1 if rnd() < rate else 0) if rate < 1 else lo + int(rnd() * (hi - lo + 1))
            self._cum.append(self._cum[-1] + n)

    def ensure(self, now_us: int) -> int:
        """Make sure every minute up to `now_us` exists; returns its minute index."""
        k = self.chunk_of(now_us)
        with self._lock:
            if k >= 0:
                self._extend(k)
        return k

    # -- one minute of trades ----------------------------------------------------------------
    def _chunk(self, k: int) -> _Chunk:
        with self._lock:
            cached = self._cache.get(k)
            if cached is not None:
                self._cache.move_to_end(k)
                return cached
            self._extend(k)
            chunk = self._draw(k)
            self._cache[k] = chunk
            if len(self._cache) > _CACHE_CHUNKS:
                self._cache.popitem(last=False)
            return chunk

    def _draw(self, k: int) -> _Chunk:
        rng = random.Random(f"coinlake-sandbox:{self._seed}:{self.product_id}:{k}")  # noqa: S311 - a simulation, not crypto
        n = self._cum[k + 1] - self._cum[k]
        b0, b1 = self._bounds[k], self._bounds[k + 1]
        base_us = self.origin_us + k * MINUTE_US
        offsets = sorted(rng.randrange(MINUTE_US) for _ in range(n))
        jitter = max(1, b0 // 5000)
        ids: list[int] = []
        times: list[int] = []
        prices: list[int] = []
        sizes: list[int] = []
        sides: list[str] = []
        prev = b0
        first_id = self.first_id + self._cum[k]
        for i in range(n):
            price = max(1, b0 + (b1 - b0) * (i + 1) // n + rng.randint(-jitter, jitter))
            u = rng.random()
            units = self._min_units + int(u * u * u * u * self._max_units)
            coin = rng.random()
            side = (
                "buy"
                if price < prev
                else "sell"
                if price > prev
                else ("buy" if coin < 0.5 else "sell")
            )
            prev = price
            trade_id = first_id + i
            if self._gaps and self.in_gap(trade_id):
                continue
            ids.append(trade_id)
            times.append(base_us + offsets[i])
            prices.append(price)
            sizes.append(units)
            sides.append(side)
        return _Chunk(ids, times, prices, sizes, sides, _agg_of(times, prices, sizes, 0, len(ids)))

    def _trade(self, chunk: _Chunk, i: int) -> Trade:
        return Trade(
            self.product_id,
            chunk.ids[i],
            from_us(chunk.times[i]),
            self.price_of(chunk.prices[i]),
            self.size_of(chunk.sizes[i]),
            chunk.sides[i],
        )

    # -- walking by id -----------------------------------------------------------------------
    def _chunk_of_id(self, trade_id: int) -> int:
        """The minute holding raw id `trade_id`; requires 0 <= raw < generated total."""
        return bisect.bisect_right(self._cum, trade_id - self.first_id) - 1

    def newest(self, now_us: int) -> Trade | None:
        """The newest landed trade."""
        k = self.ensure(now_us)
        while k >= 0:
            chunk = self._chunk(k)
            i = bisect.bisect_right(chunk.times, now_us) - 1
            if i >= 0:
                return self._trade(chunk, i)
            k -= 1
        return None

    def iter_down(self, from_id: int, now_us: int) -> Iterator[Trade]:
        """Landed trades with id <= `from_id`, newest first."""
        newest = self.newest(now_us)
        if newest is None:
            return
        top = min(from_id, newest.trade_id)
        if top < self.first_id:
            return
        k = self._chunk_of_id(top)
        while k >= 0:
            chunk = self._chunk(k)
            i = bisect.bisect_right(chunk.ids, top) - 1
            while i >= 0:
                yield self._trade(chunk, i)
                i -= 1
            k -= 1

    def iter_up(self, from_id: int, now_us: int) -> Iterator[Trade]:
        """Landed trades with id >= `from_id`, oldest first."""
        newest = self.newest(now_us)
        if newest is None or from_id > newest.trade_id:
            return
        start = max(from_id, self.first_id)
        k = self._chunk_of_id(start)
        last_k = self._chunk_of_id(newest.trade_id)
        while k <= last_k:
            chunk = self._chunk(k)
            i = bisect.bisect_left(chunk.ids, start)
            while i < len(chunk.ids) and chunk.ids[i] <= newest.trade_id:
                yield self._trade(chunk, i)
                i += 1
            k += 1

    def first_at_or_after(self, t_us: int, now_us: int) -> Trade | None:
        """The first landed trade with time >= `t_us`."""
        last_k = self.ensure(now_us)
        k = max(0, self.chunk_of(t_us))
        while k <= last_k:
            chunk = self._chunk(k)
            i = bisect.bisect_left(chunk.times, t_us)
            if i < len(chunk.times):
                return self._trade(chunk, i) if chunk.times[i] <= now_us else None
            k += 1
        return None

    def last_at_or_before(self, t_us: int, now_us: int) -> Trade | None:
        """The last landed trade with time <= `t_us`."""
        t_us = min(t_us, now_us)
        self.ensure(now_us)
        k = min(self.chunk_of(t_us), len(self._cum) - 2)
        while k >= 0:
            chunk = self._chunk(k)
            i = bisect.bisect_right(chunk.times, t_us) - 1
            if i >= 0:
                return self._trade(chunk, i)
            k -= 1
        return None

    # -- aggregates --------------------------------------------------------------------------
    def _ensure_aggs(self, k: int) -> None:
        with self._lock:
            while len(self._aggs) <= k:
                agg = self._chunk(len(self._aggs)).agg
                self._aggs.append(agg)
                self._cum_volume.append(self._cum_volume[-1] + (agg.volume_units if agg else 0))
                self._cum_notional.append(self._cum_notional[-1] + (agg.notional if agg else 0))

    def _partial(self, k: int, t0: int, t1: int) -> Agg | None:
        chunk = self._chunk(k)
        i0 = bisect.bisect_left(chunk.times, t0)
        i1 = bisect.bisect_left(chunk.times, t1)
        return _agg_of(chunk.times, chunk.prices, chunk.sizes, i0, i1)

    def agg(self, t0_us: int, t1_us: int, now_us: int) -> Agg | None:
        """OHLCV of the landed trades with `t0_us <= time < t1_us`."""
        last_k = self.ensure(now_us)
        t0 = max(t0_us, self.origin_us)
        t1 = min(t1_us, now_us + 1)
        if t0 >= t1 or last_k < 0:
            return None
        k0, k1 = self.chunk_of(t0), self.chunk_of(t1 - 1)
        self._ensure_aggs(k1)
        total: Agg | None = None
        for k in range(k0, k1 + 1):
            start = self.origin_us + k * MINUTE_US
            whole = t0 <= start and start + MINUTE_US <= t1
            part = self._aggs[k] if whole else self._partial(k, t0, t1)
            if part is not None:
                total = part if total is None else total.merge(part)
        return total

    def volume(self, t0_us: int, t1_us: int, now_us: int) -> tuple[int, int]:
        """(base units, notional) of landed trades with `t0_us <= time < t1_us`, fast."""
        last_k = self.ensure(now_us)
        t0 = max(t0_us, self.origin_us)
        t1 = min(t1_us, now_us + 1)
        if t0 >= t1 or last_k < 0:
            return 0, 0
        k0, k1 = self.chunk_of(t0), self.chunk_of(t1 - 1)
        if k1 - k0 < 2:
            agg = self.agg(t0, t1, now_us)
            return (agg.volume_units, agg.notional) if agg else (0, 0)
        self._ensure_aggs(k1)
        head = self._partial(k0, t0, t1)
        tail = self._partial(k1, t0, t1)
        units = self._cum_volume[k1] - self._cum_volume[k0 + 1]
        notional = self._cum_notional[k1] - self._cum_notional[k0 + 1]
        for edge in (head, tail):
            if edge is not None:
                units += edge.volume_units
                notional += edge.notional
        return units, notional


def _agg_of(times: list[int], prices: list[int], sizes: list[int], i0: int, i1: int) -> Agg | None:
    if i1 <= i0:
        return None
    window = prices[i0:i1]
    units = sizes[i0:i1]
    return Agg(
        count=i1 - i0,
        volume_units=sum(units),
        notional=sum(p * s for p, s in zip(window, units, strict=True)),
        open=window[0],
        high=max(window),
        low=min(window),
        close=window[-1],
        first_us=times[i0],
        last_us=times[i1 - 1],
    )
