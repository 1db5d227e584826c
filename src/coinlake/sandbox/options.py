"""`SandboxOptions`: everything a sandbox server can be told, validated into one clear error."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from coinlake.errors import ConfigError
from coinlake.sandbox.catalog import CATALOG, DEFAULT_PRODUCTS
from coinlake.sandbox.faults import FaultRule

_GAP_RE = re.compile(r"^([A-Z0-9]+-[A-Z0-9]+):(\+?\d+)-(\+?\d+)$")


@dataclass(frozen=True)
class SandboxOptions:
    """How a sandbox server runs. In-process defaults: port 0, real clock, real limits."""

    seed: int = 7
    """Same seed (and clock start) => same market on every machine."""
    host: str = "127.0.0.1"
    """Interface to bind; loopback only unless you know why."""
    port: int = 0
    """TCP port; 0 picks a free one."""
    products: tuple[str, ...] = DEFAULT_PRODUCTS
    """Coinbase products to simulate (see `catalog.CATALOG`)."""
    history_days: float = 1.0
    """Days of trades that already exist when the server starts."""
    trades_per_minute: float = 60.0
    """Average trades per minute per product."""
    clock: str = "real"
    """`real` (the market grows with wall time) or `frozen` (tests move it)."""
    start: datetime | None = None
    """The clock's start; None = 2026-11-22T12:00Z when frozen, now when real."""
    rate_limits: bool = True
    """Enforce the documented Coinbase and CoinGecko limits (429 past them)."""
    coinbase_requests_per_second: float = 10.0
    """Coinbase public refill rate per IP."""
    coinbase_burst: int = 15
    """Coinbase public bucket size per IP."""
    coingecko_calls_per_minute: int = 30
    """CoinGecko keyless/demo calls per minute (per IP or key)."""
    coingecko_pro_calls_per_minute: int = 500
    """CoinGecko calls per minute with a pro key."""
    gaps: Mapping[str, Sequence[tuple[int, int]]] = field(default_factory=dict)
    """Trade-id ranges (inclusive) missing from a product's tape."""
    faults: tuple[FaultRule, ...] = ()
    """Fault rules active from the start."""

    def validate(self) -> SandboxOptions:
        """Return self, or raise `ConfigError` naming the bad option."""
        checks: list[tuple[bool, str]] = [
            (0 <= self.port <= 65_535, f"port {self.port} is not between 0 and 65535"),
            (0 <= self.history_days <= 400, "history_days must be between 0 and 400"),
            (0 < self.trades_per_minute <= 10_000, "trades_per_minute must be in (0, 10000]"),
            (
                self.clock in ("real", "frozen"),
                f"clock must be 'real' or 'frozen', not {self.clock!r}",
            ),
            (self.start is None or self.start.tzinfo is not None, "start must be timezone-aware"),
            (self.coinbase_requests_per_second > 0, "coinbase_requests_per_second must be > 0"),
            (self.coinbase_burst >= 1, "coinbase_burst must be >= 1"),
            (self.coingecko_calls_per_minute >= 1, "coingecko_calls_per_minute must be >= 1"),
            (
                self.coingecko_pro_calls_per_minute >= 1,
                "coingecko_pro_calls_per_minute must be >= 1",
            ),
            (bool(self.products), "products must name at least one product"),
            (len(set(self.products)) == len(self.products), "products must not repeat"),
        ]
        for ok, text in checks:
            if not ok:
                raise ConfigError(f"sandbox: {text}")
        unknown = [p for p in self.products if p not in CATALOG]
        if unknown:
            raise ConfigError(
                f"sandbox: unknown product(s) {', '.join(unknown)}; known: {', '.join(CATALOG)}"
            )
        for product, ranges in self.gaps.items():
            if product not in self.products:
                raise ConfigError(f"sandbox: gap for {product}, which is not a simulated product")
            for lo, hi in ranges:
                if lo > hi:
                    raise ConfigError(
                        f"sandbox: gap {lo}-{hi} for {product} is empty (first > last)"
                    )
        return self


def parse_gap(text: str) -> tuple[str, int, int]:
    """`BTC-USD:874000100-874000199` (ids) or `BTC-USD:+100-+199` (offsets from the first id)."""
    match = _GAP_RE.match(text.strip())
    if not match:
        raise ConfigError(f"--gap {text!r}: expected PRODUCT:FIRST-LAST, e.g. BTC-USD:+100-+199")
    product, lo_text, hi_text = match.groups()
    if product not in CATALOG:
        raise ConfigError(f"--gap {text!r}: unknown product {product}")
    first = CATALOG[product].first_trade_id

    def resolve(part: str) -> int:
        return first + int(part[1:]) if part.startswith("+") else int(part)

    lo, hi = resolve(lo_text), resolve(hi_text)
    if lo > hi:
        raise ConfigError(f"--gap {text!r}: first id is above the last")
    return product, lo, hi
