"""What a DuckDB query read: files pruned by partition filters and bytes, from EXPLAIN ANALYZE."""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from coinlake.errors import QueryFailedError

_UNITS = {"bytes": 1, "b": 1, "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000}
_FILES_RE = re.compile(r"Scanning Files:\s*(\d+)\s*/\s*(\d+)")
_READ_RE = re.compile(r"Total Files Read:\s*(\d+)")
_BYTES_RE = re.compile(r"Data Read:\s*([\d.]+)\s*([A-Za-z]+)")


@dataclass(frozen=True, slots=True)
class ScanStats:
    """Files a query scanned out of those its views cover, and DuckDB's bytes read."""

    files_scanned: int
    files_total: int
    bytes_read: int
    """DuckDB's rounded `Data Read` figure (e.g. 52.7 kB -> 52,700)."""


def parse_explain_analyze(text: str) -> ScanStats:
    """Sum the per-scan file counts and read the bytes of an EXPLAIN ANALYZE rendering."""
    pairs = _FILES_RE.findall(text)
    if pairs:
        scanned = sum(int(a) for a, _ in pairs)
        total = sum(int(b) for _, b in pairs)
    else:  # no partition filter: DuckDB prints only how many files it read, i.e. all of them
        scanned = total = sum(int(n) for n in _READ_RE.findall(text))
    match = _BYTES_RE.search(text)
    size = 0
    if match:
        size = round(float(match.group(1)) * _UNITS.get(match.group(2).lower(), 1))
    return ScanStats(files_scanned=scanned, files_total=total, bytes_read=size)


def scan_stats(con: duckdb.DuckDBPyConnection, sql: str) -> ScanStats:
    """Run `sql` under EXPLAIN ANALYZE and report what it scanned.

    Raises:
        QueryFailedError: the query failed.
    """
    try:
        rows = con.execute(f"EXPLAIN ANALYZE {sql}").fetchall()
    except duckdb.Error as exc:
        raise QueryFailedError(f"query failed: {str(exc).splitlines()[0]}") from exc
    return parse_explain_analyze("\n".join(str(row[-1]) for row in rows))
