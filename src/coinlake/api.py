"""The Python API: what a notebook, an Airflow or a Dagster task calls.

Four functions, each taking a `Settings` or the same keyword arguments as `coinlake.toml` (and
nothing else: no global state, no environment read unless you call `load_settings()` yourself):

    import coinlake
    settings = coinlake.Settings(lake="./lake", products=("BTC-USD",))
    coinlake.run_ingest(settings)                      # land new data in Bronze
    coinlake.run_transform(settings)                   # Silver and Gold, incremental
    table = coinlake.run_query("SELECT ...", settings) # a pyarrow.Table
    con = coinlake.connect("./lake")               # a DuckDB connection with the views

Heavy modules (duckdb, pyarrow) are imported inside the calls: `import coinlake` stays as light
as the ingestion Lambda needs. Errors are `coinlake.errors.CoinlakeError` subclasses. (The names
are `run_*` because `coinlake.ingest`, `coinlake.transform` and `coinlake.query` are packages.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from coinlake.config import Settings

if TYPE_CHECKING:
    import pyarrow as pa

    from coinlake.ingest.summary import RunSummary
    from coinlake.transform.runner import TableSummary


def _settings(settings: Settings | None, values: dict[str, object]) -> Settings:
    if settings is None:
        return Settings.model_validate(values)
    return settings.model_copy(update=values) if values else settings


def run_ingest(
    settings: Settings | None = None,
    *,
    source: str = "all",
    **values: object,
) -> RunSummary:
    """Land new CoinGecko prices and Coinbase trades in the lake's Bronze layer.

    Args:
        settings: the settings to use (default: defaults, overridden by `values`).
        source: `all` or a registered source's name (`coinbase`, `coingecko`, ...);
            another name raises `ConfigError` listing the choices.
        **values: settings by name, e.g. `lake="./lake"`, `products=("BTC-USD",)`.

    Returns:
        The run's summary: one item per product or dataset, with counts and any error.
    """
    from coinlake.app.ingest import ingest
    from coinlake.app.lake import open_lake

    chosen = _settings(settings, values)
    return ingest(open_lake(chosen), chosen, source=source)


def run_transform(
    settings: Settings | None = None,
    *,
    layer: Literal["silver", "gold", "all"] = "all",
    full_refresh: bool = False,
    **values: object,
) -> list[TableSummary]:
    """Build Silver and Gold from what Bronze holds (only what is new unless `full_refresh`).

    Raises:
        ConfigError: the lake folder does not exist, or the engine is unknown.
    """
    from coinlake.app.transform import transform

    return transform(_settings(settings, values), layer, full_refresh=full_refresh)


def run_query(sql: str, settings: Settings | None = None, **values: object) -> pa.Table:
    """Run SQL over the lake's tables (`coinlake.gold_trades_hourly`, ...) as a pyarrow Table.

    Raises:
        QueryFailedError: the SQL failed; the message keeps DuckDB's suggestion.
    """
    from coinlake.app.query import connect
    from coinlake.query.views import run_sql

    con = connect(_settings(settings, values))
    try:
        return run_sql(con, sql)
    finally:
        con.close()
