"""Build the ingest Lambda's zip and measure it: size and cold import time of the handler.

    python -m coinlake.devtools.lambda_package [--output dist/coinlake-ingest-lambda.zip]

The package carries only what the handler imports:

- Python dependencies: the handler's own closure, i.e. the core dependencies and the `aws` extra
  (Powertools) of `pyproject.toml` minus the CLI's (`CLI_ONLY`: typer, rich and with them
  pygments and markdown-it) and minus boto3 and its dependencies, which the Lambda Python
  runtime provides;
- coinlake's own modules: those the handler module reaches through its imports (`import_closure`,
  read from the source, function-level imports included), so the CLI, the sandbox, the page
  generators, the fake market clock, the transforms and the query layer stay out.

`pip install --target` fills a temporary folder that is zipped as is (with the bytecode pip
compiled: Lambda cannot write `__pycache__`, so shipping it saves compile time on every cold
start). Build it on the platform Lambda runs (Linux x86_64, the runtime's Python) so binary
wheels such as pydantic-core match. Cold import is the median over fresh interpreters that see
only the package folder and the standard library.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

HANDLER_MODULE = "coinlake.runtime.lambda_ingest"
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
"""Top-level names of what the Lambda Python runtime already ships (boto3 and its deps)."""
DIST_INFO = ("boto3-", "botocore-", "s3transfer-", "jmespath-", "python_dateutil-", "six-",
             "urllib3-")  # fmt: skip
NEVER = ("duckdb", "pyarrow", "pandas", "pyspark", "polars", "typer", "rich", "pygments")
POWERTOOLS = "aws_lambda_powertools"
CLI_ONLY = ("typer", "rich")
"""Core dependencies only the command line uses."""
PACKAGE = "coinlake"
GOAL_MB = 6.0


@dataclass(frozen=True, slots=True)
class PackageReport:
    """What the build produced."""

    zip_path: Path
    zip_mb: float
    unzipped_mb: float
    cold_import_s: float
    cold_import_runs: tuple[float, ...]
    cold_import_cpu_s: float
    """CPU time of the same import (median)."""
    cold_start_s: float
    """Import plus the logging set-up of the first invocation (median)."""


def _project_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    raise SystemExit("cannot find pyproject.toml above this file; run from a source checkout")


def handler_requirements(project: Path, *, powertools: bool = False) -> list[str]:
    """The handler's third-party requirements: core + `aws` extra, minus `CLI_ONLY`, what the
    runtime provides and (unless `powertools`) Powertools: the handler formats its JSON logs
    with `coinlake.log.JsonFormatter` when Powertools is absent (same context keys), and
    Powertools alone would take the zip past its goal (it can come as a Lambda layer)."""
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*meta["dependencies"], *meta["optional-dependencies"]["aws"]]
    dropped = {*CLI_ONLY, *RUNTIME_PROVIDED, *(() if powertools else (POWERTOOLS,))}
    return [req for req in wanted if _name(req) not in dropped]


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("-", "_")


def install(target: Path, project: Path, *, powertools: bool = False) -> None:
    """pip install coinlake (no dependencies) and the handler's requirements into `target`, then
    drop what the runtime provides and the coinlake modules the handler never imports."""
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "--target", str(target)]  # fmt: skip
    reqs = handler_requirements(project, powertools=powertools)
    subprocess.run([*pip, *reqs], check=True)  # noqa: S603 - our own interpreter and paths
    subprocess.run([*pip, "--upgrade", "--no-deps", str(project)], check=True)  # noqa: S603
    for entry in list(target.iterdir()):
        name = entry.name
        if name in RUNTIME_PROVIDED or name.startswith(DIST_INFO) or name == "bin":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    prune_package(target / PACKAGE, import_closure(target, HANDLER_MODULE))
    present = [name for name in NEVER if (target / name).exists()]
    if present:
        raise SystemExit(f"the Lambda package must not contain {', '.join(present)}")


def import_closure(root: Path, module: str) -> set[str]:
    """Every coinlake module `module` imports, directly or not (function-level imports too;
    `if TYPE_CHECKING:` blocks aside), with the packages that hold them.

    A module that imports one of `NEVER` at its top (`coinlake.query.views`, which the package
    root's `connect()` loads) cannot load in the Lambda at all, so it is left out with what only
    it reaches.
    """
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        path = _module_path(root, name)
        if name in seen or path is None or _needs_excluded(path):
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        todo += _imports(path, name)
    return seen


def _module_path(root: Path, name: str) -> Path | None:
    base = root.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _needs_excluded(path: Path) -> bool:
    """True when the module imports a `NEVER` package at its top level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return any(name.partition(".")[0] in NEVER for name in names)


def _imports(path: Path, name: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for child in ast.walk(stmt)
    }
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[str] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]  # submodules, if any
    return [item for item in found if item.partition(".")[0] == PACKAGE]


