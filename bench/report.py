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
import sys
import time
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
    *,
    expected: bool = True,
) -> Record:
    """A record from one value or several runs (value = median; min and max kept).

    `expected=False` marks a figure that may legitimately be absent (a baseline skipped for lack
    of memory, with the note saying so); an expected record without a value fails the run.
    """
    if values is None:
        met = None if goal is None else False
        return {"name": name, "value": None, "unit": unit, "goal": goal, "met": met,
                "min": None, "max": None, "runs": 0, "note": note or "not available",
                "expected": expected}  # fmt: skip
    runs = values if isinstance(values, list) else [values]
    value = statistics.median(runs)
    met = None
    if goal is not None:
        op, _, bound = goal.partition(" ")
        met = bool(_OPS[op](value, float(bound)))
    return {"name": name, "value": value, "unit": unit, "goal": goal, "met": met,
            "min": min(runs), "max": max(runs), "runs": len(runs), "note": note,
            "expected": expected}  # fmt: skip


def label(n: int) -> str:
    """A bench size as printed: `1M`, `10M`, `6k`."""
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k"


def log(message: str) -> None:
    """One progress line on stderr (the table goes to stdout)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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
        if r["value"] is None:  # a missing figure fails the run unless it may be absent
            met = "FAILED" if r.get("expected", True) else "n/a"
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
    document = json.dumps({"stamp": stamp, **info, "records": records}, indent=2, default=str)
    document += "\n"
    head = ", ".join(f"{k}: {v}" for k, v in info["machine"].items())
    md = (
        f"# coinlake benchmark ({info['mode']}, {stamp})\n\n{markdown_table(records)}\n\n"
        f"Machine: {head}.\n\nRuns: {info['plan']}\n{_failed_text(info)}"
    )
    paths = []
    for name in (stem, "latest"):
        for suffix, text in ((".json", document), (".md", md)):
            path = out_dir / f"{name}{suffix}"
            path.write_text(text)
            paths.append(path)
    return paths


def _failed_text(info: dict[str, Any]) -> str:
    failures = info.get("failures") or []
    if not failures:
        return ""
    return "\n**The run FAILED:**\n\n" + "".join(f"- {line}\n" for line in failures)


START_MARK = "<!-- bench-table:start (python -m bench.report --readme README.md) -->"
END_MARK = "<!-- bench-table:end -->"


def readme_section(document: dict[str, Any]) -> str:
    """The README's results block from a results document (`latest.json`)."""
    head = f"`make bench`, {document['mode']}, {document.get('stamp', '')}".rstrip(", ")
    seconds = document.get("seconds")
    if seconds is not None:
        head += f", {seconds:,.0f} s in all"
    head += "; from `bench/results/latest.json`:"
    machine = ", ".join(f"{k}: {v}" for k, v in document["machine"].items())
    return (
        f"{head}\n\n{markdown_table(document['records'])}\n\nMachine: {machine}.\n\n"
        f"Runs: {document['plan']}\n{_failed_text(document)}"
    )


def refresh_readme(readme: Path, results: Path) -> None:
    """Replace the block between the README's bench-table marks with `results`' table."""
    text = readme.read_text()
    start, end = text.find(START_MARK), text.find(END_MARK)
    if start < 0 or end < start:
        raise SystemExit(f"{readme}: no {START_MARK} ... {END_MARK} block")
    block = readme_section(json.loads(results.read_text()))
    readme.write_text(f"{text[: start + len(START_MARK)]}\n{block}{text[end:]}")


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Refresh the README's benchmark table.")
    parser.add_argument("--readme", type=Path, default=Path("README.md"))
    parser.add_argument(
        "--results", type=Path, default=Path(__file__).parent / "results" / "latest.json"
    )
    args = parser.parse_args(argv)
    refresh_readme(args.readme, args.results)
    print(f"{args.readme}: benchmark table from {args.results}")


if __name__ == "__main__":
    main()
