"""Storage faults: an S3 server paused mid-run, a fraction of S3 PUTs and GETs failing, a full
disk and a read-only lake. After each, the fault is removed and ordinary re-runs must converge.

The S3 lake lives on moto's server in its own process (SIGSTOP/SIGCONT pause it) or behind
`reliability.s3proxy` (failing requests). The full disk and the read-only lake are a small
tmpfs mount (root only; elsewhere those two scenarios are reported as not run). The DuckDB
engine transforms a local lake only, so the S3 scenarios attack ingestion (Bronze on S3) and
then transform a downloaded copy of the settled lake to check it. While a fault
lasts a command may fail, but only with coinlake's own one-line error, never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from coinlake.config import Settings
from reliability.context import Context
from reliability.invariants import Verdict, check_lake, mirror
from reliability.procs import MotoServer, Outcome, aws_env
from reliability.report import PartResult
from reliability.s3proxy import FlakyS3Proxy
from reliability.scenario import Scenario


def refused_read_only(done: Outcome) -> str | None:
    """None when a command on a read-only lake ended as promised: exit 2, one error line."""
    errors = [line for line in done.lines() if line.startswith("error")]
    if done.returncode == 2 and len(errors) == 1 and "writable" in errors[0]:
        return None
    last = (done.lines() or ["?"])[-1]
    return f"read-only lake: coinlake {done.args[0]} exit {done.returncode}, expected 2: {last}"


def unclear(done: Outcome) -> str | None:
    """The last line when a failed command printed a traceback or an "unexpected" error."""
    if done.returncode == 0 or done.killed:
        return None
    if "Traceback" in done.stderr or "unexpected" in done.stderr:
        return f"coinlake {' '.join(done.args[:2])}: {(done.lines() or ['?'])[-1]}"
    return None


def make_bucket(endpoint: str, bucket: str) -> None:
    from coinlake.aws.clients import s3_client

    s3_client(Settings(lake=f"s3://{bucket}", s3_endpoint_url=endpoint)).create_bucket(
        Bucket=bucket
    )


@contextlib.contextmanager
def tmpfs(path: Path, size_kb: int) -> Iterator[bool]:
    """A tmpfs of `size_kb` at `path`; yields False (and mounts nothing) where mount fails."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)],
        capture_output=True, check=False,
    ).returncode == 0  # fmt: skip
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True, capture_output=True)


def _clear_errors(result: PartResult, *outcomes: Outcome) -> None:
    result.problems += [line for o in outcomes if (line := unclear(o))]


def settle_s3(sc: Scenario, moto: MotoServer) -> Verdict:
    """Ingest on S3 until it succeeds, then transform a local copy and check it."""
    sc.settle(transform=False)
    assert sc.lake is not None
    local = mirror(sc.lake, sc.workdir / "copy", moto.endpoint)
    sc.runner(str(local)).must("transform", "all")
    sc.runs += 1
    return check_lake(local, sc.sandbox.trades(), reference=sc.reference())


def paused_s3(ctx: Context, moto: MotoServer, result: PartResult) -> None:
    rng = ctx.rng("storage:pause")
    make_bucket(moto.endpoint, "paused")
    with Scenario(ctx.workdir / "paused", ctx.spec(), ctx.log, lake="s3://paused/lake",
                  extra_env=aws_env(moto.endpoint)) as sc:  # fmt: skip
        for _ in range(1 if ctx.quick else 3):
            proc = sc.coinlake.start(sc.ingest_args())
            time.sleep(rng.uniform(0.5, 2.0))
            moto.pause()
            time.sleep(rng.uniform(2.0, 4.0) if ctx.quick else rng.uniform(5.0, 20.0))
            moto.resume()
            out, err = proc.communicate(timeout=sc.coinlake.timeout_s)
            sc.runs += 1
            sc.log.write(f"$ ingest during a paused S3: exit {proc.returncode}\n{err[-1500:]}\n")
            _clear_errors(result, Outcome(sc.ingest_args(), proc.returncode, out, err, 0.0))
            sc.sandbox.advance(ctx.minutes(rng, 10, 40))
            result.faults += 1
        result.add(settle_s3(sc, moto), "S3 paused")
        result.runs += sc.runs


