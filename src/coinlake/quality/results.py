"""`gold/quality_results`: every run's results appended as Parquet, partitioned by run date.

Written through the engine (so the Glue job writes S3 with Spark, the CLI a folder with
DuckDB): the results become a small literal table, the engine writes it under `_staging/`, and
the files are moved into `gold/quality_results/date=YYYY-MM-DD/`. Files are only ever added, so
earlier runs stay queryable (`coinlake query "SELECT ... FROM coinlake.quality_results"`).
"""

from __future__ import annotations

from collections.abc import Sequence

from coinlake.engines.base import Engine
from coinlake.quality.model import CheckResult
from coinlake.quality.runner import values_sql
from coinlake.quality.tables import RESULT_COLUMNS, RESULT_PARTITION, RESULTS_PATH
from coinlake.transform.lake import STAGING, Lake


def results_sql(results: Sequence[CheckResult]) -> str:
    """Spark SQL for the rows of `results` in the table's column order, then `date`."""
    rows = [
        [
            r.check, r.table, r.partition, r.severity, r.passed, float(r.observed),
            float(r.threshold), r.sample, r.run_id, r.checked_at, r.checked_at.date().isoformat(),
        ]
        for r in results
    ]  # fmt: skip
    fields = [*RESULT_COLUMNS, RESULT_PARTITION]
    return values_sql([c.name for c in fields], [c.type for c in fields], rows)


def write_results(lake: Lake, engine: Engine, results: Sequence[CheckResult]) -> list[str]:
    """Append `results` (one run) to `gold/quality_results`; return the keys written."""
    if not results:
        return []
    staging = f"{STAGING}/quality_results/{results[0].run_id}"
    lake.delete_tree(staging)
    engine.write_partitioned(results_sql(results), lake.root, staging, [RESULT_PARTITION.name])
    written = []
    for key in lake.list_keys(staging, ".parquet"):
        target = f"{RESULTS_PATH}/{key[len(staging) + 1 :]}"
        lake.move(key, target)
        written.append(target)
    lake.delete_tree(staging)
    return written
