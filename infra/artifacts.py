"""What the stack ships: the ingest Lambda's zip and the project packaged for Glue.

    python -m infra.artifacts     # builds both when missing or older than the sources

The Lambda zip is built by `coinlake.devtools.lambda_package`, the Glue library is the project's
wheel. Each build leaves a stamp (a hash of `src/` and `pyproject.toml`) next to its file, so an
unchanged checkout reuses them. The CDK context keys `lambda_zip` and `glue_library` point the app
at other files. No CDK import here: the Makefile and the tests build before the app loads.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from coinlake.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
LAMBDA_ZIP = ROOT / "dist" / "coinlake-ingest-lambda.zip"
GLUE_ARCHIVE = ROOT / "dist" / "glue" / "coinlake-glue-lib.zip"
GLUE_EXTRAS = ("sqlglot",)
"""Requirements of optional extras the Spark transforms import (pyspark itself is Glue's)."""
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True, slots=True)
class GlueLibrary:
    """The project packaged for Glue: the wheel (stored as a `.zip`) and its PyPI requirements."""

    archive: Path
    requirements: tuple[str, ...]


def lambda_zip(context: Mapping[str, object]) -> Path:
    """The ingest Lambda's zip (context `lambda_zip`, else `dist/coinlake-ingest-lambda.zip`).

    Raises:
        ConfigError: the file does not exist.
    """
    path = Path(str(context.get("lambda_zip") or LAMBDA_ZIP))
    if not path.is_file():
        raise ConfigError(
            f"no Lambda package at {path}: run `make synth` (it builds it) or "
            "`python -m coinlake.devtools.lambda_package --output dist/coinlake-ingest-lambda.zip`"
        )
    return path


def glue_library(context: Mapping[str, object]) -> GlueLibrary:
    """The project for Glue (context `glue_library`, else `dist/glue/coinlake-glue-lib.zip`).

    Raises:
        ConfigError: the archive does not exist.
    """
    path = Path(str(context.get("glue_library") or GLUE_ARCHIVE))
    if not path.is_file():
        raise ConfigError(
            f"no Glue library at {path}: run `make synth` or `python -m infra.artifacts glue`"
        )
    return GlueLibrary(path, glue_requirements())


def glue_requirements(pyproject: Path = ROOT / "pyproject.toml") -> tuple[str, ...]:
    """`name==version` of the core dependencies and `GLUE_EXTRAS`, at the versions installed
    here (the ones the tests ran with); `--additional-python-modules` is a comma list, so a
    range such as `>=2,<3` cannot be passed."""
    project = tomllib.loads(pyproject.read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted += [req for req in extra if _name(req) in GLUE_EXTRAS]
    pins = []
    for requirement in wanted:
        name = _name(requirement)
        try:
            pins.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError as exc:
            raise ConfigError(f"{name} is not installed: install the project with [dev]") from exc
    return tuple(dict.fromkeys(pins))


def _name(requirement: str) -> str:
    match = _NAME.match(requirement)
    if match is None:
        raise ConfigError(f"unreadable requirement {requirement!r} in pyproject.toml")
    return match.group(0).lower()


def build_glue_library(output: Path = GLUE_ARCHIVE) -> Path:
    """Build the project's wheel (no dependencies) and store it as `output` (a `.zip`)."""
    with tempfile.TemporaryDirectory(prefix="coinlake-wheel-") as temp:
        subprocess.run(  # noqa: S603 - our own interpreter and paths
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
             "--disable-pip-version-check", "--wheel-dir", temp, str(ROOT)],
            check=True,
        )  # fmt: skip
        wheels = sorted(Path(temp).glob("coinlake-*.whl"))
        if len(wheels) != 1:
            raise SystemExit(f"expected one coinlake wheel, found {[w.name for w in wheels]}")
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(wheels[0], output)
    return output


def build_lambda_zip(output: Path = LAMBDA_ZIP) -> Path:
    """Build the ingest Lambda's zip with `coinlake.devtools.lambda_package`."""
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "coinlake.devtools.lambda_package", "--output", str(output),
         "--runs", "1"],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    return output


def sources_hash(root: Path = ROOT) -> str:
    """A hash of what the packages are built from: `src/` and the project's metadata (name,
    version, dependencies; tool settings in `pyproject.toml` do not change a package)."""
    digest = hashlib.sha256()
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    metadata = {key: pyproject.get(key) for key in ("project", "build-system")}
    digest.update(json.dumps(metadata, sort_keys=True).encode())
    for path in sorted((root / "src").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_built(output: Path, build: Callable[[Path], Path]) -> bool:
    """Build `output` unless its stamp matches the current sources; True when it built."""
    stamp = output.with_name(output.name + ".sources")
    current = sources_hash()
    if output.is_file() and stamp.is_file() and stamp.read_text().strip() == current:
        return False
    build(output)
    stamp.write_text(current + "\n")
    return True


def ensure_all() -> list[Path]:
    """Both packages, built when missing or stale."""
    ensure_built(LAMBDA_ZIP, build_lambda_zip)
    ensure_built(GLUE_ARCHIVE, build_glue_library)
    return [LAMBDA_ZIP, GLUE_ARCHIVE]


def main() -> int:
    """Build what is missing or stale; print the paths."""
    for path in ensure_all():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
