"""Incremental orchestration of the Silver and Gold transforms (engine-independent)."""
