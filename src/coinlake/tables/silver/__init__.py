"""Silver tables: one module per table, each defining `TABLE` (a `SilverDef`)."""
