"""Run one measured thing in a child process; time it and sample the RSS of its whole tree.

Peak RSS is the largest sum, over one sample, of the resident memory of the child and all its
descendants (a JVM started by PySpark included), read from `/proc` every 20 ms. The child prints
one JSON object as its last stdout line; it comes back as `Measured.result`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAMPLE_S = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(slots=True)
class Measured:
    """One measured child run."""

    seconds: float
    """Wall time of the child, start to exit."""
    peak_rss: int
    """Bytes: the largest RSS sum of the process tree seen."""
    result: dict[str, Any] = field(default_factory=dict)
    """The child's last stdout line, parsed as JSON (`{"timed_out": true, ...}` when it was
    stopped at its time budget)."""


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _kids(pid: int) -> list[int]:
    """Children of `pid` from `/proc/<pid>/task/*/children` (gone processes have none)."""
    kids: list[int] = []
    try:
        for task in os.scandir(f"/proc/{pid}/task"):
            kids.extend(int(k) for k in Path(task.path, "children").read_text().split())
    except OSError:
        pass
    return kids


_HAS_CHILDREN_FILE = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists()


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and every descendant now."""
    tree = None if _HAS_CHILDREN_FILE else _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss(pid)
        todo.extend(_kids(pid) if tree is None else tree.get(pid, ()))
    return total


def _descendants(root: int) -> list[int]:
    tree = None if _HAS_CHILDREN_FILE else _children()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        kids = _kids(pid) if tree is None else tree.get(pid, [])
        found += kids
        todo += kids
    return found


def _kill_tree(child: subprocess.Popen[bytes]) -> None:
    """Kill a timed-out child and every process it started (a JVM included), by pid."""
    for pid in _descendants(child.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    child.kill()
    child.wait()


class ChildFailedError(RuntimeError):
    """The measured child exited non-zero or printed no JSON result."""


def available_memory() -> int:
    """Bytes the kernel says can be allocated without swapping (MemAvailable)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def measure(
    args: list[str],
    *,
    timeout_s: float = 3600,
    env: dict[str, str] | None = None,
    max_memory: int | None = None,
) -> Measured:
    """Run `python -m <args...>` from the repository root; time it and track its tree's RSS.

    `max_memory` (bytes of RSS): the child's tree is killed past it rather than pushing the
    shared machine into the OOM killer; it then counts as failed.
    """
    root = Path(__file__).resolve().parent.parent
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(root), full_env.get("PYTHONPATH", "")) if p
    )
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=root,
            env=full_env,
            stdout=out_file,
            stderr=err_file,
        )
        peak, timed_out, too_big = 0, False, False
        deadline = started + timeout_s
        while child.poll() is None:
            peak = max(peak, tree_rss(child.pid))
            if max_memory is not None and peak > max_memory:
                _kill_tree(child)
                too_big = True
                break
            if time.perf_counter() > deadline:
                _kill_tree(child)
                timed_out = True
                break
            time.sleep(SAMPLE_S)
        seconds = time.perf_counter() - started
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    if too_big:
        raise ChildFailedError(f"{' '.join(args)} stopped at {peak / 2**30:.1f} GB of RSS")
    if timed_out:
        return Measured(seconds, peak, {"seconds": seconds, "timed_out": True})
    result = _json_result(out)
    if child.returncode != 0 or result is None:
        tail = (err or out).strip().splitlines()[-3:]
        raise ChildFailedError(f"{' '.join(args)} exited {child.returncode}: {' | '.join(tail)}")
    return Measured(seconds, peak, result)


def _json_result(out: str) -> dict[str, Any] | None:
    """The child's JSON result: its whole stdout, else its last line that is a JSON object."""
    candidates = [out] + [line for line in reversed(out.splitlines()) if line.startswith("{")]
    for text in candidates:
        try:
            found = json.loads(text)
        except ValueError:
            continue
        if isinstance(found, dict):
            return found
    return None