def prune_package(folder: Path, keep: set[str]) -> None:
    """Delete every module of `folder` (coinlake) that is not in `keep`, the data files of
    packages not in `keep` (the report's assets) and the bytecode of what was deleted."""
    for path in sorted(
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ):
        relative = path.relative_to(folder.parent)
        if path.suffix == ".py":
            parts = relative.with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        else:  # a data file belongs to the package of its folder
            name = ".".join(relative.parts[:-1])
        if name not in keep:
            path.unlink()
    for cache in folder.rglob("__pycache__"):
        for compiled in cache.glob("*.pyc"):
            if not (cache.parent / f"{compiled.name.split('.')[0]}.py").exists():
                compiled.unlink()
    for directory in sorted(folder.rglob("*"), reverse=True):
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()


def write_zip(source: Path, output: Path) -> None:
    """Zip `source` (sorted, deflated) to `output`."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(source).as_posix())


def cold_import_seconds(
    folder: Path, runs: int = 7, *, with_logging: bool = False, cpu: bool = False
) -> tuple[float, ...]:
    """Seconds to import the handler module in fresh interpreters (no site-packages); with
    `with_logging`, also the first call's JSON logging set-up. Wall time, or with `cpu` the
    process's CPU time (steadier on a busy machine, where wall time mostly measures waiting)."""
    setup = f"{HANDLER_MODULE}.configure_lambda_logging(); " if with_logging else ""
    timer = "time.process_time()" if cpu else "time.perf_counter()"
    code = (
        f"import sys, time; sys.path.insert(0, sys.argv[1]); t = {timer}; "
        f"import {HANDLER_MODULE}; {setup}print({timer} - t); "
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


def build(output: Path, runs: int = 7, *, powertools: bool = False) -> PackageReport:
    """Build the zip at `output` and measure it."""
    with tempfile.TemporaryDirectory(prefix="coinlake-lambda-") as temp:
        folder = Path(temp) / "package"
        install(folder, _project_root(), powertools=powertools)
        write_zip(folder, output)
        times = cold_import_seconds(folder, runs)
        cpu = cold_import_seconds(folder, runs, cpu=True)
        with_logging = cold_import_seconds(folder, runs, with_logging=True)
        return PackageReport(
            zip_path=output,
            zip_mb=output.stat().st_size / 1e6,
            unzipped_mb=_size_mb(folder),
            cold_import_s=statistics.median(times),
            cold_import_runs=times,
            cold_import_cpu_s=statistics.median(cpu),
            cold_start_s=statistics.median(with_logging),
        )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the figures, exit 1 when the zip misses the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("dist/coinlake-ingest-lambda.zip"))
    parser.add_argument("--runs", type=int, default=7, help="cold imports to take the median of")
    parser.add_argument(
        "--powertools", action="store_true", help="also ship aws-lambda-powertools (~2.5 MB)"
    )
    args = parser.parse_args(argv)
    report = build(args.output, args.runs, powertools=args.powertools)
    print(f"zip: {report.zip_path} {report.zip_mb:.2f} MB (unzipped {report.unzipped_mb:.2f} MB)")
    runs = ", ".join(f"{t:.3f}" for t in report.cold_import_runs)
    print(f"cold import of {HANDLER_MODULE}: median {report.cold_import_s:.3f} s ({runs})")
    print(f"cold import CPU time: median {report.cold_import_cpu_s:.3f} s")
    print(f"cold import + JSON logging set-up: median {report.cold_start_s:.3f} s")
    if report.zip_mb >= GOAL_MB:
        print(f"over the {GOAL_MB:.0f} MB goal")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
