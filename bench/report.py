"""Benchmark records, the printed table, and the JSON/Markdown files in `bench/results/`.

A record is a dict with at least `name`, `value`, `unit`, `goal` and `met`, plus `min`, `max`,
`runs` and a `note`. `goal` is text such as `>= 1000000` or `<= 1.5`; `met` is true/false
where there is a goal, null for figures reported without one; `value` null means the
measurement was not available (the note says why).
"""

from __future__ import annotations

import json
import operator
import os
import platform
import socket
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Record = dict[str, Any]
_OPS = {">=": operator.ge, "<=": operator.le, "<": operator.lt, "==": operator.eq}


def record(
    name: str,
    values: list[float] | float | None,
    unit: str,
    goal: str | None = None,
    note: str = "",
) -> Record:
    """A record from one value or several runs (value = median; min and max kept)."""
    if values is None:
        met = None if goal is None else False
        return {"name": name, "value": None, "unit": unit, "goal": goal, "met": met,
                "min": None, "max": None, "runs": 0, "note": note or "not available"}  # fmt: skip
    runs = values if isinstance(values, list) else [values]
    value = statistics.median(runs)
    met = None
    if goal is not None:
        op, _, bound = goal.partition(" ")
        met = bool(_OPS[op](value, float(bound)))
    return {"name": name, "value": value, "unit": unit, "goal": goal, "met": met,
            "min": min(runs), "max": max(runs), "runs": len(runs), "note": note}  # fmt: skip


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return f"{int(value):,}"


def rows(records: list[Record]) -> list[list[str]]:
    """The table: one row per record."""
    out = [["measurement", "value", "unit", "min", "max", "runs", "goal", "met"]]
    for r in records:
        met = "-" if r["met"] is None else ("yes" if r["met"] else "NO")
        if r["value"] is None:
            met = "n/a" if r["goal"] is None else "NO (n/a)"
        out.append([
            r["name"], _fmt(r["value"], r["unit"]), r["unit"], _fmt(r["min"], r["unit"]),
            _fmt(r["max"], r["unit"]), str(r["runs"]), r["goal"] or "", met,
        ])  # fmt: skip
    return out


def text_table(records: list[Record]) -> str:
    """Fixed-width text for the terminal."""
    table = rows(records)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = []
    for n, row in enumerate(table):
        cells = [
            c.ljust(w) if i in (0, 2, 6) else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(records: list[Record]) -> str:
    """The same table as GitHub Markdown."""
    table = rows(records)
    lines = ["| " + " | ".join(table[0]) + " |", "|" + "---|" * len(table[0])]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in table[1:]]
    return "\n".join(lines)


def _version(module: str) -> str:
    try:
        return str(__import__(module).__version__)
    except Exception:
        return "absent"


def machine() -> dict[str, Any]:
    """Where the figures were measured."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        java = subprocess.run(
            ["java", "-version"], check=False, capture_output=True, text=True, timeout=20
        ).stderr.splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        java = "absent"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            check=False,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {
        "host": socket.gethostname(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": _version("duckdb"),
        "pyspark": _version("pyspark"),
        "pandas": _version("pandas"),
        "java": java,
        "git_commit": commit,
        "load_average_at_start": os.getloadavg(),
    }


def write(out_dir: Path, records: list[Record], info: dict[str, Any]) -> list[Path]:
    """`<timestamp>-<host>.json/.md` and `latest.json/.md` under `out_dir`; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    stem = f"{stamp}-{info['machine']['host']}"
    document = json.dumps({**info, "records": records}, indent=2, default=str) + "\n"
    head = ", ".join(f"{k}: {v}" for k, v in info["machine"].items())
    md = (
        f"# coinlake benchmark ({info['mode']}, {stamp})\n\n{markdown_table(records)}\n\n"
        f"Machine: {head}.\n\nRuns: {info['plan']}\n"
    )
    paths = []
    for name in (stem, "latest"):
        for suffix, text in ((".json", document), (".md", md)):
            path = out_dir / f"{name}{suffix}"
            path.write_text(text)
            paths.append(path)
    return paths
