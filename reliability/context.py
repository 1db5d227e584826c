"""What every part receives: where to work, its seed, its size and the log."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from reliability.procs import MarketSpec

QUICK_ADVANCE_S = 30 * 60


@dataclass
class Context:
    """A part's working folder, seed (printed, for replay), size and log file."""

    workdir: Path
    seed: int
    quick: bool
    log: IO[str]

    def rng(self, salt: str) -> random.Random:
        """A generator fixed by the seed and a name (the same seed replays the same choices)."""
        return random.Random(f"{self.seed}:{salt}")

    def spec(self, **overrides: object) -> MarketSpec:
        """The market a part attacks: small for `make test`, a few dozen pages otherwise."""
        size = {"history_days": 0.03, "products": ("BTC-USD",)} if self.quick else {}
        return MarketSpec(**{"seed": self.seed % 1000, **size, **overrides})  # type: ignore[arg-type]

    def minutes(self, rng: random.Random, low: int, high: int, *, moves: int = 1) -> int:
        """Seconds to move the market on: `low`..`high` minutes at random in full runs; in quick
        runs a fixed 30 minutes per part in all (`moves` steps), so that the parts' reference
        lakes are the same one, built once (`Scenario.reference`)."""
        if self.quick:
            return QUICK_ADVANCE_S // moves
        return rng.randint(low, high) * 60

    def note(self, text: str) -> None:
        self.log.write(text + "\n")
        self.log.flush()
