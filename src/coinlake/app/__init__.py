"""The application layer: what every entry point (CLI, scheduler, Lambda, Glue job) calls."""
