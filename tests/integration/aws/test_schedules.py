"""`coinlake aws schedules` against moto's EventBridge Scheduler (server mode on 127.0.0.1).

The schedules are created through moto's API with the properties the CDK app gives them: the
CoinGecko snapshot on a cron in America/Los_Angeles, the trades and the transform on rates,
each with a description, a retry policy and an input document.
"""

from __future__ import annotations

import itertools
import json
import sys
from typing import Any

import boto3
import pytest

from coinlake.aws.scheduler import build_update_request
from coinlake.cli.main import run
from coinlake.deployment import Deployment

pytestmark = pytest.mark.integration

_STAGES = itertools.count()
ROLE = "arn:aws:iam::123456789012:role/coinlake-test-scheduler"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:coinlake-test-ingest"
GLUE = "arn:aws:scheduler:::aws-sdk:glue:startJobRun"


def scheduler(endpoint: str) -> Any:
    return boto3.client("scheduler", endpoint_url=endpoint, region_name="us-east-1")


@pytest.fixture
def deployed(aws_credentials: str, monkeypatch: pytest.MonkeyPatch) -> Deployment:
    """A fresh stage whose schedule group holds the three schedules the stack creates."""
    deployment = Deployment(stage=f"t{next(_STAGES)}")
    client = scheduler(aws_credentials)
    client.create_schedule_group(Name=deployment.schedule_group)
    common = {"GroupName": deployment.schedule_group, "FlexibleTimeWindow": {"Mode": "OFF"}}
    retry = {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600}
    client.create_schedule(
        Name=f"{deployment.prefix}-coingecko",
        ScheduleExpression=deployment.coingecko_cron,
        ScheduleExpressionTimezone=deployment.schedule_timezone,
        Description="CoinGecko snapshot, 9:00 Pacific",
        State="ENABLED",
        Target={
            "Arn": LAMBDA,
            "RoleArn": ROLE,
            "Input": json.dumps({"source": "coingecko"}),
            "RetryPolicy": retry,
        },
        **common,
    )
    client.create_schedule(
        Name=f"{deployment.prefix}-trades",
        ScheduleExpression=f"rate({deployment.trades_rate_minutes} minutes)",
        ScheduleExpressionTimezone=deployment.schedule_timezone,
        Description="Coinbase trades",
        State="ENABLED",
        Target={
            "Arn": LAMBDA,
            "RoleArn": ROLE,
            "Input": json.dumps({"source": "coinbase"}),
            "RetryPolicy": retry,
        },
        **common,
    )
    client.create_schedule(
        Name=f"{deployment.prefix}-transform",
        ScheduleExpression=f"rate({deployment.transform_rate_minutes} minutes)",
        ScheduleExpressionTimezone=deployment.schedule_timezone,
        Description="Silver and Gold on Glue",
        State="ENABLED",
        Target={
            "Arn": GLUE,
            "RoleArn": ROLE,
            "Input": json.dumps({"JobName": f"{deployment.prefix}-transform"}),
        },
        **common,
    )
    monkeypatch.setenv("COINLAKE_SCHEDULER_ENDPOINT_URL", aws_credentials)
    return deployment


def rows_of(out: str, deployment: Deployment) -> list[list[str]]:
    """The table rows naming one of the deployment's schedules, split on blanks."""
    return [
        line.split()
        for line in out.splitlines()
        if line.split() and line.split()[0].startswith(deployment.prefix + "-")
    ]


def coinlake(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["coinlake", *argv])
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as stopped:
        run()
    out, err = capsys.readouterr()
    # moto's server runs in this process: its werkzeug request log is not the command's output
    err = "".join(line for line in err.splitlines(keepends=True) if " werkzeug: " not in line)
    return int(stopped.value.code or 0), out, err


def definitions(endpoint: str, deployment: Deployment) -> dict[str, dict[str, Any]]:
    """Every schedule's full definition, without the state and the timestamps."""
    client = scheduler(endpoint)
    found = {}
    for summary in client.list_schedules(GroupName=deployment.schedule_group)["Schedules"]:
        full = client.get_schedule(Name=summary["Name"], GroupName=deployment.schedule_group)
        found[summary["Name"]] = {
            k: v
            for k, v in full.items()
            if k not in {"State", "LastModificationDate", "ResponseMetadata"}
        }
    return found


