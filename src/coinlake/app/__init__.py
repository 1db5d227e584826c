"""The application layer: what every entry point (CLI, scheduler, Lambda, Glue job, demo)
calls. `lake.open_lake(settings)` is the one place a lake's `ObjectStore` is built;
`ingest.ingest(settings, ...)` runs the registered sources; `transform.transform(settings, ...)`
runs the tables on the configured engine."""
