"""Build the ingest Lambda's zip and measure it: size and cold import time of the handler.

    python -m coinlake.devtools.lambda_package [--output dist/coinlake-ingest-lambda.zip]

The package holds coinlake with its core dependencies and the `aws` extra (Powertools), minus
boto3 and its own dependencies, which the Lambda Python runtime provides. `pip install --target`
fills a temporary folder that is zipped as is (with the bytecode pip compiled: Lambda cannot
write `__pycache__`, so shipping it saves compile time on every cold start). Build it on the
platform Lambda runs (Linux x86_64, the runtime's Python) so binary wheels such as pydantic-core
match. Cold import is the median over fresh interpreters that see only the package folder and
the standard library.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

HANDLER_MODULE = "coinlake.runtime.lambda_ingest"
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
"""Top-level names of what the Lambda Python runtime already ships (boto3 and its deps)."""
DIST_INFO = ("boto3-", "botocore-", "s3transfer-", "jmespath-", "python_dateutil-", "six-",
             "urllib3-")  # fmt: skip
NEVER = ("duckdb", "pyarrow", "pandas", "pyspark", "polars")
GOAL_MB = 15.0


@dataclass(frozen=True, slots=True)
class PackageReport:
    """What the build produced."""

    zip_path: Path
    zip_mb: float
    unzipped_mb: float
    cold_import_s: float
    cold_import_runs: tuple[float, ...]
    cold_start_s: float
    """Import plus the logging set-up of the first invocation (median)."""


def _project_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    raise SystemExit("cannot find pyproject.toml above this file; run from a source checkout")


def install(target: Path, project: Path) -> None:
    """pip install coinlake[aws] into `target`, then drop what the runtime provides."""
    subprocess.run(  # noqa: S603 - our own interpreter and paths
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--target", str(target), f"{project}[aws]"],
        check=True,
    )  # fmt: skip
    for entry in list(target.iterdir()):
        name = entry.name
        if name in RUNTIME_PROVIDED or name.startswith(DIST_INFO) or name == "bin":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    present = [name for name in NEVER if (target / name).exists()]
    if present:
        raise SystemExit(f"the Lambda package must not contain {', '.join(present)}")


def write_zip(source: Path, output: Path) -> None:
    """Zip `source` (sorted, deflated) to `output`."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(source).as_posix())


def cold_import_seconds(
    folder: Path, runs: int = 7, *, with_logging: bool = False
) -> tuple[float, ...]:
    """Seconds to import the handler module in fresh interpreters (no site-packages); with
    `with_logging`, also the first call's JSON logging set-up (Powertools' formatter)."""
    setup = f"{HANDLER_MODULE}.configure_lambda_logging(); " if with_logging else ""
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); t = time.perf_counter(); "
        f"import {HANDLER_MODULE}; {setup}print(time.perf_counter() - t); "
        f"assert not set({list(NEVER)!r}) & {{m.partition('.')[0] for m in sys.modules}}"
    )
    times = []
    for _ in range(runs):
        done = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-S", "-c", code, str(folder)],
            check=True,
            capture_output=True,
            text=True,
        )
        times.append(float(done.stdout.strip()))
    return tuple(times)


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def build(output: Path, runs: int = 7) -> PackageReport:
    """Build the zip at `output` and measure it."""
    with tempfile.TemporaryDirectory(prefix="coinlake-lambda-") as temp:
        folder = Path(temp) / "package"
        install(folder, _project_root())
        write_zip(folder, output)
        times = cold_import_seconds(folder, runs)
        with_logging = cold_import_seconds(folder, runs, with_logging=True)
        return PackageReport(
            zip_path=output,
            zip_mb=output.stat().st_size / 1e6,
            unzipped_mb=_size_mb(folder),
            cold_import_s=statistics.median(times),
            cold_import_runs=times,
            cold_start_s=statistics.median(with_logging),
        )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the figures, exit 1 when the zip misses the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("dist/coinlake-ingest-lambda.zip"))
    parser.add_argument("--runs", type=int, default=7, help="cold imports to take the median of")
    args = parser.parse_args(argv)
    report = build(args.output, args.runs)
    print(f"zip: {report.zip_path} {report.zip_mb:.2f} MB (unzipped {report.unzipped_mb:.2f} MB)")
    runs = ", ".join(f"{t:.3f}" for t in report.cold_import_runs)
    print(f"cold import of {HANDLER_MODULE}: median {report.cold_import_s:.3f} s ({runs})")
    print(f"cold import + JSON logging set-up: median {report.cold_start_s:.3f} s")
    if report.zip_mb >= GOAL_MB:
        print(f"over the {GOAL_MB:.0f} MB goal")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
