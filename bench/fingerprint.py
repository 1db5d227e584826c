"""Content fingerprints of a lake's Silver and Gold tables, and the parity check against the
references checked into `bench/reference/`.

A table's fingerprint is its row count, an order-independent hash of its rows and one of each
column. A row's hash is the MD5 of its logical columns in canonical text (timestamps as UTC
epoch microseconds, decimals and integers as their digits, NULL as `\\N`), joined with the unit
separator; the table's hash is the sum of the rows' (low 64 bits of MD5) modulo 2**64, so neither
row order, file layout nor partition folder names change it, while any changed, lost, extra or
repeated row does. Partition columns are read by name (from the files or, where a column lives
only in the folder names, from those), so a new Gold layout that keeps the same rows keeps the
same fingerprint.

`python -m bench.fingerprint LAKE [--write bench/reference/<trades>.json --trades N]` prints
(or writes) the fingerprint of a lake built by `bench.worker duckdb`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parent / "reference"
"""Reference fingerprints, one file per bench size (`<trades>.json`)."""

TIMESTAMP = "timestamp"
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "silver/trades": (
        ("product_id", ""), ("trade_id", ""), ("trade_time", TIMESTAMP), ("price", ""),
        ("size", ""), ("side", ""), ("source", ""), ("ingested_at", TIMESTAMP), ("bronze_key", ""),
    ),
    "gold/trades_hourly": (
        ("product_id", ""), ("hour", TIMESTAMP), ("trade_count", ""), ("avg_price", ""),
        ("vwap", ""), ("open", ""), ("high", ""), ("low", ""), ("close", ""), ("volume", ""),
        ("notional", ""), ("buy_volume", ""), ("sell_volume", ""), ("first_trade_id", ""),
        ("last_trade_id", ""), ("missing_trade_ids", ""),
    ),
}  # fmt: skip
"""Each table's logical columns (not its partition folders), and how each becomes text."""

_MASK = 2**64


def _text(column: str, kind: str) -> str:
    value = f"epoch_us({column})" if kind == TIMESTAMP else column
    return f"coalesce(CAST({value} AS VARCHAR), '\\N')"


def table_fingerprint(
    folder: Path, columns: tuple[tuple[str, str], ...], *, per_column: bool = True
) -> dict[str, Any]:
    """`{"rows": n, "rows_hash": hex, "columns": {name: hex}}` of the Parquet table `folder`
    (`per_column=False`: without "columns", the hashes that only serve to name what differs)."""
    import duckdb

    texts = [_text(c, k) for c, k in columns]
    hashed = [" || chr(31) || ".join(texts), *(texts if per_column else [])]
    sums = [0] * len(hashed)
    count = 0
    if any(folder.rglob("*.parquet")):
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        sql_sums = ", ".join(f"sum(md5_number_lower({t})::HUGEINT)" for t in hashed)
        try:
            found = con.execute(
                f"SELECT count(*), {sql_sums} FROM read_parquet('{folder}/**/*.parquet', "
                "hive_partitioning = true, union_by_name = true)"
            ).fetchone()
        finally:
            con.close()
        assert found is not None
        count, *sums = (int(v or 0) for v in found)
    out: dict[str, Any] = {"rows": count, "rows_hash": f"{sums[0] % _MASK:016x}"}
    if per_column:
        out["columns"] = {
            c: f"{s % _MASK:016x}" for (c, _), s in zip(columns, sums[1:], strict=True)
        }
    return out


def lake_fingerprint(lake: Path, *, per_column: bool = True) -> dict[str, dict[str, Any]]:
    """The fingerprint of every Silver and Gold table the benchmark's lake holds."""
    return {
        name: table_fingerprint(lake / name, cols, per_column=per_column)
        for name, cols in TABLES.items()
    }


def differences(found: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    """What differs between two lake fingerprints (empty: the same rows)."""
    problems = []
    for table in sorted(set(found) | set(reference)):
        ours, theirs = found.get(table), reference.get(table)
        if ours is None or theirs is None:
            problems.append(f"{table}: {'missing' if ours is None else 'not in the reference'}")
            continue
        if ours["rows"] != theirs["rows"]:
            problems.append(f"{table}: {ours['rows']:,} rows, reference {theirs['rows']:,}")
        if ours["rows_hash"] != theirs["rows_hash"]:
            mine = ours.get("columns", {})
            changed = [c for c in theirs["columns"] if mine.get(c) != theirs["columns"][c]]
            which = ", ".join(changed) if changed else "none alone (values moved between rows)"
            problems.append(f"{table}: row content differs; columns that differ: {which}")
    return problems


def reference_for(trades: int) -> dict[str, Any] | None:
    """The checked-in reference for a bench size, if there is one."""
    path = REFERENCE / f"{trades}.json"
    return json.loads(path.read_text()) if path.exists() else None


def parity_records(lake: Path, n: int) -> list[Any]:
    """The parity part at size `n`: the lake's fingerprint against the checked-in reference;
    a difference fails the part (raises), naming the tables and columns that differ."""
    from bench.report import label, record

    name = f"{label(n)} parity: Silver + Gold rows vs the reference"
    reference = reference_for(n)
    if reference is None:
        note = f"no reference for this size in {REFERENCE.name}/"
        return [record(name, None, "differences", None, note, expected=False)]
    found = lake_fingerprint(lake, per_column=False)
    if differences(found, reference["tables"]):  # again with the hashes that name the columns
        found = lake_fingerprint(lake)
    problems = differences(found, reference["tables"])
    if problems:
        raise RuntimeError("; ".join(problems))
    silver, gold = found["silver/trades"]["rows"], found["gold/trades_hourly"]["rows"]
    note = (
        f"{silver:,} Silver and {gold:,} Gold rows identical to the reference computed at commit "
        f"{reference['computed_at_commit']}"
    )
    return [record(name, 0, "differences", "== 0", note)]


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lake", type=Path)
    parser.add_argument("--write", type=Path, help="write a reference file here")
    parser.add_argument("--trades", type=int, help="the bench size the lake was built from")
    args = parser.parse_args(argv)
    tables = lake_fingerprint(args.lake)
    document = {"trades": args.trades, "computed_at_commit": _commit(), "tables": tables}
    text = json.dumps(document, indent=2) + "\n"
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text)
    print(text, end="")


if __name__ == "__main__":
    main()
