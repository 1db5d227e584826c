"""The synthesized template has every property the platform relies on (aws_cdk.assertions)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from coinlake.query.ddl import DdlOptions, table_properties
from coinlake.runtime.glue_args import parse_argv
from coinlake.tables.catalog import sql_tables
from tests.infra.cfn import ACCOUNT, one, resources, role_policies
from tests.infra.conftest import Synth

pytestmark = pytest.mark.integration

BUCKET = f"coinlake-dev-lake-{ACCOUNT}-us-east-1"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"


@pytest.fixture(scope="module")
def raw(synth: Synth) -> dict[str, Any]:
    return synth.template_json("coinlake-dev")


@pytest.fixture(scope="module")
def raw_off(synth: Synth) -> dict[str, Any]:
    return synth.template_json("coinlake-off")


# --- storage ---------------------------------------------------------------------------------


def test_the_lake_bucket_is_encrypted_private_versioned_and_named_by_stage(raw: Any) -> None:
    bucket = one(raw, "AWS::S3::Bucket")
    assert bucket["BucketName"] == BUCKET
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}


def test_the_bucket_policy_denies_every_request_without_tls(raw: Any) -> None:
    policy = one(raw, "AWS::S3::BucketPolicy")
    deny = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert deny == [
        {
            "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
        }
    ]


def test_lifecycle_moves_bronze_to_ia_then_glacier_and_expires_results_and_staging(
    raw: Any,
) -> None:
    rules = {r["Id"]: r for r in one(raw, "AWS::S3::Bucket")["LifecycleConfiguration"]["Rules"]}
    assert rules["bronze-to-cheaper-storage"]["Prefix"] == "bronze/"
    assert rules["bronze-to-cheaper-storage"]["Transitions"] == [
        {"StorageClass": "STANDARD_IA", "TransitionInDays": 30},
        {"StorageClass": "GLACIER_IR", "TransitionInDays": 180},
    ]
    assert rules["athena-results-expire"]["Prefix"] == "athena-results/"
    assert rules["athena-results-expire"]["ExpirationInDays"] == 7
    assert rules["staging-expire"]["Prefix"] == "_staging/"
    assert rules["staging-expire"]["ExpirationInDays"] == 7
    assert rules["old-versions-expire"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    assert all(rule["Status"] == "Enabled" for rule in rules.values())


# --- ingestion and schedules ------------------------------------------------------------------


@pytest.mark.parametrize("source", ["coinbase", "coingecko"])
def test_each_source_has_a_function_with_reserved_concurrency_one_and_a_dlq(
    raw: Any, source: str, synth: Synth
) -> None:
    function = one(raw, "AWS::Lambda::Function", FunctionName=f"coinlake-dev-ingest-{source}")
    assert function["Runtime"] == "python3.11"
    assert function["Handler"] == "coinlake.runtime.lambda_ingest.handler"
    assert function["ReservedConcurrentExecutions"] == 1
    assert (function["Timeout"], function["MemorySize"]) == (300, 512)
    env = function["Environment"]["Variables"]
    assert env["COINLAKE_INGEST_SOURCE"] == source
    assert env["COINLAKE_LAKE"] == f"s3://{BUCKET}"
    assert env["COINLAKE_PRODUCTS"] == "BTC-USD,ETH-USD,SOL-USD"
    assert env["COINLAKE_INGEST_MAX_PAGES"] == "3000"
    assert not any("KEY" in name and "PARAMETER" not in name for name in env)
    logical = next(
        k
        for k, r in resources(raw, "AWS::Lambda::Function").items()
        if r["Properties"]["FunctionName"] == f"coinlake-dev-ingest-{source}"
    )
    invoke = [
        r["Properties"]
        for r in resources(raw, "AWS::Lambda::EventInvokeConfig").values()
        if r["Properties"]["FunctionName"] == {"Ref": logical}
    ]
    assert invoke[0]["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": [_logical(raw, "AWS::SQS::Queue"), "Arn"]
    }
    assert invoke[0]["MaximumRetryAttempts"] == 2


def test_the_functions_ship_the_built_lambda_package(raw: Any, synth: Synth) -> None:
    from infra.artifacts import LAMBDA_ZIP

    keys = {
        r["Properties"]["Code"]["S3Key"] for r in resources(raw, "AWS::Lambda::Function").values()
    }
    assert len(keys) == 1
    (key,) = keys
    assert synth.asset_file("coinlake-dev", key).read_bytes() == LAMBDA_ZIP.read_bytes()


def test_log_groups_keep_thirty_days(raw: Any) -> None:
    groups = resources(raw, "AWS::Logs::LogGroup").values()
    assert sorted(g["Properties"]["LogGroupName"] for g in groups) == [
        "/aws/lambda/coinlake-dev-ingest-coinbase",
        "/aws/lambda/coinlake-dev-ingest-coingecko",
    ]
    assert {g["Properties"]["RetentionInDays"] for g in groups} == {30}


def test_coingecko_runs_at_nine_in_los_angeles_through_eventbridge_scheduler(raw: Any) -> None:
    schedule = one(raw, "AWS::Scheduler::Schedule", Name="coinlake-dev-ingest-coingecko")
    assert schedule["ScheduleExpression"] == "cron(0 9 * * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == "America/Los_Angeles"
    assert schedule["GroupName"] == "coinlake-dev-schedules"
    assert schedule["State"] == "ENABLED"
    assert json.loads(schedule["Target"]["Input"]) == {"source": "coingecko"}


def test_trades_and_transform_run_by_rate_in_the_same_group(raw: Any) -> None:
    trades = one(raw, "AWS::Scheduler::Schedule", Name="coinlake-dev-ingest-coinbase")
    transform = one(raw, "AWS::Scheduler::Schedule", Name="coinlake-dev-transform")
    assert trades["ScheduleExpression"] == "rate(5 minutes)"
    assert transform["ScheduleExpression"] == "rate(1 hour)"
    assert json.loads(transform["Target"]["Input"]) == {"JobName": "coinlake-dev-transform"}
    assert transform["Target"]["Arn"] == "arn:aws:scheduler:::aws-sdk:glue:startJobRun"
    groups = {
        s["Properties"]["GroupName"] for s in resources(raw, "AWS::Scheduler::Schedule").values()
    }
    assert groups == {"coinlake-dev-schedules"}
    one(raw, "AWS::Scheduler::ScheduleGroup", Name="coinlake-dev-schedules")


def test_the_kill_switch_deploys_every_schedule_disabled(raw_off: Any) -> None:
    states = [
        s["Properties"]["State"] for s in resources(raw_off, "AWS::Scheduler::Schedule").values()
    ]
    assert states == ["DISABLED"] * 3


def test_the_coingecko_key_is_read_from_its_parameter_never_put_in_the_template(
    raw_off: Any,
) -> None:
    function = one(raw_off, "AWS::Lambda::Function", FunctionName="coinlake-off-ingest-coingecko")
    env = function["Environment"]["Variables"]
    assert env["COINLAKE_COINGECKO_API_KEY_PARAMETER"] == "/coinlake/coingecko-key"
    assert "COINLAKE_COINGECKO_API_KEY" not in env
    statements = role_policies(raw_off, "coinlake-off-ingest")
    assert {
        "Action": "ssm:GetParameter",
        "Effect": "Allow",
        "Resource": f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/coinlake/coingecko-key",
    } in statements


# --- transforms -------------------------------------------------------------------------------


def test_the_glue_job_is_glue_5_with_bounded_workers_and_one_run_at_a_time(raw: Any) -> None:
    job = one(raw, "AWS::Glue::Job")
    assert job["Name"] == "coinlake-dev-transform"
    assert job["GlueVersion"] == "5.0"
    assert job["Command"]["Name"] == "glueetl"
    assert job["Command"]["PythonVersion"] == "3"
    assert (job["WorkerType"], job["NumberOfWorkers"], job["Timeout"]) == ("G.1X", 2, 30)
    assert job["ExecutionProperty"] == {"MaxConcurrentRuns": 1}
    assert job["Role"] == f"arn:aws:iam::{ACCOUNT}:role/coinlake-dev-glue"


def test_the_glue_arguments_parse_as_the_job_expects(raw: Any) -> None:
    args = one(raw, "AWS::Glue::Job")["DefaultArguments"]
    assert args["--job-bookmark-option"] == "job-bookmark-disable"
    parsed = parse_argv(["--JOB_NAME", "coinlake-dev-transform", "--lake", args["--lake"],
                         "--layer", args["--layer"]])  # fmt: skip
    assert (parsed.lake, parsed.layer) == (f"s3://{BUCKET}", "all")
    assert (args["--quality"], args["--metrics"]) == ("true", "true")
    modules = args["--additional-python-modules"].split(",")
    assert {m.split("==")[0] for m in modules} >= {"pydantic", "httpx", "sqlglot"}
    assert all("==" in m for m in modules)
    assert args["--extra-py-files"].startswith("s3://cdk-hnb659fds-assets-")
    assert args["--extra-py-files"].endswith(".zip")


def test_the_glue_library_is_the_project_wheel(raw: Any, synth: Synth) -> None:
    import zipfile

    key = one(raw, "AWS::Glue::Job")["DefaultArguments"]["--extra-py-files"].rsplit("/", 1)[1]
    with zipfile.ZipFile(synth.asset_file("coinlake-dev", key)) as wheel:
        names = wheel.namelist()
    assert "coinlake/runtime/glue_job.py" in names
    assert any(name.endswith(".dist-info/WHEEL") for name in names)


# --- catalog and query ------------------------------------------------------------------------


def test_every_lake_table_is_in_the_catalog_as_coinlake_ddl_defines_it(raw: Any) -> None:
    tables = _tables(raw)
    assert sorted(tables) == sorted(spec.name for spec in sql_tables())
    options = DdlOptions(location=f"s3://{BUCKET}", database="coinlake_dev")
    for spec in sql_tables():
        table = tables[spec.name]
        assert table["DatabaseName"] == "coinlake_dev"
        given = table["TableInput"]
        columns = [(c["Name"], c["Type"]) for c in given["StorageDescriptor"]["Columns"]]
        assert columns == [(c.name, c.type) for c in spec.columns]
        assert [(p["Name"], p["Type"]) for p in given["PartitionKeys"]] == [
            (p.name, p.type) for p in spec.partition_by
        ]
        for key, value in table_properties(spec, options):
            assert given["Parameters"][key] == value, (spec.name, key)


def test_silver_trades_projects_products_and_dates_without_a_crawler(raw: Any) -> None:
    given = _tables(raw)["silver_trades"]["TableInput"]
    params = given["Parameters"]
    assert params["projection.enabled"] == "true"
    assert params["projection.product_id.type"] == "enum"
    assert params["projection.product_id.values"] == "BTC-USD,ETH-USD,SOL-USD"
    assert params["projection.date.type"] == "date"
    assert params["projection.date.range"] == "2015-01-01,NOW"
    assert params["storage.location.template"] == (
        f"s3://{BUCKET}/silver/trades/product_id=${{product_id}}/date=${{date}}/"
    )
    assert given["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/silver/trades/"


def test_gold_trades_hourly_projects_products_and_years_with_date_a_column(raw: Any) -> None:
    given = _tables(raw)["gold_trades_hourly"]["TableInput"]
    params = given["Parameters"]
    assert params["projection.year.type"] == "date"
    assert params["projection.year.format"] == "yyyy"
    assert params["projection.year.range"] == "2015,NOW"
    assert params["projection.year.interval.unit"] == "YEARS"
    assert params["storage.location.template"] == (
        f"s3://{BUCKET}/gold/trades_hourly/product_id=${{product_id}}/year=${{year}}/"
    )
    assert [p["Name"] for p in given["PartitionKeys"]] == ["product_id", "year"]
    assert ("date", "date") in [
        (c["Name"], c["Type"]) for c in given["StorageDescriptor"]["Columns"]
    ]


def test_the_athena_workgroup_enforces_engine_3_results_and_a_scan_cutoff(raw: Any) -> None:
    config = one(raw, "AWS::Athena::WorkGroup", Name="coinlake-dev")["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["EngineVersion"] == {"SelectedEngineVersion": "Athena engine version 3"}
    assert config["BytesScannedCutoffPerQuery"] == 1_000_000_000
    assert config["ResultConfiguration"]["OutputLocation"] == f"s3://{BUCKET}/athena-results/"


# --- IAM --------------------------------------------------------------------------------------


def _objects(*prefixes: str) -> list[str] | str:
    arns = [f"{BUCKET_ARN}/{p}/*" for p in prefixes]
    return arns[0] if len(arns) == 1 else arns


def _listing(*prefixes: str) -> dict[str, Any]:
    values = [v for p in prefixes for v in (p, f"{p}/*")]
    return {
        "Action": "s3:ListBucket",
        "Condition": {"StringLike": {"s3:prefix": values}},
        "Effect": "Allow",
        "Resource": BUCKET_ARN,
    }


RW = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
LOCATION = {"Action": "s3:GetBucketLocation", "Effect": "Allow", "Resource": BUCKET_ARN}


def _lake_statements(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in statements if str(s["Action"]).startswith(("s3:", "['s3:"))
            and BUCKET in json.dumps(s["Resource"])]  # fmt: skip


def test_the_ingest_role_creates_bronze_and_keeps_its_state_nothing_else(raw: Any) -> None:
    assert _lake_statements(role_policies(raw, "coinlake-dev-ingest")) == [
        {"Action": "s3:PutObject", "Effect": "Allow", "Resource": _objects("bronze")},
        {"Action": RW, "Effect": "Allow",
         "Resource": _objects("_state/cursors", "_state/locks", "_state/runs")},
        _listing("_state/cursors", "_state/locks", "_state/runs"),
        LOCATION,
    ]  # fmt: skip


def test_the_glue_role_reads_bronze_and_writes_the_derived_layers(raw: Any) -> None:
    written = ("silver", "gold", "quarantine", "_staging", "_state/bookmarks", "_state/journal")
    assert _lake_statements(role_policies(raw, "coinlake-dev-glue")) == [
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": _objects("bronze")},
        {"Action": RW, "Effect": "Allow", "Resource": _objects(*written)},
        _listing("bronze", *written),
        LOCATION,
    ]


def test_the_analyst_role_reads_silver_and_gold_and_uses_the_workgroup(raw: Any) -> None:
    statements = role_policies(raw, "coinlake-dev-analyst")
    assert _lake_statements(statements) == [
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": _objects("silver", "gold")},
        {"Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow",
         "Resource": _objects("athena-results")},
        _listing("silver", "gold", "athena-results"),
        LOCATION,
    ]  # fmt: skip
    athena = [s for s in statements if "athena:StartQueryExecution" in s["Action"]]
    assert athena[0]["Resource"] == f"arn:aws:athena:us-east-1:{ACCOUNT}:workgroup/coinlake-dev"


def test_no_policy_grants_s3_star_or_a_wildcard_resource_on_data(raw: Any) -> None:
    for logical, policy in resources(raw, "AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [
                statement["Action"]]  # fmt: skip
            assert "s3:*" not in actions and "*" not in actions, logical
            if any(a.startswith("s3:") for a in actions):
                assert statement["Resource"] != "*", logical


def test_the_deploy_role_trusts_one_repo_and_branch_in_both_sub_forms(raw: Any) -> None:
    role = one(raw, "AWS::IAM::Role", RoleName="coinlake-dev-github-deploy")
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Condition"] == {
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {
            "token.actions.githubusercontent.com:sub": [
                "repo:example-org/coinlake:ref:refs/heads/main",
                "repo:example-org@*/coinlake@*:ref:refs/heads/main",
            ]
        },
    }
    provider = one(raw, "AWS::IAM::OIDCProvider")
    assert provider["Url"] == "https://token.actions.githubusercontent.com"
    assert provider["ClientIdList"] == ["sts.amazonaws.com"]
    assert role_policies(raw, "coinlake-dev-github-deploy") == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Resource": f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-*-role-{ACCOUNT}-us-east-1",
        }
    ]


def test_an_existing_oidc_provider_is_reused_not_created(raw_off: Any) -> None:
    assert resources(raw_off, "AWS::IAM::OIDCProvider") == {}
    role = one(raw_off, "AWS::IAM::Role", RoleName="coinlake-off-github-deploy")
    principal = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert principal == {
        "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    }


# --- observability and tags -------------------------------------------------------------------


def test_alarms_cover_errors_dlq_glue_and_freshness_on_one_topic(raw: Any) -> None:
    names = _alarm_names(raw)
    alarms = {n: one(raw, "AWS::CloudWatch::Alarm", AlarmName=n) for n in names}
    assert sorted(alarms) == [
        "coinlake-dev-bronze-freshness",
        "coinlake-dev-ingest-coinbase-errors",
        "coinlake-dev-ingest-coingecko-errors",
        "coinlake-dev-ingest-dlq-depth",
        "coinlake-dev-quality-errors",
        "coinlake-dev-transform-failed-tasks",
    ]
    topic = {"Ref": _logical(raw, "AWS::SNS::Topic")}
    raw_alarms = resources(raw, "AWS::CloudWatch::Alarm").values()
    assert all(a["Properties"]["AlarmActions"] == [topic] for a in raw_alarms)
    fresh = alarms["coinlake-dev-bronze-freshness"]
    assert (fresh["MetricName"], fresh["Namespace"]) == ("BronzeObjectsLanded", "coinlake")
    assert fresh["ComparisonOperator"] == "LessThanThreshold"
    assert fresh["TreatMissingData"] == "breaching"
    assert fresh["Period"] == 7200
    quality = alarms["coinlake-dev-quality-errors"]
    assert (quality["MetricName"], quality["Namespace"]) == ("FailedChecks", "coinlake/quality")
    assert {d["Name"]: d["Value"] for d in quality["Dimensions"]} == {
        "Job": "coinlake-dev-transform",
        "Severity": "error",
    }
    assert alarms["coinlake-dev-ingest-dlq-depth"]["MetricName"] == (
        "ApproximateNumberOfMessagesVisible"
    )


def test_the_freshness_metric_counts_the_success_line_the_handler_logs(raw: Any) -> None:
    from coinlake.ingest.landing import SUCCESS

    filters = [f["Properties"] for f in resources(raw, "AWS::Logs::MetricFilter").values()]
    assert len(filters) == 2
    prefix = SUCCESS.split("%s")[0]
    assert {f["FilterPattern"] for f in filters} == {f'"{prefix}s3://"'}


def test_a_failed_glue_run_notifies_the_topic(raw: Any) -> None:
    rule = one(raw, "AWS::Events::Rule")
    assert rule["EventPattern"]["detail"] == {
        "jobName": ["coinlake-dev-transform"],
        "state": ["FAILED", "TIMEOUT", "ERROR"],
    }


def test_the_budget_alerts_at_80_actual_and_100_forecast(raw: Any, raw_off: Any) -> None:
    budget = one(raw, "AWS::Budgets::Budget")
    assert budget["Budget"]["BudgetLimit"] == {"Amount": 40, "Unit": "USD"}
    thresholds = [(n["Notification"]["NotificationType"], n["Notification"]["Threshold"])
                  for n in budget["NotificationsWithSubscribers"]]  # fmt: skip
    assert thresholds == [("ACTUAL", 80), ("FORECASTED", 100)]
    emails = [s["Address"] for n in one(raw_off, "AWS::Budgets::Budget")
              ["NotificationsWithSubscribers"] for s in n["Subscribers"]
              if s["SubscriptionType"] == "EMAIL"]  # fmt: skip
    assert emails == ["alerts@example.org"] * 2
    one(raw_off, "AWS::SNS::Subscription", Protocol="email", Endpoint="alerts@example.org")


def test_every_taggable_resource_carries_project_and_stage(raw: Any) -> None:
    tagged = 0
    for logical, resource in raw["Resources"].items():
        tags = resource.get("Properties", {}).get("Tags")
        if tags is None:
            continue
        tagged += 1
        pairs = tags if isinstance(tags, dict) else {t["Key"]: t["Value"] for t in tags}
        assert pairs.get("project") == "coinlake", logical
        assert pairs.get("stage") == "dev", logical
    assert tagged >= 15


def test_cfn_lint_finds_nothing_but_cdks_own_w3005(synth: Synth) -> None:
    import subprocess
    import sys

    root = Path(__file__).parents[2]
    for stack in ("coinlake-dev", "coinlake-off"):
        done = subprocess.run(
            [str(Path(sys.executable).with_name("cfn-lint")), "--config-file",
             str(root / ".cfnlintrc.yaml"), str(synth.outdir / f"{stack}.template.json")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr


def _tables(raw: Any) -> dict[str, Any]:
    from tests.infra.cfn import Resolver

    resolve = Resolver(raw)
    found = [resolve(t["Properties"]) for t in resources(raw, "AWS::Glue::Table").values()]
    return {t["TableInput"]["Name"]: t for t in found}


def _alarm_names(raw: Any) -> list[str]:
    return [a["Properties"]["AlarmName"] for a in resources(raw, "AWS::CloudWatch::Alarm").values()]


def _logical(raw: Any, kind: str) -> str:
    (logical,) = resources(raw, kind)
    return logical


def test_one_scheduler_role_may_only_invoke_the_ingest_functions_and_start_the_job(
    raw: Any,
) -> None:
    role = one(raw, "AWS::IAM::Role", RoleName="coinlake-dev-scheduler")
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    actions = sorted(
        {a for s in role_policies(raw, "coinlake-dev-scheduler") for a in _as_list(s["Action"])}
    )
    assert actions == ["glue:StartJobRun", "lambda:InvokeFunction", "sqs:SendMessage"]
    targets = {
        s["Properties"]["Target"]["RoleArn"]["Fn::GetAtt"][0]
        for s in resources(raw, "AWS::Scheduler::Schedule").values()
    }
    assert len(targets) == 1


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
