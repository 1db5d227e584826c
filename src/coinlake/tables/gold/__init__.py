"""Gold tables: one module per table, each defining `TABLE` (a `GoldDef`)."""
