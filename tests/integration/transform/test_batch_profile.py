"""The one scan that profiles a staged Silver batch: counts, partitions, spans, quarantine dates.

The runner plans its writes from this profile, so each figure is checked against a batch whose
answer is known: valid rows in two partitions, rejected rows under three rules and two fetch
dates, and the record of an unreadable object.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coinlake.engines.duckdb import DuckDBEngine
from coinlake.tables.silver.trades import TABLE as TRADES
from coinlake.transform.append import read_batch

pytestmark = pytest.mark.integration

STAGED = """
SELECT * FROM (VALUES
  ('BTC-USD', DATE '2026-11-22', 7, TIMESTAMP '2026-11-22 10:00:00', NULL,
   TIMESTAMP '2026-11-22 10:05:00'),
  ('BTC-USD', DATE '2026-11-22', 3, TIMESTAMP '2026-11-22 09:00:00', NULL,
   TIMESTAMP '2026-11-22 10:05:00'),
  ('BTC-USD', DATE '2026-11-23', 12, TIMESTAMP '2026-11-23 00:00:01', NULL,
   TIMESTAMP '2026-11-23 00:01:00'),
  ('BTC-USD', NULL, NULL, NULL, 'bad_trade_time', TIMESTAMP '2026-11-23 00:01:00'),
  ('BTC-USD', NULL, NULL, NULL, 'unparsable_response', TIMESTAMP '2026-11-24 08:00:00'),
  ('ETH-USD', DATE '2026-11-22', 5, TIMESTAMP '2026-11-22 11:00:00', 'bad_price',
   TIMESTAMP '2026-11-24 08:00:00'),
  (NULL, NULL, NULL, NULL, 'unreadable_object', TIMESTAMP '2026-11-24 00:00:00')
) AS t(product_id, `date`, trade_id, trade_time, rule, ingested_at)
"""


@pytest.fixture
def engine() -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine(threads=1)
    engine.view("staged", STAGED)
    yield engine
    engine.close()


def test_the_profile_counts_rows_and_objects_by_what_happened_to_them(
    engine: DuckDBEngine,
) -> None:
    profile = read_batch(engine, TRADES)
    # valid rows, rejected rows, unparsable objects, unreadable objects
    assert profile.counts == (3, 4, 1, 1)


def test_the_profile_gives_each_touched_partition_its_span(engine: DuckDBEngine) -> None:
    profile = read_batch(engine, TRADES)
    assert profile.touched == [
        "product_id=BTC-USD/date=2026-11-22",
        "product_id=BTC-USD/date=2026-11-23",
    ]
    spans = {
        s.partition: (s.group, s.low, s.high, s.first_at[:19], s.last_at[:19])
        for s in profile.spans
    }
    assert spans == {
        "product_id=BTC-USD/date=2026-11-22": (
            "product_id=BTC-USD",
            3,
            7,
            "2026-11-22T09:00:00",
            "2026-11-22T10:00:00",
        ),
        "product_id=BTC-USD/date=2026-11-23": (
            "product_id=BTC-USD",
            12,
            12,
            "2026-11-23T00:00:01",
            "2026-11-23T00:00:01",
        ),
    }


def test_the_profile_gives_the_quarantine_partitions_of_the_fetch_dates(
    engine: DuckDBEngine,
) -> None:
    profile = read_batch(engine, TRADES)
    assert profile.quarantine_dates == ["date=2026-11-23", "date=2026-11-24"]
