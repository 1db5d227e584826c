"""Data quality: declared checks on every table, run by the transforms' engine.

- `model`: what a check is (`Check`), what a run of it gives (`CheckResult`);
- `tables`: the one adapter to the table definitions (names, folders, columns, partitions);
- `builtin` and `crosschecks`: the checks coinlake declares (schema, validity, uniqueness,
  completeness, freshness, consistency, anomalies), as Spark SQL builders;
- `custom`: checks users add in `coinlake.toml` (`[[quality.checks]]`) or a Python module;
- `runner`: registers the tables and context on an engine, runs the checks;
- `results`: appends results to `gold/quality_results` (Parquet, partitioned by date);
- `gaps`: missing trade-id ranges, and the ranges the exchange cannot serve.

See `docs/quality.md`.
"""
