"""Engine-neutral SQL the runner derives from a definition (Spark SQL, like the definitions).

Pure builders: text in, text out. They splice only identifiers taken from the frozen
definitions (never user input), hence the `S608` waivers. The dedup keeps, for each key, the
first row by the definition's `winner_order` over the union of the new rows and the rows
already in the partitions being rewritten. Rows whose key occurs once (nearly all) skip the
window: only keys seen more than once are ranked, which keeps the sort small on big batches.
The runner materialises those repeated keys and their winning rows first
(`build_repeated_keys_sql`, `build_winners_sql`), so the write (`build_kept_sql`) is a scan
and a small join an engine can run once per partition; `build_dedup_sql` is the same in one
query (a partition rebuild uses it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from coinlake.tables.spec import UNREADABLE_RULE, Column, GoldDef, SilverDef
from coinlake.transform.unreadable import Unreadable


def partition_name(columns: Sequence[Column], values: Sequence[object]) -> str:
    """The Hive partition path of one partition's values (`product_id=BTC-USD/date=...`)."""
    parts = []
    for column, value in zip(columns, values, strict=True):
        text = value.isoformat() if isinstance(value, date) else str(value)
        parts.append(f"{column.name}={text}")
    return "/".join(parts)


def _names(defn: SilverDef) -> str:
    return ", ".join(c.name for c in defn.all_columns)


def staged_columns(defn: SilverDef) -> tuple[Column, ...]:
    """The columns of a staged batch, in one fixed order: the table's, then the quarantine
    table's (`rule`, `detail`, `ingested_at`, the raw fields) not already among them."""
    found: dict[str, Column] = {}
    for column in (*defn.all_columns, *defn.quarantine_columns):
        found.setdefault(column.name, column)
    return tuple(found.values())


