"""Read the lake with SQL: DuckDB views over the lake of the settings, and its status.

What `coinlake query`, `coinlake status`, `coinlake report`, the demo and `coinlake.connect`
call; duckdb and pyarrow are imported when a function runs, not with this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from coinlake.app.lake import open_lake
from coinlake.config import Settings

if TYPE_CHECKING:
    import duckdb

    from coinlake.query.status import LakeStatus


def connect(settings: Settings, *, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the lake's tables as views (`coinlake.silver_trades`, ...).

    Raises:
        ConfigError: the lake folder does not exist.
        QueryFailedError: the lake's files could not be read.
    """
    from coinlake.query.views import connect_lake

    return connect_lake(open_lake(settings), settings, database=database)


def status(settings: Settings, *, now: datetime) -> LakeStatus:
    """What the lake holds, how fresh it is, and what is quarantined or not yet transformed.

    Raises:
        ConfigError: the lake folder does not exist.
        QueryFailedError: a view could not be read.
    """
    from coinlake.query.status import build_status
    from coinlake.query.views import connect_lake

    store = open_lake(settings)
    return build_status(connect_lake(store, settings), store, now=now)


def report_html(
    settings: Settings,
    *,
    now: datetime,
    products: Sequence[str] = (),
    first: date | None = None,
    last: date | None = None,
    title: str = "coinlake report",
) -> str:
    """The self-contained HTML report: hourly candles, VWAP and volume of `products` (all when
    empty) from `first` to `last` (inclusive; None is unbounded), daily prices, and the status.

    Raises:
        ConfigError: the lake folder does not exist.
        QueryFailedError: a view could not be read.
    """
    from coinlake.query.report import ReportRange, build_series, render_html
    from coinlake.query.status import build_status
    from coinlake.query.views import connect_lake

    store = open_lake(settings)
    con = connect_lake(store, settings)
    charted = ReportRange(first, last + timedelta(days=1) if last else None)
    return render_html(
        build_series(con, list(products), charted),
        status=build_status(con, store, now=now),
        generated_at=now,
        span=ReportRange(first, last),
        title=title,
    )