def states(endpoint: str, deployment: Deployment) -> set[str]:
    client = scheduler(endpoint)
    listed = client.list_schedules(GroupName=deployment.schedule_group)["Schedules"]
    return {s["State"] for s in listed}


def test_the_list_shows_each_schedule_with_its_time_zone_and_state(
    deployed: Deployment, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = coinlake(["aws", "schedules", "--stage", deployed.stage], monkeypatch, capsys)
    assert code == 0
    rows = rows_of(out, deployed)
    assert rows == [
        [f"{deployed.prefix}-coingecko", "cron(0", "9", "*", "*", "?", "*)",
         "America/Los_Angeles", "ENABLED"],
        [f"{deployed.prefix}-trades", "rate(5", "minutes)", "America/Los_Angeles", "ENABLED"],
        [f"{deployed.prefix}-transform", "rate(60", "minutes)", "America/Los_Angeles", "ENABLED"],
    ]  # fmt: skip


def test_disable_then_enable_flips_only_the_state(
    deployed: Deployment,
    aws_credentials: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = definitions(aws_credentials, deployed)
    stage = ["--stage", deployed.stage]
    code, out, _ = coinlake(["aws", "schedules", "--disable", *stage], monkeypatch, capsys)
    assert code == 0
    assert out.count("DISABLED") == 3
    assert states(aws_credentials, deployed) == {"DISABLED"}
    # UpdateSchedule resets what it is not sent: the time zone, description, retry policy
    # and input must come back exactly as they were
    assert definitions(aws_credentials, deployed) == before
    code, out, _ = coinlake(["aws", "schedules", "--enable", *stage], monkeypatch, capsys)
    assert code == 0
    assert states(aws_credentials, deployed) == {"ENABLED"}
    assert definitions(aws_credentials, deployed) == before
    code, out, _ = coinlake(["aws", "schedules", "--enable", *stage], monkeypatch, capsys)
    assert code == 0
    changed = [row[-1] for row in rows_of(out, deployed)]
    assert changed == ["-", "-", "-"]


def test_a_stage_that_is_not_deployed_is_one_error_line(
    deployed: Deployment, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = coinlake(["aws", "schedules", "--stage", "nowhere"], monkeypatch, capsys)
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "schedule group 'coinlake-nowhere-schedules' not found" in lines[0]


def test_missing_credentials_are_one_error_line_and_exit_2(
    deployed: Deployment, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = coinlake(["aws", "schedules", "--stage", deployed.stage], monkeypatch, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: no AWS credentials")


def test_disable_and_enable_together_is_a_usage_error(
    deployed: Deployment,
    aws_credentials: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["aws", "schedules", "--disable", "--enable", "--stage", deployed.stage]
    code, _, err = coinlake(argv, monkeypatch, capsys)
    assert code == 2
    assert err.strip() == "error: --disable and --enable: choose one"
    assert states(aws_credentials, deployed) == {"ENABLED"}


def test_the_update_request_resends_everything_but_read_only_fields() -> None:
    current = {
        "Arn": "arn:aws:scheduler:us-east-1:1:schedule/g/a",
        "Name": "a",
        "GroupName": "g",
        "ScheduleExpression": "cron(0 9 * * ? *)",
        "ScheduleExpressionTimezone": "America/Los_Angeles",
        "Description": "d",
        "State": "ENABLED",
        "Target": {"Arn": LAMBDA, "RoleArn": ROLE},
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "CreationDate": "2026-11-29",
        "LastModificationDate": "2026-11-29",
        "ResponseMetadata": {},
    }
    request = build_update_request(current, "DISABLED")
    assert request == {
        "Name": "a",
        "GroupName": "g",
        "ScheduleExpression": "cron(0 9 * * ? *)",
        "ScheduleExpressionTimezone": "America/Los_Angeles",
        "Description": "d",
        "Target": {"Arn": LAMBDA, "RoleArn": ROLE},
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "State": "DISABLED",
    }
