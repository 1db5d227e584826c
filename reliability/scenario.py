"""A sandbox, a lake and the commands that fill it: what each part attacks."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from coinlake.domain.envelope import format_timestamp
from coinlake.sandbox.clock import from_us
from reliability.invariants import Verdict, check_lake, mirror
from reliability.procs import Coinlake, MarketSpec, Outcome, Sandbox

_REFERENCES: dict[tuple[MarketSpec, float], tuple[Path, dict[str, float]]] = {}
"""Reference lakes built so far, by market and sandbox time, with their commands' timings."""


@dataclass
class Scenario:
    """One sandbox (`spec`) and one lake under `workdir`; `reference()` is the same sandbox's
    data landed by one uninterrupted ingest and transform, for the convergence check."""

    workdir: Path
    spec: MarketSpec
    log: IO[str]
    lake: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    runs: int = 0
    faults_fired: int = 0
    """Sandbox faults that fired, summed at every `clear_faults`."""
    timings: dict[str, float] = field(default_factory=dict)
    """Wall seconds of the reference's uninterrupted ingest and transform."""

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.sandbox = Sandbox(self.spec, self.log)
        self.lake = self.lake or str(self.workdir / "lake")
        self.coinlake = self.runner(self.lake)

    def __enter__(self) -> Scenario:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.sandbox.stop():
            raise RuntimeError("the sandbox ignored SIGTERM (a fault hung it) and was killed")

    def runner(self, lake: str) -> Coinlake:
        return Coinlake(lake, {**self.sandbox.env(), **self.extra_env})

    @property
    def since(self) -> str:
        """The market's first minute: `--since`/`--from` that reach every served trade."""
        return format_timestamp(from_us(self.spec.market().origin_us))

    def ingest_args(self) -> list[str]:
        return ["ingest", "--source", "coinbase", "--since", self.since]

    def backfill_args(self) -> list[str]:
        return ["backfill", "--from", self.since]

    def run(
        self, *args: str, kill_after: float | None = None, runner: Coinlake | None = None
    ) -> Outcome:
        """One coinlake command on this lake, logged."""
        done = self.coinlake.run(*args, kill_after=kill_after)
        self.runs += 1
        if self.log:
            state = "killed" if done.killed else f"exit {done.returncode}"
            self.log.write(f"$ coinlake {' '.join(args)}  # {state} after {done.wall_s:.2f}s\n")
            self.log.write(done.stderr[-2000:] + "\n")
        return done

    def clear_faults(self) -> None:
        self.faults_fired += self.sandbox.clear_faults()

    def settle(self, *, transform: bool = True) -> None:
        """Faults off, then ingest (and transform) until they exit 0 (at most three rounds)."""
        self.clear_faults()
        commands = [self.ingest_args()] + ([["transform", "all"]] if transform else [])
        for _ in range(3):
            outcomes = [self.run(*args) for args in commands]
            if all(o.returncode == 0 for o in outcomes):
                return
        raise RuntimeError(
            "the lake did not settle: "
            + "; ".join(
                f"{o.args[0]} exit {o.returncode} ({(o.lines() or [''])[-1]})" for o in outcomes
            )
        )

    def reference(self) -> Path:
        """The lake one uninterrupted run builds from this sandbox as it is now (built once per
        market and time in this process: scenarios of the same spec share it)."""
        self.clear_faults()
        built = _REFERENCES.get((self.spec, self.sandbox.advanced_s))
        if built is not None and built[0].exists():
            self.timings.update(built[1])
            return built[0]
        path = self.workdir / f"reference-{self.sandbox.advanced_s:g}"
        ref = self.runner(str(path))
        self.timings["ingest"] = ref.must(*self.ingest_args()).wall_s
        self.timings["transform"] = ref.must("transform", "all").wall_s
        _REFERENCES[(self.spec, self.sandbox.advanced_s)] = (path, dict(self.timings))
        return path

    def verdict(
        self,
        s3_endpoint_url: str | None = None,
        *,
        compare: bool = True,
        excused: set[tuple[str, int]] | None = None,
    ) -> Verdict:
        """The invariants on this lake (downloaded first when it is on S3)."""
        assert self.lake is not None
        local = mirror(self.lake, self.workdir / "mirror", s3_endpoint_url)
        try:
            return check_lake(
                local, self.sandbox.trades(),
                reference=self.reference() if compare else None, excused=excused,
            )  # fmt: skip
        finally:
            if local != Path(self.lake):
                shutil.rmtree(local, ignore_errors=True)
