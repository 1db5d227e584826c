"""`coinlake demo`: the whole pipeline offline, against the bundled API sandbox, in about a minute.

It starts the sandbox in-process on a frozen clock (seeded market, origin kept in the lake) and
points the real clients at it, on the sandbox's clock: rate-limit waits move the market's time
instead of the wall clock's, so the documented limits are honoured without waiting for them.
It lands a CoinGecko snapshot and history, Coinbase trades (a product without a cursor starts
`--hours` back; later runs continue from the cursor) and candles, runs `transform all` on
DuckDB and writes the HTML report into the lake.

The first run starts the market at the current minute, so the lake is fresh for `coinlake status`
and the report. Run it again and the market moves on to the wall clock's time (at least
`--step-minutes`, at most a day per run), showing gap repair: the next run lands only what is
new, and the lake stays consistent because the market is the same one (same seed, same origin,
both kept in `_state/demo/sandbox.json`).
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coinlake.cli.common import console, err_console, settings_for
from coinlake.errors import ConfigError

if TYPE_CHECKING:
    from coinlake.config import Settings
    from coinlake.domain.clock import Clock
    from coinlake.storage.base import ObjectStore

DEMO_STATE = "_state/demo/sandbox.json"
DEMO_ORIGIN = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
"""The origin of lakes whose demo state predates a stored origin."""
MAX_CATCH_UP = timedelta(days=1)
"""How far one demo run moves the market towards the wall clock (bounded demo run time)."""
REPORT_NAME = "coinlake-report.html"


def _read_demo_state(store: ObjectStore) -> tuple[datetime, datetime] | None:
    """(market origin, market time at the end of the last run), or None before a first run."""
    from coinlake.domain.envelope import parse_timestamp

    if not store.exists(DEMO_STATE):
        return None
    try:
        state = json.loads(store.get(DEMO_STATE))
        origin = parse_timestamp(str(state["origin"])) if "origin" in state else DEMO_ORIGIN
        return origin, parse_timestamp(str(state["now"]))
    except (ValueError, KeyError, TypeError):
        return None


def _write_demo_state(store: ObjectStore, origin: datetime, now: datetime) -> None:
    from coinlake.domain.envelope import format_timestamp

    state = {"origin": format_timestamp(origin), "now": format_timestamp(now)}
    store.put(DEMO_STATE, json.dumps(state).encode() + b"\n")


def market_times(
    previous: tuple[datetime, datetime] | None, step: timedelta, wall: datetime
) -> tuple[datetime, datetime | None]:
    """(origin, where this run's market clock goes: None = stay at the origin), given the last
    run's (origin, market time) and the wall clock."""
    wall = wall.replace(second=0, microsecond=0)
    if previous is None:
        return wall, None
    origin, last = previous
    return origin, max(last + step, min(wall, last + MAX_CATCH_UP))


def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Market seed.")] = 7,
    hours: Annotated[
        float, typer.Option(help="Hours of trades a first run backfills per product.", min=0.1)
    ] = 24.0,
    products: Annotated[
        str, typer.Option(help="Products (BASE-QUOTE), comma-separated.")
    ] = "BTC-USD,ETH-USD,SOL-USD",
    trades_per_minute: Annotated[
        float, typer.Option(help="Sandbox trades per minute per product.", hidden=True)
    ] = 60.0,
    history_days: Annotated[
        float, typer.Option(help="Days of sandbox history.", hidden=True)
    ] = 2.0,
    step_minutes: Annotated[
        float,
        typer.Option(help="The least the market moves between demo runs.", hidden=True, min=0),
    ] = 5.0,
    report: Annotated[bool, typer.Option(help="Write the HTML report.")] = True,
) -> None:
    """Start the API sandbox, ingest from it into the lake, transform, and write a report."""
    from coinlake.sandbox import SandboxOptions, SandboxServer, settings_for_sandbox
    from coinlake.storage.factory import open_store

    base = settings_for(ctx)
    if base.lake_is_s3:
        raise ConfigError("the demo writes a local lake: pass --lake <folder>")
    if hours / 24 > history_days:
        raise ConfigError(f"--hours {hours} reaches before the sandbox's {history_days} days")
    started = time.perf_counter()
    store = open_store(base)
    origin, moved_to = market_times(
        _read_demo_state(store), timedelta(minutes=step_minutes), datetime.now(UTC)
    )
    options = SandboxOptions(
        seed=seed,
        clock="frozen",
        start=origin,
        products=tuple(p.strip().upper() for p in products.split(",") if p.strip()),
        history_days=history_days,
        trades_per_minute=trades_per_minute,
        rate_limits=True,
    ).validate()
    with SandboxServer(options) as sandbox:
        if moved_to is not None:
            sandbox.clock.set(moved_to)
        console.print(
            f"sandbox {sandbox.base_url} (seed {seed}, "
            f"market time {sandbox.clock.now():%Y-%m-%d %H:%M} UTC)"
        )
        settings = settings_for(
            ctx,
            **settings_for_sandbox(sandbox),
            products=",".join(options.products),
            coins=",".join(sandbox.market.coins),
        )
        failed = _ingest(store, settings, sandbox.clock, hours)
        _write_demo_state(store, origin, sandbox.clock.now())
    _transform(settings)
    if report:
        path = _report(settings)
        console.print(f"report: {path}")
    console.print(
        f"demo done in {time.perf_counter() - started:.1f}s; lake: {Path(settings.lake).resolve()}"
    )
    if failed:
        raise typer.Exit(1)


