"""Compute cost per million trades, from the measured throughput of each engine.

Spark on Glue, at the deployment's default job (`coinlake.deployment.Deployment`: worker type
and count) and Glue's DPU-hour price (`coinlake.cost.prices`). Assumptions, stated in the note:
Glue runs the Spark driver on one of the job's workers and one executor on each of the others
(the G.1X/G.2X worker types give one executor per worker), and Spark's throughput scales in
proportion to the executors' vCPUs from this machine's cores (`local[<cores>]`), which flatters
Glue (no shuffle over the network, no S3 latency). Every worker's DPUs are billed for the time.
The per-run minimum (Glue bills at least a minute) is left out: the figure is per million
trades of a run large enough to be past it.

DuckDB, beside it: the same measured seconds priced as Lambda compute with as many vCPUs as
this machine has (Lambda gives one vCPU per 1,769 MB of memory). coinlake does not run its
transforms in Lambda (the Lambda only ingests); this is the price of the measured work on
pay-per-second 2-vCPU compute, the honest comparison for "one small machine".
"""

from __future__ import annotations

import os
from decimal import Decimal

from bench.report import Record, label, record
from bench.throughput import NAMES
from coinlake.cost.prices import DPU_PER_WORKER, GLUE_DPU_HOUR, LAMBDA_GB_SECOND
from coinlake.deployment import Deployment

VCPU_PER_DPU = 4
"""A DPU is 4 vCPUs and 16 GB (AWS Glue worker types page)."""
LAMBDA_MB_PER_VCPU = 1769
"""Lambda allocates one vCPU per 1,769 MB of memory (Lambda configuration docs)."""


def _value(records: list[Record], name: str) -> float | None:
    found = [r["value"] for r in records if r["name"] == name and r["value"] is not None]
    return float(found[0]) if found else None


def glue(spark_tps: float, cores: int, deployment: Deployment) -> tuple[float, str]:
    """(USD per 1M trades on Glue, the arithmetic) from Spark local's trades/s on `cores`."""
    dpu = DPU_PER_WORKER[deployment.glue_worker_type]
    workers = deployment.glue_workers
    executor_vcpu = (workers - 1) * int(dpu) * VCPU_PER_DPU
    scale = executor_vcpu / cores
    seconds = 1_000_000 / (spark_tps * scale)
    dpu_hours = workers * dpu * Decimal(seconds) / 3600
    usd = dpu_hours * GLUE_DPU_HOUR.usd
    note = (
        f"{workers} x {deployment.glue_worker_type} (Deployment defaults), driver on one worker: "
        f"{executor_vcpu} executor vCPU / {cores} local cores = x{scale:g}; 1M / ({spark_tps:,.0f}"
        f" x {scale:g}) = {seconds:.2f} s; {workers * dpu} DPU x {seconds:.2f} s / 3600 = "
        f"{dpu_hours:.6f} DPU-h x ${GLUE_DPU_HOUR.usd}/DPU-h = ${usd:.5f}; per-run 1-min minimum "
        "left out; linear scaling assumed"
    )
    return float(usd), note


def lambda_priced(duckdb_tps: float, cores: int) -> tuple[float, str]:
    """(USD per 1M trades, the arithmetic) for DuckDB's measured seconds as `cores`-vCPU Lambda
    compute."""
    memory_gb = Decimal(cores * LAMBDA_MB_PER_VCPU) / 1024
    seconds = 1_000_000 / duckdb_tps
    gb_s = memory_gb * Decimal(seconds)
    usd = gb_s * LAMBDA_GB_SECOND.usd
    note = (
        f"1M / {duckdb_tps:,.0f} = {seconds:.3f} s on {cores} vCPU; priced as Lambda with "
        f"{cores} x {LAMBDA_MB_PER_VCPU} MB = {memory_gb:.3f} GB: {gb_s:.3f} GB-s x "
        f"${LAMBDA_GB_SECOND.usd}/GB-s = ${usd:.6f} (not how coinlake deploys: its Lambda ingests)"
    )
    return float(usd), note


def records(found: list[Record], n: int) -> list[Record]:
    """Cost records from the throughput records of size `n` (both engines must be measured)."""
    cores = os.cpu_count() or 2
    size = label(n)
    spark = _value(found, f"{size} {NAMES['spark']} throughput")
    duckdb = _value(found, f"{size} {NAMES['duckdb']} throughput")
    if spark is None or duckdb is None:
        raise RuntimeError(f"no {size} Spark and DuckDB throughput to price")
    usd, note = glue(spark, cores, Deployment())
    out = [record(f"{size} Spark on Glue: cost per 1M trades", usd, "USD", None, note)]
    usd, note = lambda_priced(duckdb, cores)
    out.append(
        record(f"{size} DuckDB on {cores}-vCPU compute: cost per 1M trades", usd, "USD", None, note)
    )
    return out
