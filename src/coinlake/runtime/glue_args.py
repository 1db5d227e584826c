"""The Glue job's arguments: `--JOB_NAME`, `--lake`, `--layer`, `--full-refresh`, `--quality`,
`--metrics`.

Two ways in, one result (`JobArgs`):
- on AWS Glue, `awsglue.utils.getResolvedOptions(sys.argv, names)` resolves the names the job
  was started with; it treats every name it is given as required, so `glue_option_names()`
  asks only for the optional ones present in argv;
- anywhere else, `parse_argv()` reads the same names from argv with argparse.

`--full-refresh` (or `--full_refresh`, the spelling Glue's console favours) takes `true`/`false`
as Glue passes every argument as a key and a value; bare `--full-refresh` means true on the
command line. `--quality` (default true) runs the data-quality checks after the transforms;
`--metrics` (default false; the deployed job passes true) publishes their failure counts to
CloudWatch. Mistakes raise `ConfigError` with one line naming the argument.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

from coinlake.errors import ConfigError

LAYERS = ("silver", "gold", "all")
_TRUE = ("true", "1", "yes", "y", "on")
_FALSE = ("false", "0", "no", "n", "off", "")


@dataclass(frozen=True, slots=True)
class JobArgs:
    """What the job runs."""

    job_name: str
    lake: str
    layer: str = "all"
    full_refresh: bool = False
    quality: bool = True
    """Run the quality checks after the transforms."""
    metrics: bool = False
    """Publish the checks' failure counts as CloudWatch metrics."""


def parse_bool(name: str, value: str | bool | None) -> bool:
    """`true`/`false` (and 1/0, yes/no, on/off) as a bool.

    Raises:
        ConfigError: anything else.
    """
    if isinstance(value, bool):
        return value
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"--{name} {value!r}: use true or false")


def _checked(
    job_name: str | None,
    lake: str | None,
    layer: str | None,
    full: bool,
    quality: bool = True,
    metrics: bool = False,
) -> JobArgs:
    if not job_name or not job_name.strip():
        raise ConfigError("--JOB_NAME is required (any name; Glue sets it)")
    if not lake or not lake.strip():
        raise ConfigError("--lake is required: a lake folder or s3://bucket/prefix")
    chosen = (layer or "all").strip().lower()
    if chosen not in LAYERS:
        raise ConfigError(f"--layer {layer!r}: choose silver, gold or all")
    return JobArgs(job_name.strip(), lake.strip(), chosen, full, quality, metrics)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"glue job arguments: {message}")


def parse_argv(argv: Sequence[str]) -> JobArgs:
    """Arguments given on a command line (without the program name).

    Raises:
        ConfigError: unknown or missing arguments, a bad layer or flag value.
    """
    parser = _Parser(prog="coinlake-glue-job", add_help=False)
    parser.add_argument("--JOB_NAME", dest="job_name")
    parser.add_argument("--lake")
    parser.add_argument("--layer", default="all")
    parser.add_argument(
        "--full-refresh",
        "--full_refresh",
        dest="full_refresh",
        nargs="?",
        const="true",
        default="false",
    )
    parser.add_argument("--quality", nargs="?", const="true", default="true")
    parser.add_argument("--metrics", nargs="?", const="true", default="false")
    parsed = parser.parse_args(list(argv))
    full = parse_bool("full-refresh", parsed.full_refresh)
    return _checked(
        parsed.job_name,
        parsed.lake,
        parsed.layer,
        full,
        parse_bool("quality", parsed.quality),
        parse_bool("metrics", parsed.metrics),
    )


def glue_option_names(argv: Sequence[str]) -> list[str]:
    """The names to hand `getResolvedOptions`: the required two plus the optional ones that
    appear in `argv` (Glue's resolver fails on any name it is given but cannot find)."""
    given = {arg.split("=", 1)[0] for arg in argv if arg.startswith("--")}
    names = ["JOB_NAME", "lake"]
    optional = ("layer", "full-refresh", "full_refresh", "quality", "metrics")
    names += [name for name in optional if f"--{name}" in given]
    return names


def from_resolved(resolved: Mapping[str, str]) -> JobArgs:
    """Arguments from `getResolvedOptions`' mapping (keys as given or with `_` for `-`).

    Raises:
        ConfigError: a missing or bad value.
    """
    full_text = resolved.get("full-refresh", resolved.get("full_refresh", "false"))
    return _checked(
        resolved.get("JOB_NAME"),
        resolved.get("lake"),
        resolved.get("layer"),
        parse_bool("full-refresh", full_text),
        parse_bool("quality", resolved.get("quality", "true")),
        parse_bool("metrics", resolved.get("metrics", "false")),
    )