def _literal(text: str) -> str:
    """A Spark SQL string literal (backslash escapes, as Spark reads them)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def build_staged_union_sql(defn: SilverDef, views: Sequence[str]) -> str:
    """The union of staged views, each projected to `staged_columns` by name."""
    cols = ", ".join(f"`{c.name}`" for c in staged_columns(defn))
    return " UNION ALL ".join(f"SELECT {cols} FROM {view}" for view in views)  # noqa: S608


def build_unreadable_sql(defn: SilverDef, found: Sequence[Unreadable]) -> str:
    """One staged row per unreadable Bronze object: rule `unreadable_object`, the reason as
    `detail`, its key, `ingested_at` at midnight of its fetch date; every other column NULL."""
    selects = []
    for item in found:
        values = {
            "rule": _literal(UNREADABLE_RULE),
            "detail": _literal(item.reason),
            "bronze_key": _literal(item.key),
            "ingested_at": f"TIMESTAMP '{item.fetch_date.isoformat()} 00:00:00'",
        }
        fields = ", ".join(
            f"{values.get(c.name) or f'CAST(NULL AS {c.type})'} AS `{c.name}`"
            for c in staged_columns(defn)
        )
        selects.append(f"SELECT {fields}")
    return " UNION ALL ".join(selects)


def _candidates(defn: SilverDef, staged: str, existing: str) -> str:
    """The rows a dedup chooses among: the valid staged rows and the `existing` ones."""
    cols = _names(defn)
    valid = f"SELECT {cols} FROM {staged} WHERE rule IS NULL"  # noqa: S608
    return f"({valid} UNION ALL SELECT {cols} FROM {existing})"  # noqa: S608


def repeat_columns(defn: SilverDef) -> tuple[str, ...]:
    """The key columns the repeated keys are found by: those that are not partition columns
    (trades: `trade_id`, not `product_id`), or the whole key if it has no other. A repeat
    found this way may join rows of two partitions' groups whose keys differ (two products
    with the same trade id): those rows are then ranked among their own key, and each wins
    alone, so only the cost changes, not the rows. Grouping by one BIGINT instead of a string
    and a BIGINT took ~0.65x the CPU on a 2M-trade batch."""
    parts = {c.name for c in defn.partition_by}
    return tuple(k for k in defn.key if k not in parts) or defn.key


def _key_match(defn: SilverDef) -> str:
    return " AND ".join(f"c.{k} = d.{k}" for k in repeat_columns(defn))


def build_repeated_keys_sql(
    defn: SilverDef, staged: str = "staged", existing: str = "existing"
) -> str:
    """The `repeat_columns` values held by more than one candidate row (about 2% of a
    batch's)."""
    keys = ", ".join(repeat_columns(defn))
    cand = _candidates(defn, staged, existing)
    return f"SELECT {keys} FROM {cand} AS u GROUP BY {keys} HAVING COUNT(*) > 1"  # noqa: S608


def build_winners_sql(
    defn: SilverDef, repeated: str, staged: str = "staged", existing: str = "existing"
) -> str:
    """For each key of `repeated` (a relation of keys), its first candidate row by the
    definition's `winner_order`."""
    cols = _names(defn)
    ckeys = ", ".join(f"c.{k}" for k in defn.key)
    order = ", ".join(f"c.{k}" for k in defn.winner_order)
    cand = _candidates(defn, staged, existing)
    return f"""
SELECT {cols} FROM (
  SELECT c.*, ROW_NUMBER() OVER (PARTITION BY {ckeys} ORDER BY {order}) AS rn
  FROM {cand} AS c LEFT SEMI JOIN {repeated} AS d ON {_key_match(defn)}
) AS ranked
WHERE rn = 1
"""  # noqa: S608


def build_kept_sql(
    defn: SilverDef,
    repeated: str,
    winners: str,
    staged: str = "staged",
    existing: str = "existing",
) -> str:
    """Silver rows of the rewritten partitions: the candidates whose key is not in `repeated`,
    plus `winners` (relations, as `build_repeated_keys_sql` and `build_winners_sql` make them).
    Over materialised `repeated` and `winners` it is a scan and a small hash join, cheap to run
    once per partition with the partition's values as a filter."""
    cols = _names(defn)
    cand = _candidates(defn, staged, existing)
    return f"""
SELECT c.* FROM {cand} AS c LEFT ANTI JOIN {repeated} AS d ON {_key_match(defn)}
UNION ALL
SELECT {cols} FROM {winners} AS w
"""  # noqa: S608


def build_dedup_sql(defn: SilverDef, staged: str = "staged", existing: str = "existing") -> str:
    """Silver rows of the rewritten partitions: valid new rows plus existing ones, deduplicated,
    in one query (`build_kept_sql` over the repeated keys and their winners).

    The union of candidates is spelled out where it is used rather than named in a CTE: DuckDB
    materialises a CTE referenced more than once, a full copy of the batch (measured ~0.1 s/1M).
    """
    winners = f"({build_winners_sql(defn, 'dup', staged, existing)})"
    return f"""
WITH dup AS ({build_repeated_keys_sql(defn, staged, existing)})
{build_kept_sql(defn, "dup", winners, staged, existing)}"""


def build_quarantine_sql(
    defn: SilverDef, staged: str = "staged", existing: str = "existing_quarantine"
) -> str:
    """Quarantine rows of the rewritten fetch dates: rejected new rows plus existing ones."""
    cols = ", ".join(c.name for c in defn.quarantine_columns)
    return f"""
SELECT {cols}, TO_DATE(ingested_at) AS `date` FROM {staged} WHERE rule IS NOT NULL
UNION ALL
SELECT {cols}, `date` FROM {existing}
"""  # noqa: S608


def build_batch_profile_sql(defn: SilverDef, staged: str = "staged") -> str:
    """A staged batch in one scan, grouped: per partition its valid rows touch, a row of its
    values, a NULL rule and fetch date, the rows' count, then the lowest and highest
    `range_column` value and first and last `time_column` value (NULLs without them); per
    rule and fetch date of the rejected rows, a row of NULL partition values, the rule, the
    date (`TO_DATE(ingested_at)`, their quarantine partition) and the count."""
    names = [f"`{c.name}`" for c in defn.partition_by]
    parts = ", ".join(f"CASE WHEN rule IS NULL THEN {n} END AS {n}" for n in names)
    rng, at = defn.range_column, defn.time_column
    low_high = f"MIN({rng}), MAX({rng})" if rng else "CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)"
    times = f"MIN({at}), MAX({at})" if at else "CAST(NULL AS TIMESTAMP), CAST(NULL AS TIMESTAMP)"
    carried = "".join(f", {c}" for c in dict.fromkeys(c for c in (rng, at) if c))
    keys = ", ".join([*names, "rule", "fetched_date"])
    return (
        f"SELECT {keys}, COUNT(*), {low_high}, {times} FROM ("  # noqa: S608
        f"SELECT {parts}, rule, "
        f"CASE WHEN rule IS NOT NULL THEN TO_DATE(ingested_at) END AS fetched_date{carried} "
        f"FROM {staged}) AS s GROUP BY {keys}"
    )


def build_collisions_sql(defn: SilverDef, existing: str, staged: str = "staged") -> str:
    """Per partition of `existing`: its values, the lowest and highest `range_column` value,
    and how many of its rows share a key with a valid staged row."""
    cols = ", ".join(f"e.{c.name}" for c in defn.partition_by)
    keys = ", ".join(defn.key)
    on = " AND ".join(f"e.{k} = s.{k}" for k in defn.key)
    rng = defn.range_column
    return (
        f"SELECT {cols}, MIN(e.{rng}), MAX(e.{rng}), COUNT(s.{rng}) FROM {existing} AS e "  # noqa: S608
        f"LEFT JOIN (SELECT DISTINCT {keys} FROM {staged} WHERE rule IS NULL) AS s ON {on} "
        f"GROUP BY {cols}"
    )


def gold_source_prefixes(gold: GoldDef, partitions: set[str]) -> list[str]:
    """Source folders holding the rows that make the given Gold partitions (Gold's partition
    columns are the leading columns of its source's, so a Gold partition is a source folder
    prefix; a `year` partition is under the folder of the levels before it, and
    `GoldDef.partition_of` tells which of that folder's partitions belong to it)."""
    if gold.year_of is not None:
        partitions = {part.rpartition("/")[0] for part in partitions}
    return sorted(f"{gold.source.path}/{part}".rstrip("/") for part in partitions)


def build_gold_merge_sql(
    gold: GoldDef,
    replaced: Sequence[str],
    existing: str = "existing",
    hours: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """A `year_of` Gold table's rows for the partitions being rewritten: `gold.sql` over the
    source rows of the `replaced` source partitions (`product_id=X/date=D`: whole, or only
    the hours [start, end) that `hours` gives for it, as `YYYY-MM-DD HH:MM:SS` UTC), plus the
    rows of `existing` (the partitions' current files) that none of them replaces."""
    cols = ", ".join(f"`{c.name}`" for c in gold.all_columns)
    types = {c.name: c.type for c in (*gold.source.partition_by, *gold.all_columns)}
    hours = hours or {}
    matches = []
    for partition in sorted(replaced):
        levels = [level.split("=", 1) for level in partition.split("/")]
        terms = [f"`{name}` = CAST({_literal(value)} AS {types[name]})" for name, value in levels]
        if partition in hours:
            terms += _within(str(gold.time_column), *hours[partition])
        matches.append("(" + " AND ".join(terms) + ")")
    kept = f"NOT ({' OR '.join(matches)})" if matches else "TRUE"
    return f"""
SELECT {cols} FROM ({gold.sql}) AS fresh
UNION ALL
SELECT {cols} FROM {existing} WHERE {kept}
"""  # noqa: S608


def _within(column: str, start: str, end: str) -> list[str]:
    """Conditions holding `column` in [start, end) (UTC timestamps, `YYYY-MM-DD HH:MM:SS`):
    plain comparisons with literals, which both engines push down to the Parquet scan."""
    return [f"`{column}` >= TIMESTAMP {_literal(start)}", f"`{column}` < TIMESTAMP {_literal(end)}"]


def build_hours_source_sql(
    time_column: str, parts: Sequence[tuple[str, tuple[str, str] | None]]
) -> str:
    """The source view of a Gold run that reads some partitions whole and others only within
    an hour range: the union of `parts`, each (a registered view of one partition's files or
    of the whole ones, its [start, end) or None for all of its rows)."""
    selects = []
    for name, window in parts:
        where = f" WHERE {' AND '.join(_within(time_column, *window))}" if window else ""
        selects.append(f"SELECT * FROM {name}{where}")  # noqa: S608
    return " UNION ALL ".join(selects)
