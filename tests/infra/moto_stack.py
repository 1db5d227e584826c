"""Deploying a synthesized stack into moto's CloudFormation and taking its roles under moto's
IAM enforcement (see `docs/aws.md`, "What is proven offline")."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import boto3
import requests
from botocore.exceptions import ClientError

from tests.infra.cfn import ACCOUNT, REGION
from tests.infra.conftest import MOTO_ASSETS_BUCKET, Synth

SETUP_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
PROVER = "iam-matrix-prover"
"""The test user that assumes each role (moto cannot evaluate a `Service` principal)."""


@dataclass
class MotoAccount:
    """Clients on one moto server, as the set-up identity or as an assumed role."""

    endpoint: str

    def client(self, service: str, credentials: dict[str, str] | None = None) -> Any:
        keys: dict[str, str] = dict(SETUP_KEYS)
        if credentials is not None:
            keys = {
                "aws_access_key_id": credentials["AccessKeyId"],
                "aws_secret_access_key": credentials["SecretAccessKey"],
            }
            if "SessionToken" in credentials:
                keys["aws_session_token"] = credentials["SessionToken"]
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION, **keys)

    def deploy(self, synth: Synth, stack: str) -> dict[str, Any]:
        """Upload the stack's file assets, create the stack, wait; the final description."""
        s3 = self.client("s3")
        s3.create_bucket(Bucket=MOTO_ASSETS_BUCKET)
        for asset in synth.assets(stack)["files"].values():
            assert asset["source"]["packaging"] == "file", asset
            body = (synth.outdir / asset["source"]["path"]).read_bytes()
            for destination in asset["destinations"].values():
                assert destination["bucketName"] == MOTO_ASSETS_BUCKET
                s3.put_object(Bucket=MOTO_ASSETS_BUCKET, Key=destination["objectKey"], Body=body)
        cloudformation = self.client("cloudformation")
        cloudformation.create_stack(
            StackName=stack,
            TemplateBody=json.dumps(synth.template_json(stack)),
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
        deadline = time.monotonic() + 60
        while True:
            (description,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
            if not description["StackStatus"].endswith("IN_PROGRESS"):
                return dict(description)
            assert time.monotonic() < deadline, description["StackStatus"]
            time.sleep(0.2)

    def create_prover(self) -> dict[str, str]:
        """A user allowed everything (the roles' own policies decide); its access key."""
        iam = self.client("iam")
        iam.create_user(UserName=PROVER)
        iam.put_user_policy(
            UserName=PROVER,
            PolicyName="assume-anything",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                }
            ),
        )
        key = iam.create_access_key(UserName=PROVER)["AccessKey"]
        return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}

    def trust_prover(self, role_name: str) -> None:
        """Rewrite only the role's trust policy, to let the prover assume it."""
        self.client("iam").update_assume_role_policy(
            RoleName=role_name,
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/{PROVER}"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )

    def enforce_iam(self, on: bool) -> None:
        """moto checks every request against IAM from now on (or stops checking)."""
        response = requests.post(
            f"{self.endpoint}/moto-api/reset-auth",
            data=b"0" if on else b"inf",
            headers={"Content-Type": "text/plain"},
            timeout=10,
        )
        response.raise_for_status()

    def assume(self, prover: dict[str, str], role_name: str) -> dict[str, str]:
        """Temporary credentials of `role_name`, taken by the prover."""
        sts = boto3.client(
            "sts",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=prover["AccessKeyId"],
            aws_secret_access_key=prover["SecretAccessKey"],
        )
        response = sts.assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{role_name}", RoleSessionName="iam-matrix"
        )
        return dict(response["Credentials"])


def allowed(call: Any) -> bool:
    """True when the S3 call got past authorization (any other error still means allowed)."""
    try:
        call()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in {"AccessDenied", "403"}:
            return False
        if code in {"NoSuchKey", "404"}:
            return True
        raise
    return True
