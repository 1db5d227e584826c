"""One synthesis of the CDK app per test session, shared by every test under tests/infra.

The app holds three stacks, synthesized together (jsii starts once):
- `coinlake-dev`: the defaults, exactly what `make deploy` deploys (the default synthesizer);
- `coinlake-off`: schedules off, an alarm e-mail, a CoinGecko key parameter and an existing
  OIDC provider (the optional branches);
- `coinlake-moto`: the defaults again, with assets in a named bucket and no bootstrap-version
  rule, so the template deploys into moto's CloudFormation.
The packages the stacks ship are the real ones (`infra.artifacts`, rebuilt when `src/` changed).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from coinlake.deployment import Deployment

MOTO_ASSETS_BUCKET = "coinlake-cdk-assets"
OFF_CONTEXT = {
    "stage": "off",
    "schedules_enabled": "false",
    "alarm_email": "alerts@example.org",
    "coingecko_key_parameter": "/coinlake/coingecko-key",
    "github_oidc_provider_arn": (
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    ),
}


@dataclass(frozen=True)
class Synth:
    """The synthesized assembly: templates and asset manifests by stack name."""

    outdir: Path
    seconds: float
    deployments: dict[str, Deployment]

    def template_json(self, stack: str) -> dict[str, Any]:
        return json.loads((self.outdir / f"{stack}.template.json").read_text())

    def assets(self, stack: str) -> dict[str, Any]:
        return json.loads((self.outdir / f"{stack}.assets.json").read_text())

    def asset_file(self, stack: str, object_key: str) -> Path:
        """The file in the assembly that is uploaded under `object_key`."""
        found = [
            asset["source"]
            for asset in self.assets(stack)["files"].values()
            for destination in asset["destinations"].values()
            if destination["objectKey"] == object_key
        ]
        assert len(found) == 1, f"{len(found)} assets under {object_key}"
        assert found[0]["packaging"] == "file"
        return self.outdir / found[0]["path"]


@pytest.fixture(scope="session")
def artifacts() -> Any:
    from infra.artifacts import GLUE_ARCHIVE, LAMBDA_ZIP, ensure_all, glue_library
    from infra.stack import Artifacts

    ensure_all()
    return Artifacts(LAMBDA_ZIP, glue_library({"glue_library": str(GLUE_ARCHIVE)}))


@pytest.fixture(scope="session")
def synth(artifacts: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synth]:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from aws_cdk import App, DefaultStackSynthesizer

    from infra.stack import build_stack

    outdir = tmp_path_factory.mktemp("cdk.out")
    started = time.perf_counter()
    app = App(outdir=str(outdir), analytics_reporting=False)
    default = Deployment()
    off = Deployment().with_context(OFF_CONTEXT)
    moto = Deployment().with_context({"stage": "moto"})
    build_stack(app, default, artifacts)
    build_stack(app, off, artifacts)
    build_stack(
        app,
        moto,
        artifacts,
        synthesizer=DefaultStackSynthesizer(
            file_assets_bucket_name=MOTO_ASSETS_BUCKET, generate_bootstrap_version_rule=False
        ),
    )
    app.synth()
    seconds = time.perf_counter() - started
    print(f"\nCDK synth of 3 stacks: {seconds:.1f} s")
    yield Synth(outdir, seconds, {d.prefix: d for d in (default, off, moto)})


@pytest.fixture(scope="session")
def template(synth: Synth) -> Any:
    """`aws_cdk.assertions.Template` of the default stack."""
    from aws_cdk.assertions import Template

    return Template.from_json(synth.template_json("coinlake-dev"))


@pytest.fixture(scope="session")
def template_off(synth: Synth) -> Any:
    """The stack with the optional branches switched."""
    from aws_cdk.assertions import Template

    return Template.from_json(synth.template_json("coinlake-off"))
