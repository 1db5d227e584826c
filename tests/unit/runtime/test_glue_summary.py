"""The Glue job's one log line per table says when Bronze objects could not be read."""

from __future__ import annotations

from coinlake.runtime.glue_job import summary_line
from coinlake.transform.runner import TableSummary


def test_unreadable_objects_are_named_in_the_line_only_when_there_are_some() -> None:
    clean = summary_line(TableSummary("silver.trades", objects_read=3, seconds=1.0))
    assert clean.startswith("silver.trades: 3 objects")
    assert "unreadable" not in clean
    damaged = summary_line(TableSummary("silver.trades", objects_read=3, objects_unreadable=2))
    assert damaged.endswith(", 2 unreadable Bronze objects quarantined")
