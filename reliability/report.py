"""One row per part and the table `make reliability` prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reliability.invariants import Verdict

HEADERS = ("part", "runs", "faults", "expected", "found", "duplicated", "lost", "wall s", "result")


@dataclass
class PartResult:
    """What a part did and what the invariants found, summed over its scenarios."""

    part: str
    seed: int
    runs: int = 0
    """coinlake commands run (killed ones included)."""
    faults: int = 0
    """Faults injected: kills, fault rules fired or scripted, storage faults, hostile inputs."""
    expected: int = 0
    found: int = 0
    duplicated: int = 0
    lost: int = 0
    wall_s: float = 0.0
    problems: list[str] = field(default_factory=list)
    """Invariant violations and wrong behaviour: each fails the suite."""
    pending: list[str] = field(default_factory=list)
    """Known defects still open: reported, not failing (each names what is expected)."""
    notes: list[str] = field(default_factory=list)

    def add(self, verdict: Verdict, scenario: str) -> None:
        """Sum one lake's verdict into the row."""
        self.expected += verdict.expected
        self.found += verdict.found
        self.duplicated += verdict.duplicated
        self.lost += verdict.lost
        self.problems += [f"{scenario}: {p}" for p in verdict.problems]

    @property
    def failed(self) -> bool:
        return bool(self.lost or self.duplicated or self.problems)

    def cells(self) -> tuple[str, ...]:
        result = "FAIL" if self.failed else ("ok, pending" if self.pending else "ok")
        return (
            self.part, f"{self.runs:,}", f"{self.faults:,}", f"{self.expected:,}",
            f"{self.found:,}", f"{self.duplicated:,}", f"{self.lost:,}", f"{self.wall_s:.1f}",
            result,
        )  # fmt: skip


def render(results: Sequence[PartResult]) -> str:
    """The table, then the seeds, the failures and what is pending."""
    rows = [HEADERS, *(r.cells() for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    align = [str.ljust] + [str.rjust] * (len(HEADERS) - 2) + [str.ljust]

    def line(row: Sequence[str]) -> str:
        return " | ".join(align[i](cell, widths[i]) for i, cell in enumerate(row))

    out = [line(HEADERS), "-+-".join("-" * w for w in widths)]
    out += [line(r.cells()) for r in results]
    out.append("")
    out.append("seeds: " + " ".join(f"{r.part}={r.seed}" for r in results))
    for r in results:
        out += [f"FAIL {r.part}: {p}" for p in r.problems]
        out += [f"pending {r.part}: {p}" for p in r.pending]
        out += [f"note {r.part}: {n}" for n in r.notes]
    return "\n".join(out)
