"""The monthly cost of a deployment: quantities from a `Workload`, times the unit prices.

Every line is `quantity x unit price`, so the table shows its own arithmetic. Quantities follow
from the deployment's knobs (`coinlake.deployment.Deployment`), the workload (how busy the
market is, how many queries are run) and the per-run figures measured in `cost.measured`.
Storage is priced for one month of operation (`month`, the 12th by default): the lake grows, so
the bill for storage grows with it, and Bronze moves through its lifecycle as it ages.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from coinlake.cost import measured as m
from coinlake.cost import prices as p
from coinlake.deployment import DEFAULT_DEPLOYMENT, Deployment
from coinlake.errors import ConfigError

HOURS_PER_MONTH = Decimal(730)
"""AWS prices a month as 730 hours."""
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
GIB = Decimal(1024**3)
TIB = Decimal(1024**4)
ALARMS = 5
"""CloudWatch alarms the stack creates: errors of each ingest Lambda (2), DLQ depth, failed Glue
tasks, data freshness (the Glue job-failure rule is an EventBridge rule: free)."""


@dataclass(frozen=True, slots=True)
class Workload:
    """What the deployment is asked to do, besides its own knobs."""

    deployment: Deployment = DEFAULT_DEPLOYMENT
    """The deployment priced (its rates, sizes, lifecycle, schedules switch)."""
    products: int | None = None
    """Coinbase products ingested; None counts `deployment.products`."""
    coins: int | None = None
    """CoinGecko coins in the snapshot; None counts `deployment.coins`."""
    trades_per_product_day: int = m.SANDBOX_TRADES_PER_PRODUCT_DAY
    """Trades a product prints a day."""
    queries_per_day: int = 100
    """Athena queries a day."""
    query_days: int = 1
    """Days of Silver trades (all products) each query scans; at least Athena's 10 MB."""
    month: int = 12
    """Which month of operation storage is priced for (the lake grows)."""

    def __post_init__(self) -> None:
        """Reject counts no deployment can have.

        Raises:
            ConfigError: a negative count, or a month or rate below 1.
        """
        for name in ("products", "coins", "trades_per_product_day", "queries_per_day"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ConfigError(f"{name.replace('_', '-')} {value}: must be 0 or more")
        if self.month < 1:
            raise ConfigError(f"month {self.month}: must be 1 or more")
        if self.query_days < 1:
            raise ConfigError(f"query-days {self.query_days}: must be 1 or more")
        d = self.deployment
        for name in ("trades_rate_minutes", "transform_rate_minutes", "lambda_memory_mb"):
            if getattr(d, name) < 1:
                raise ConfigError(f"{name.replace('_', '-')} {getattr(d, name)}: must be 1 or more")
        if d.glue_worker_type not in p.DPU_PER_WORKER:
            raise ConfigError(f"glue worker type {d.glue_worker_type!r}: use G.1X or G.2X")

    @property
    def product_count(self) -> int:
        """Products ingested."""
        return len(self.deployment.product_list) if self.products is None else self.products

    @property
    def coin_count(self) -> int:
        """Coins in the daily snapshot."""
        if self.coins is not None:
            return self.coins
        return len([c for c in self.deployment.coins.split(",") if c.strip()])

    @property
    def currency_count(self) -> int:
        """Quote currencies of the snapshot."""
        return len([c for c in self.deployment.vs_currencies.split(",") if c.strip()])


@dataclass(frozen=True, slots=True)
class CostLine:
    """One priced quantity."""

    service: str
    """The AWS service billed."""
    item: str
    """What is counted."""
    quantity: Decimal
    """How many `price.unit` a month."""
    price: p.UnitPrice
    """The unit price and its source."""

    @property
    def usd(self) -> Decimal:
        """Monthly dollars (unrounded)."""
        return self.quantity * self.price.usd


@dataclass(frozen=True, slots=True)
class Estimate:
    """The priced lines, their total and the assumptions behind them."""

    lines: tuple[CostLine, ...]
    """One line per billed quantity."""
    assumptions: tuple[str, ...] = field(default=())
    """What the quantities assume, in words."""

    @property
    def total(self) -> Decimal:
        """Monthly dollars, rounded to the cent."""
        return cents(sum((line.usd for line in self.lines), Decimal(0)))


def cents(value: Decimal) -> Decimal:
    """`value` rounded half-up to the cent."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class _Runs:
    """Runs a month, and what one trades run does."""

    trades: Decimal
    snapshots: Decimal
    transforms: Decimal
    trades_per_run: Decimal
    pages_per_run: int

    @staticmethod
    def of(w: Workload, *, switched: bool = True) -> _Runs:
        """Runs of `w`; with `switched`, none when the schedules are disabled."""
        d = w.deployment
        enabled = Decimal(1 if d.schedules_enabled or not switched else 0)
        per_run = Decimal(w.trades_per_product_day) * d.trades_rate_minutes / 1440
        pages = max(1, math.ceil(per_run / m.TRADES_PER_PAGE))
        return _Runs(
            trades=enabled * HOURS_PER_MONTH * 60 / d.trades_rate_minutes,
            snapshots=enabled * DAYS_PER_MONTH,
            transforms=enabled * HOURS_PER_MONTH * 60 / d.transform_rate_minutes,
            trades_per_run=per_run,
            pages_per_run=pages,
        )


def estimate_month(w: Workload) -> Estimate:
    """Price one month of `w`.

    Raises:
        ConfigError: see `Workload`.
    """
    runs = _Runs.of(w)
    lines = [
        *_lambda_lines(w, runs),
        # a paused deployment keeps its lake: storage is priced as grown by running schedules
        *_storage_lines(w, _Runs.of(w, switched=False)),
        *_request_lines(w, runs),
        *_glue_lines(w, runs),
        *_athena_lines(w),
        CostLine(
            "Scheduler",
            "invocations",
            runs.trades + runs.snapshots + runs.transforms,
            p.SCHEDULER_INVOCATION,
        ),
        *_cloudwatch_lines(w, runs),
    ]
    return Estimate(tuple(lines), tuple(_assumptions(w, runs)))


def run_seconds(w: Workload, runs: _Runs) -> Decimal:
    """Seconds one trades run takes: the overhead plus its pages at the measured page rate."""
    return m.RUN_OVERHEAD_SECONDS + w.product_count * runs.pages_per_run / m.PAGES_PER_SECOND


def _lambda_lines(w: Workload, runs: _Runs) -> Iterator[CostLine]:
    gb = Decimal(w.deployment.lambda_memory_mb) / 1024
    snapshot_seconds = m.RUN_OVERHEAD_SECONDS + 1 / m.PAGES_PER_SECOND
    gb_seconds = gb * (runs.trades * run_seconds(w, runs) + runs.snapshots * snapshot_seconds)
    yield CostLine("Lambda", "requests", runs.trades + runs.snapshots, p.LAMBDA_REQUEST)
    yield CostLine("Lambda", f"duration, {gb} GB", gb_seconds, p.LAMBDA_GB_SECOND)


def _bronze_page_bytes(runs: _Runs) -> Decimal:
    """Mean size of one Bronze trades page."""
    trades_per_page = runs.trades_per_run / runs.pages_per_run
    return m.BRONZE_PAGE_BASE_BYTES + m.BRONZE_BYTES_PER_TRADE * trades_per_page


def storage_gb_months(
    daily_bytes: Decimal, object_bytes: Decimal, month: int, *, ia_days: int, glacier_days: int
) -> dict[str, Decimal]:
    """GB-months billed in `month` per storage class for data landing at `daily_bytes` a day.

    Data moves to Standard-IA at `ia_days` and Glacier IR at `glacier_days` of age, if its
    objects are at least 128 KB (S3's default minimum for transitions); in those classes an
    object is billed as at least 128 KB. Each day's data is counted from the day it lands.
    """
    first = math.floor((month - 1) * DAYS_PER_MONTH)
    last = math.floor(month * DAYS_PER_MONTH)
    moves = object_bytes >= p.S3_TRANSITION_MIN_OBJECT_BYTES
    standard = infrequent = glacier = 0
    for day in range(first, last):
        landed = day + 1
        if not moves:
            standard += landed
            continue
        standard += min(landed, ia_days)
        infrequent += max(0, min(landed, glacier_days) - ia_days)
        glacier += max(0, landed - max(glacier_days, ia_days))
    days = Decimal(last - first)
    billed = max(object_bytes, Decimal(p.S3_IA_MIN_OBJECT_BYTES)) / max(object_bytes, Decimal(1))
    per_day = daily_bytes / GIB / days
    return {
        "Standard": per_day * standard,
        "Standard-IA": per_day * infrequent * billed,
        "Glacier IR": per_day * glacier * billed,
    }


def _storage_lines(w: Workload, runs: _Runs) -> Iterator[CostLine]:
    d = w.deployment
    runs_per_day = runs.trades / DAYS_PER_MONTH
    page_bytes = _bronze_page_bytes(runs)
    bronze_daily = runs_per_day * w.product_count * runs.pages_per_run * page_bytes
    bronze_daily += (runs.snapshots / DAYS_PER_MONTH) * (
        m.BRONZE_SNAPSHOT_BYTES_PER_PAIR * w.coin_count * w.currency_count
    )
    classes = {"Standard": p.S3_STANDARD, "Standard-IA": p.S3_STANDARD_IA}
    classes["Glacier IR"] = p.S3_GLACIER_IR
    bronze = storage_gb_months(
        bronze_daily,
        page_bytes,
        w.month,
        ia_days=d.bronze_ia_days,
        glacier_days=d.bronze_glacier_days,
    )
    for name, gb_months in bronze.items():
        if gb_months or name == "Standard":
            yield CostLine("S3", f"bronze {name}", gb_months, classes[name])
    trades_day = w.product_count * w.trades_per_product_day
    silver_daily = trades_day * m.SILVER_BYTES_PER_TRADE
    silver_daily += w.coin_count * m.SILVER_PRICES_BYTES_PER_COIN_DAY
    gold_daily = w.product_count * 24 * m.GOLD_BYTES_PER_PRODUCT_HOUR
    state_daily = runs_per_day * w.product_count * m.RUN_RECORD_BYTES_PER_ITEM
    for layer, daily in (("silver", silver_daily), ("gold", gold_daily), ("_state", state_daily)):
        grown = storage_gb_months(daily, Decimal(0), w.month, ia_days=0, glacier_days=0)
        quantity = grown["Standard"]
        if layer == "gold":
            quantity += w.coin_count * m.GOLD_PRICES_BYTES_PER_COIN / GIB
        yield CostLine("S3", f"{layer} Standard", quantity, p.S3_STANDARD)


def _request_lines(w: Workload, runs: _Runs) -> Iterator[CostLine]:
    products = w.product_count
    pages = runs.pages_per_run
    ingest_puts = runs.trades * (
        m.PUTS_PER_RUN + products * (m.PUTS_PER_PRODUCT + m.PUTS_PER_PAGE * pages)
    )
    ingest_puts += runs.snapshots * m.SNAPSHOT_PUTS_PER_RUN
    ingest_gets = runs.trades * products * m.GETS_PER_PRODUCT
    # a transform run rewrites today's Silver and Gold partition of each product, and the
    # coins' price partitions once a day: a staged write and the commit's copy for each
    touched = 2 * products + 2 * w.coin_count * (runs.snapshots / max(runs.transforms, Decimal(1)))
    bronze_read = (runs.trades * products * pages + runs.snapshots) / max(
        runs.transforms, Decimal(1)
    )
    half_state = Decimal(m.GLUE_STATE_REQUESTS_PER_RUN) / 2
    glue_puts = runs.transforms * (m.GLUE_LISTS_PER_RUN + 2 * touched + half_state)
    glue_gets = runs.transforms * (bronze_read + touched + half_state)
    yield CostLine("S3", "PUT/LIST, ingest", ingest_puts, p.S3_PUT)
    yield CostLine("S3", "GET, ingest", ingest_gets, p.S3_GET)
    yield CostLine("S3", "PUT/LIST, Glue", glue_puts, p.S3_PUT)
    yield CostLine("S3", "GET, Glue", glue_gets, p.S3_GET)


def _glue_lines(w: Workload, runs: _Runs) -> Iterator[CostLine]:
    d = w.deployment
    minutes = max(Decimal(str(d.glue_expected_minutes)), p.GLUE_MIN_BILLED_MINUTES)
    dpu_hours = runs.transforms * d.glue_workers * p.DPU_PER_WORKER[d.glue_worker_type]
    dpu_hours *= minutes / 60
    item = f"{d.glue_workers} {d.glue_worker_type} x {minutes:f} min/run"
    yield CostLine("Glue", item, dpu_hours, p.GLUE_DPU_HOUR)


def _athena_lines(w: Workload) -> Iterator[CostLine]:
    silver_day = w.product_count * w.trades_per_product_day * m.SILVER_BYTES_PER_TRADE
    per_query = max(Decimal(p.ATHENA_MIN_BYTES_PER_QUERY), w.query_days * silver_day)
    queries = w.queries_per_day * DAYS_PER_MONTH
    item = f"{w.queries_per_day} queries/day"
    yield CostLine("Athena", item, queries * per_query / TIB, p.ATHENA_TB)


def _cloudwatch_lines(w: Workload, runs: _Runs) -> Iterator[CostLine]:
    ingested = (runs.trades + runs.snapshots) * m.LAMBDA_LOG_BYTES_PER_RUN
    ingested = (ingested + runs.transforms * m.GLUE_LOG_BYTES_PER_RUN) / GIB
    kept_days = min(Decimal(w.deployment.log_retention_days), w.month * DAYS_PER_MONTH)
    yield CostLine("CloudWatch", "logs ingested", ingested, p.LOGS_INGESTED)
    stored = ingested * kept_days / DAYS_PER_MONTH
    yield CostLine("CloudWatch", "logs stored", stored, p.LOGS_STORED)
    yield CostLine("CloudWatch", "alarms", Decimal(ALARMS), p.ALARM)


def _assumptions(w: Workload, runs: _Runs) -> Iterator[str]:
    d = w.deployment
    seconds = run_seconds(w, runs)
    yield (
        f"{w.product_count} products x {w.trades_per_product_day:,} trades/day, ingested every "
        f"{d.trades_rate_minutes} min: {runs.trades_per_run:.0f} trades = {runs.pages_per_run} "
        f"page(s) per product per run"
    )
    yield (
        f"a trades run takes {m.RUN_OVERHEAD_SECONDS} s + pages / {m.PAGES_PER_SECOND} pages/s "
        f"(the page rate measured against the sandbox at the exchange's 10 requests/s) = "
        f"{seconds:.2f} s"
    )
    if seconds > d.lambda_timeout_s:
        yield f"WARNING: a run needs {seconds:.0f} s, more than the {d.lambda_timeout_s} s timeout"
    page = _bronze_page_bytes(runs)
    if page < p.S3_TRANSITION_MIN_OBJECT_BYTES:
        yield (
            f"Bronze pages average {page / 1024:.0f} KB, under the 128 KB S3 lifecycle minimum: "
            "they stay in S3 Standard (the IA/Glacier rules move nothing)"
        )
    yield (
        f"storage priced for month {w.month} of operation; Athena: {w.queries_per_day} "
        f"queries/day, each scanning {w.query_days} day(s) of Silver trades (10 MB minimum)"
    )
    if not d.schedules_enabled:
        yield (
            "schedules disabled: nothing runs; the lake's storage (priced as grown until this "
            "month) and the alarms are still billed"
        )
    yield f"prices: {p.REGION}, on-demand, checked {p.AS_OF}, free tiers not deducted"
