"""Glue job argument parsing: argv and getResolvedOptions' mapping give the same JobArgs."""

from __future__ import annotations

import pytest

from coinlake.errors import ConfigError
from coinlake.runtime.glue_args import (
    JobArgs,
    from_resolved,
    glue_option_names,
    parse_argv,
    parse_bool,
)


def test_argv_defaults_and_every_spelling_of_full_refresh() -> None:
    base = ["--JOB_NAME", "j", "--lake", "/lake"]
    assert parse_argv(base) == JobArgs("j", "/lake", "all", False)
    assert parse_argv([*base, "--full-refresh"]).full_refresh is True
    assert parse_argv([*base, "--full-refresh", "true", "--layer", "GOLD"]) == JobArgs(
        "j", "/lake", "gold", True
    )
    assert parse_argv([*base, "--full_refresh", "false"]).full_refresh is False
    assert parse_argv(["--JOB_NAME=j", "--lake=/lake", "--layer=silver"]).layer == "silver"


def test_resolved_mapping_gives_the_same_args_as_argv() -> None:
    argv = ["--JOB_NAME", "j", "--lake", "s3://b/l", "--layer", "silver", "--full-refresh", "1"]
    resolved = {"JOB_NAME": "j", "lake": "s3://b/l", "layer": "silver", "full_refresh": "1"}
    assert from_resolved(resolved) == parse_argv(argv)
    assert from_resolved({"JOB_NAME": "j", "lake": "/l"}) == JobArgs("j", "/l")


def test_glue_is_asked_only_for_the_optional_names_present() -> None:
    assert glue_option_names(["--JOB_NAME", "j", "--lake", "x"]) == ["JOB_NAME", "lake"]
    assert glue_option_names(["--lake", "x", "--layer=gold", "--full_refresh", "true"]) == [
        "JOB_NAME",
        "lake",
        "layer",
        "full_refresh",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "--JOB_NAME is required"),
        (["--JOB_NAME", " ", "--lake", "x"], "--JOB_NAME is required"),
        (["--JOB_NAME", "j", "--lake", ""], "--lake is required"),
        (["--JOB_NAME", "j", "--lake", "x", "--layer", "bronze"], "choose silver, gold or all"),
        (["--JOB_NAME", "j", "--lake", "x", "--full-refresh", "sometimes"], "true or false"),
        (["--JOB_NAME", "j", "--lake", "x", "stray"], "unrecognized arguments: stray"),
        (["--JOB_NAME"], "expected one argument"),
    ],
)
def test_bad_argv_is_a_config_error_naming_the_argument(argv: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        parse_argv(argv)
    assert "\n" not in str(caught.value)


def test_parse_bool() -> None:
    assert parse_bool("x", "YES") is True
    assert parse_bool("x", None) is False
    assert parse_bool("x", True) is True
    with pytest.raises(ConfigError):
        parse_bool("x", "2")


def test_the_arguments_glue_adds_to_a_run_are_accepted_and_ignored() -> None:
    from coinlake.deployment import DEFAULT_DEPLOYMENT, glue_job_arguments

    defaults = glue_job_arguments(DEFAULT_DEPLOYMENT, "lake-bucket", wheel_uri="s3://a/c.whl")
    argv = ["--JOB_NAME", "coinlake-dev-transform"]
    for name, value in defaults.items():
        argv += [name, value]
    argv += ["--JOB_ID", "j_1", "--JOB_RUN_ID", "jr_1", "--TempDir=s3://t/", "--enable-metrics"]
    assert parse_argv(argv) == JobArgs("coinlake-dev-transform", "s3://lake-bucket", "all", False)
    assert defaults["--job-bookmark-option"] == "job-bookmark-disable"
    assert defaults["--additional-python-modules"] == "s3://a/c.whl"


@pytest.mark.parametrize(
    "extra",
    [["--engine", "duckdb"], ["stray"], ["--JOB_ID", "j_1", "stray"], ["--TempDirx", "s3://t/"]],
    ids=["unknown option", "positional", "second value", "misspelt glue option"],
)
def test_anything_else_is_still_unrecognized(extra: list[str]) -> None:
    with pytest.raises(ConfigError, match="unrecognized arguments"):
        parse_argv(["--JOB_NAME", "j", "--lake", "/lake", *extra])