def _ingest(store: ObjectStore, settings: Settings, clock: Clock, hours: float) -> bool:
    from coinlake.app.ingest import backfill, ingest
    from coinlake.cli.ingest import print_summary, progress_bar
    from coinlake.ingest.run import RunOptions

    now = clock.now()
    with progress_bar() as bar:
        ingested = ingest(
            store,
            settings,
            clock=clock,
            since=now - timedelta(hours=hours),
            options=RunOptions(progress=bar, command="demo-ingest"),
        )
        history = backfill(
            store,
            settings,
            clock=clock,
            start_at=now - timedelta(hours=hours),
            end_at=now,
            source="all",
            trades=False,
            candles_granularity_s=300,
            options=RunOptions(progress=bar, command="demo-history"),
        )
    print_summary(ingested)
    print_summary(history)
    return ingested.failed or history.failed


def _transform(settings: Settings) -> None:
    from coinlake.transform.api import make_engine, run_transform
    from coinlake.transform.lake import LocalLake

    engine = make_engine("duckdb", threads=os.cpu_count() or 2, memory_limit="1GB")
    try:
        with err_console.status("transform") as status:
            summaries = run_transform(
                LocalLake(settings.lake),
                engine,
                "all",
                progress=lambda table, message: status.update(f"[bold]{table}[/]: {message}"),
            )
    finally:
        engine.close()
    for summary in summaries:
        console.print(
            f"{summary.table}: {summary.objects_read:,} objects, {summary.rows_written:,} rows "
            f"written, {summary.rows_deduped:,} deduplicated, {summary.rows_quarantined:,} "
            f"quarantined ({summary.seconds:.1f}s)"
        )


def _report(settings: Settings) -> Path:
    from coinlake.query.report import ReportRange, build_series, render_html
    from coinlake.query.status import build_status
    from coinlake.query.views import LakeLocation, connect_lake

    lake = LakeLocation.parse(settings.lake)
    con = connect_lake(lake)
    now = datetime.now(UTC)
    page = render_html(
        build_series(con, [], ReportRange(None, None)),
        status=build_status(con, lake, now=now),
        generated_at=now,
        span=ReportRange(None, None),
        title="coinlake demo",
    )
    path = Path(settings.lake) / REPORT_NAME
    path.write_text(page, encoding="utf-8")
    return path.resolve()


def register(app: typer.Typer) -> None:
    """Add `coinlake demo` to the root command."""
    app.command("demo")(demo)
