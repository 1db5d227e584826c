"""What the stack ships: the ingest Lambda's zip and the project packaged for Glue.

    python -m infra.artifacts glue     # builds dist/glue/coinlake-glue-lib.zip

The Lambda zip comes from `python -m coinlake.devtools.lambda_package` (`make synth` builds both
when missing). The CDK context keys `lambda_zip` and `glue_library` point at other files.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path

from coinlake.errors import ConfigError
from infra.transforms.construct import GlueLibrary

ROOT = Path(__file__).resolve().parents[1]
LAMBDA_ZIP = ROOT / "dist" / "coinlake-ingest-lambda.zip"
GLUE_ARCHIVE = ROOT / "dist" / "glue" / "coinlake-glue-lib.zip"
GLUE_EXTRAS = ("sqlglot",)
"""Requirements of optional extras the Spark transforms import (pyspark itself is Glue's)."""
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


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


def main(argv: list[str] | None = None) -> int:
    """`glue`: build the Glue library; prints where it went."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["glue"]:
        print("usage: python -m infra.artifacts glue", file=sys.stderr)
        return 2
    print(build_glue_library())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