def flaky_s3(ctx: Context, moto: MotoServer, result: PartResult) -> None:
    rng = ctx.rng("storage:flaky")
    make_bucket(moto.endpoint, "flaky")
    with FlakyS3Proxy(moto.endpoint, rate=0.1, seed=rng.randrange(10**6)) as proxy, Scenario(
        ctx.workdir / "flaky", ctx.spec(), ctx.log, lake="s3://flaky/lake",
        extra_env=aws_env(proxy.endpoint),
    ) as sc:  # fmt: skip
        proxy.enabled = False
        sc.reference()
        proxy.enabled = True
        for _ in range(2 if ctx.quick else 4):
            _clear_errors(result, sc.run(*sc.ingest_args()))
            sc.sandbox.advance(rng.randint(10, 40) * 60)
        proxy.enabled = False
        result.faults += proxy.failed
        result.add(settle_s3(sc, moto), "S3 flaky")
        result.runs += sc.runs


def full_disk(ctx: Context, result: PartResult) -> None:
    with Scenario(
        ctx.workdir / "full", ctx.spec(), ctx.log, lake=str(ctx.workdir / "full/disk/lake")
    ) as sc:
        reference = sc.reference()
        used = sum(f.stat().st_size for f in reference.rglob("*") if f.is_file())
        disk = ctx.workdir / "full/disk"
        with tmpfs(disk, max(64, used // 1024 // 3)) as mounted:
            if not mounted:
                result.notes.append("full disk: no tmpfs (needs root); not run")
                return
            for _ in range(1 if ctx.quick else 2):
                _clear_errors(result, sc.run(*sc.ingest_args()), sc.run("transform", "all"))
            result.faults += 1
            if ctx.quick:  # the read-only lake on the same disk: one scenario fewer to settle
                refuse_when_read_only(sc, disk, result)
            # Space comes back: the lake moves to a roomy disk, as an operator would do.
            roomy = ctx.workdir / "full/roomy"
            shutil.copytree(disk / "lake", roomy / "lake", symlinks=True)
        sc.lake = str(roomy / "lake")
        sc.coinlake = sc.runner(sc.lake)
        sc.settle()
        result.add(sc.verdict(), "full disk")
        result.runs += sc.runs


def refuse_when_read_only(sc: Scenario, disk: Path, result: PartResult) -> None:
    """Remount `disk` read-only, run ingest and transform (each must refuse with one line and
    exit 2), then make it writable again."""
    remount(disk, "ro")
    try:
        ingest, transform = sc.run(*sc.ingest_args()), sc.run("transform", "all")
    finally:
        remount(disk, "rw")
    result.faults += 1
    result.problems += [line for o in (ingest, transform) if (line := refused_read_only(o))]


def read_only(ctx: Context, result: PartResult) -> None:
    disk = ctx.workdir / "ro/disk"
    with tmpfs(disk, 256 * 1024) as mounted, Scenario(
        ctx.workdir / "ro", ctx.spec(), ctx.log, lake=str(disk / "lake")
    ) as sc:  # fmt: skip
        if not mounted:
            result.notes.append("read-only lake: no tmpfs (needs root); not run")
            return
        sc.run(*sc.ingest_args())
        sc.sandbox.advance(30 * 60)
        refuse_when_read_only(sc, disk, result)
        sc.settle()
        result.add(sc.verdict(), "read-only")
        result.runs += sc.runs


def run(ctx: Context) -> PartResult:
    result = PartResult("storage faults", ctx.seed)
    os.environ.update({k: v for k, v in aws_env("").items() if k.startswith("AWS_")})
    with MotoServer() as moto:
        paused_s3(ctx, moto, result)
        if not ctx.quick:
            flaky_s3(ctx, moto, result)
    full_disk(ctx, result)
    if not ctx.quick:
        read_only(ctx, result)
    return result
