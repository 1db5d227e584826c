"""CDK entry point: `cdk synth` / `cdk deploy` run `python app.py` in this folder.

Context values (`-c key=value`) override any `coinlake.deployment.Deployment` field, and
`lambda_zip` / `glue_library` point at prebuilt packages. Without `CDK_DEFAULT_ACCOUNT` (no
credentials: `make synth`) the stack is environment-agnostic.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "src"):  # `infra` and `coinlake` from this checkout
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from aws_cdk import App, Environment  # noqa: E402

from coinlake.deployment import Deployment  # noqa: E402
from coinlake.errors import ConfigError  # noqa: E402
from infra.artifacts import glue_library, lambda_zip  # noqa: E402
from infra.stack import Artifacts, build_stack  # noqa: E402


def main() -> int:
    """Synthesize; a bad context value is one error line and exit status 2."""
    # The CDK CLI names the output folder in CDK_OUTDIR; `make synth` runs this file directly.
    outdir = os.environ.get("CDK_OUTDIR") or str(Path(__file__).with_name("cdk.out"))
    app = App(analytics_reporting=False, outdir=outdir)
    context = {key: app.node.try_get_context(key) for key in _context_keys()}
    context = {key: value for key, value in context.items() if value is not None}
    try:
        deployment = Deployment().with_context(context)
        artifacts = Artifacts(lambda_zip(context), glue_library(context))
        account = os.environ.get("CDK_DEFAULT_ACCOUNT")
        env = Environment(account=account, region=os.environ.get("CDK_DEFAULT_REGION"))
        build_stack(app, deployment, artifacts, env=env if account else None)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    app.synth()
    return 0


def _context_keys() -> list[str]:
    from dataclasses import fields

    return [field.name for field in fields(Deployment)] + ["lambda_zip", "glue_library"]


if __name__ == "__main__":
    raise SystemExit(main())
