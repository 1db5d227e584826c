"""quality_results: every data-quality check result, one row per check, partition and run.

No transform builds it: `coinlake quality` (and the scheduler's and the Glue job's quality runs
after their transforms) append one run's rows at a time (`coinlake.quality.results`), so it is
declared as a plain `Table` with `written_by` set; the catalog lists it beside the Gold tables
for the DuckDB views, the Athena DDL, `coinlake status` and the docs, and never transforms it.
"""

from __future__ import annotations

from coinlake.tables.spec import Table, columns

TABLE = Table(
    name="quality_results",
    path="gold/quality_results",
    columns=columns(
        ("check_name", "string", "Data-quality check that ran"),
        ("table_name", "string", "Table the check ran on"),
        (
            "partition_key",
            "string",
            "Partition of that table the result is about ('' for the whole table)",
        ),
        ("severity", "string", "What a failure means: error (fails the run) or warn"),
        ("passed", "boolean", "Whether observed stayed within threshold"),
        ("observed", "double", "What the check measured (e.g. rows failing it)"),
        ("threshold", "double", "The largest observed value that passes"),
        ("sample", "string", "A few of the offending keys, for a first look"),
        ("run_id", "string", "The run that ran the check"),
        ("checked_at", "timestamp", "When the check ran (UTC)"),
    ),
    partition_by=columns(("date", "date", "UTC day the check ran (partition key)")),
    time_column="checked_at",
    comment="Data-quality check results, one row per check, partition and run (appended)",
    written_by="coinlake quality",
)
