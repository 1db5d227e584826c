"""The synthesized template deployed into moto's CloudFormation, its roles proven under moto's
IAM enforcement, and the deployed Lambda's own code run with the ingest role's credentials.

A moto server of its own (IAM enforcement is server-wide, so the session's shared server is left
alone). Set-up runs unauthenticated; then enforcement goes on and every call below is checked
against the deployed permission policies, which are exactly the synthesized ones: only each
role's trust policy is rewritten, to let a test user assume it (moto cannot evaluate a `Service`
or OIDC principal).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.infra.cfn import ACCOUNT, one
from tests.infra.conftest import Synth
from tests.infra.moto_stack import MotoAccount, allowed

pytestmark = pytest.mark.integration

STACK = "coinlake-moto"
BUCKET = f"{STACK}-lake-{ACCOUNT}-us-east-1"
ROLES = ("ingest", "glue", "analyst", "github-deploy")
PREFIXES = ("bronze", "silver", "gold", "quarantine", "_staging", "_state/cursors",
            "_state/bookmarks", "athena-results")  # fmt: skip
ACTIONS = ("put", "get", "list", "delete")
INTENDED = {
    "ingest": {"bronze": "P---", "_state/cursors": "PGLD"},
    "glue": {
        "bronze": "-GL-",
        "silver": "PGLD",
        "gold": "PGLD",
        "quarantine": "PGLD",
        "_staging": "PGLD",
        "_state/bookmarks": "PGLD",
    },
    "analyst": {"silver": "-GL-", "gold": "-GL-", "athena-results": "PGL-"},
    "github-deploy": {},
}
"""What each role may do on each prefix in AWS (P put, G get, L list, D delete; '-' denied)."""


@dataclass
class Deployed:
    """The stack on moto, with enforcement on."""

    account: MotoAccount
    description: dict[str, Any]
    prover: dict[str, str]
    seconds: float
    functions: dict[str, Any]
    """Function name -> configuration, read before enforcement (moto 5.2.5 rejects the
    signature of Lambda API calls once enforcement is on)."""
    role_names: set[str]

    def role_credentials(self, role: str) -> dict[str, str]:
        return self.account.assume(self.prover, f"{STACK}-{role}")


@pytest.fixture(scope="module")
def deployed(synth: Synth) -> Iterator[Deployed]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    account = MotoAccount(f"http://{host}:{port}")
    try:
        started = time.perf_counter()
        description = account.deploy(synth, STACK)
        seconds = time.perf_counter() - started
        print(f"\nmoto CloudFormation: {description['StackStatus']} in {seconds:.1f} s")
        prover = account.create_prover()
        s3 = account.client("s3")
        for prefix in PREFIXES:
            s3.put_object(Bucket=BUCKET, Key=f"{prefix}/seed.json", Body=b"{}")
            for role in ROLES:
                s3.put_object(Bucket=BUCKET, Key=f"{prefix}/delete-me-{role}.json", Body=b"{}")
        for role in ROLES:
            account.trust_prover(f"{STACK}-{role}")
        lambdas = account.client("lambda")
        functions = {
            name: lambdas.get_function_configuration(FunctionName=name)
            for name in (f"{STACK}-ingest-coinbase", f"{STACK}-ingest-coingecko")
        }
        role_names = {r["RoleName"] for r in account.client("iam").list_roles()["Roles"]}
        account.enforce_iam(True)
        yield Deployed(account, description, prover, seconds, functions, role_names)
    finally:
        account.enforce_iam(False)
        server.stop()


def test_the_stack_reaches_create_complete_with_its_assets(deployed: Deployed) -> None:
    assert deployed.description["StackStatus"] == "CREATE_COMPLETE"
    for source in ("coinbase", "coingecko"):
        config = deployed.functions[f"{STACK}-ingest-{source}"]
        assert config["Handler"] == "coinlake.runtime.lambda_ingest.handler"
        assert config["Runtime"] == "python3.11"
        assert config["Environment"]["Variables"]["COINLAKE_LAKE"] == f"s3://{BUCKET}"
        assert config["Environment"]["Variables"]["COINLAKE_INGEST_SOURCE"] == source
    assert {f"{STACK}-{role}" for role in ROLES} <= deployed.role_names
    s3 = deployed.account.client("s3", deployed.prover)
    assert s3.head_bucket(Bucket=BUCKET)["ResponseMetadata"]["HTTPStatusCode"] == 200


def _probe(s3: Any, prefix: str, role: str) -> str:
    key = f"{prefix}/matrix-{role}.json"
    cells = {
        "put": allowed(lambda: s3.put_object(Bucket=BUCKET, Key=key, Body=b"{}")),
        "get": allowed(lambda: s3.get_object(Bucket=BUCKET, Key=f"{prefix}/seed.json")),
        "list": allowed(lambda: s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/")),
        "delete": allowed(
            lambda: s3.delete_object(Bucket=BUCKET, Key=f"{prefix}/delete-me-{role}.json")
        ),
    }
    return "".join(
        letter if cells[action] else "-" for letter, action in zip("PGLD", ACTIONS, strict=True)
    )


def _as_moto_sees_it(cells: str, role: str) -> str:
    """moto does not evaluate `s3:prefix` conditions: a role that may list any prefix lists
    all of them there (the per-prefix limits are Template assertions)."""
    lists_anything = any(c[2] == "L" for c in INTENDED[role].values())
    return cells[:2] + ("L" if lists_anything else "-") + cells[3]


def test_the_iam_matrix_under_moto_enforcement_is_the_intended_one(deployed: Deployed) -> None:
    measured: dict[str, dict[str, str]] = {}
    for role in ROLES:
        credentials = deployed.role_credentials(role)
        s3 = deployed.account.client("s3", credentials)
        measured[role] = {prefix: _probe(s3, prefix, role) for prefix in PREFIXES}
    width = max(map(len, PREFIXES))
    lines = ["IAM matrix (P put, G get, L list, D delete; '-' AccessDenied), moto enforcing:"]
    lines.append(f"{'role':<14}" + " ".join(f"{p:>{width}}" for p in PREFIXES))
    for role in ROLES:
        lines.append(f"{role:<14}" + " ".join(f"{measured[role][p]:>{width}}" for p in PREFIXES))
    print("\n" + "\n".join(lines))
    expected = {
        role: {p: _as_moto_sees_it(INTENDED[role].get(p, "----"), role) for p in PREFIXES}
        for role in ROLES
    }
    assert measured == expected


def test_the_deployed_lambda_code_lands_bronze_and_is_denied_silver(
    deployed: Deployed, synth: Synth, sandbox: Any, tmp_path: Path
) -> None:
    template = synth.template_json(STACK)
    function = one(template, "AWS::Lambda::Function", FunctionName=f"{STACK}-ingest-coinbase")
    code = tmp_path / "function"
    s3_admin = deployed.account.client("s3", deployed.prover)
    body = s3_admin.get_object(Bucket=function["Code"]["S3Bucket"], Key=function["Code"]["S3Key"])[
        "Body"
    ].read()
    (tmp_path / "function.zip").write_bytes(body)
    with zipfile.ZipFile(tmp_path / "function.zip") as archive:
        archive.extractall(code)
    variables = deployed.functions[f"{STACK}-ingest-coinbase"]["Environment"]["Variables"]
    event = json.loads(
        one(template, "AWS::Scheduler::Schedule", Name=f"{STACK}-ingest-coinbase")["Target"][
            "Input"
        ]
    )
    credentials = deployed.role_credentials("ingest")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(code),
        **variables,
        "COINLAKE_S3_ENDPOINT_URL": deployed.account.endpoint,
        "COINLAKE_COINBASE_URL": sandbox.coinbase_url,
        "COINLAKE_COINGECKO_URL": sandbox.coingecko_url,
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(code), json.dumps(event), BUCKET,
         deployed.account.endpoint],
        env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    uploads = [line for line in done.stdout.splitlines() if "Successfully uploaded data to" in line]
    assert uploads, done.stdout[-3000:]
    assert all(f"s3://{BUCKET}/bronze/source=coinbase/" in line for line in uploads)
    assert "SILVER AccessDenied" in done.stdout
    assert f"CODE {code}" in done.stdout
    landed = s3_admin.list_objects_v2(Bucket=BUCKET, Prefix="bronze/source=coinbase/")
    assert landed["KeyCount"] == len(uploads)


RUNNER = """
import importlib.abc, json, sys

HEAVY = {"duckdb", "pyarrow", "pandas", "pyspark", "polars"}


class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HEAVY:
            raise ImportError(f"the ingest Lambda must not import {name}")
        return None


sys.meta_path.insert(0, Block())
folder, event, bucket, endpoint = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
import coinlake
from coinlake.runtime import lambda_ingest

print("CODE " + coinlake.__file__.rsplit("/coinlake/", 1)[0], flush=True)


class Context:
    aws_request_id = "moto-request-1"
    function_name = "coinlake-moto-ingest-coinbase"

    def get_remaining_time_in_millis(self):
        return 300_000


result = lambda_ingest.handler(event, Context())
print("RESULT " + json.dumps(result["status"]), flush=True)
import boto3
from botocore.exceptions import ClientError

try:
    boto3.client("s3", endpoint_url=endpoint).put_object(Bucket=bucket, Key="silver/x", Body=b"1")
    print("SILVER written", flush=True)
except ClientError as exc:
    print("SILVER " + exc.response["Error"]["Code"], flush=True)
"""
