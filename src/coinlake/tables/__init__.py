"""Table definitions: `spec` (what a table is), `catalog` (every table, by name), one module
per table under `silver/` and `gold/`."""
