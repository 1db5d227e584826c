"""Writing a Silver batch deduplicated: the staged rows and the existing rows of its partitions.

Two ways to the same rows (tested against each other by the benchmark's parity fingerprints and
the transform tests):
- a batch of many Bronze objects materialises the few repeated keys and their winning rows
  first, so the write is a scan and a small join that DuckDB may run once per partition (at 10M
  trades: less CPU, and peak RSS 0.73 -> 0.50 GB);
- a batch of a page or two (an incremental run every few minutes) writes `build_dedup_sql`'s one
  query: two more statements and their drops would cost more than the scan they save.
"""

from __future__ import annotations

from coinlake.engines.base import Engine
from coinlake.storage.base import ObjectStore
from coinlake.tables.spec import SilverDef
from coinlake.transform import sqlbuild

SPLIT_MIN_OBJECTS = 64
"""Bronze objects in a batch from which the repeated keys are materialised first."""

STAGED_ROWS = "staged_rows"
"""The view of the staged records of Bronze rows only (`staging.stage` makes it beside `staged`):
without the records of unparsable or unreadable objects, which are all rejected, and whose NULL
keys would widen the key column's statistics to unknown. With them known, DuckDB groups a
batch of one product's trade ids (a range of ~2M) in an array instead of a hash table
(`engines.duckdb.PERFECT_HASH_BITS`): the search for repeated ids took ~0.35x the time."""


def write_deduplicated(
    defn: SilverDef,
    store: ObjectStore,
    engine: Engine,
    out_dir: str,
    batch: tuple[list[str], int],
) -> int:
    """Write the valid `STAGED_ROWS` and the `existing` ones, deduplicated, under `out_dir`;
    return the rows written. `batch` is (the partitions it touches, its Bronze objects)."""
    touched, objects = batch
    parts = [c.name for c in defn.partition_by]
    if objects < SPLIT_MIN_OBJECTS:
        dedup = sqlbuild.build_dedup_sql(defn, STAGED_ROWS)
        return engine.write_partitioned(dedup, store.uri(), out_dir, parts)
    engine.materialize("dedup_repeated", sqlbuild.build_repeated_keys_sql(defn, STAGED_ROWS))
    engine.materialize(
        "dedup_winners", sqlbuild.build_winners_sql(defn, "dedup_repeated", STAGED_ROWS)
    )
    written = engine.write_partitioned(
        sqlbuild.build_kept_sql(defn, "dedup_repeated", "dedup_winners", STAGED_ROWS),
        store.uri(),
        out_dir,
        parts,
        partitions=touched,
    )
    engine.drop("dedup_winners")
    engine.drop("dedup_repeated")
    return written
