"""The role GitHub Actions assumes through OIDC: no long-lived keys, trust limited to one
repository and branch, and it can do exactly one thing: assume the CDK bootstrap roles (which
`cdk deploy` uses to upload assets and run CloudFormation).

GitHub's `sub` claim is `repo:<owner>/<repo>:ref:refs/heads/<branch>`; repositories created
since mid-2026 carry immutable ids as well, `repo:<owner>@<owner id>/<repo>@<repo id>:ref:...`,
so the trust allows both forms.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from constructs import Construct

from coinlake.deployment import Deployment
from coinlake.errors import ConfigError

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"
CDK_QUALIFIER = "hnb659fds"
"""The default `cdk bootstrap` qualifier."""


def github_subjects(repo: str, branch: str) -> list[str]:
    """The `sub` claims allowed: the classic form and the id-suffixed form.

    Raises:
        ConfigError: `repo` is not `owner/name`.
    """
    owner, _, name = repo.partition("/")
    if not owner or not name or "/" in name:
        raise ConfigError(f"github_repo={repo!r}: expected owner/name")
    ref = f"ref:refs/heads/{branch}"
    return [f"repo:{owner}/{name}:{ref}", f"repo:{owner}@*/{name}@*:{ref}"]


class DeployRole(Construct):
    """The OIDC provider (unless the account has one) and the deploy role."""

    def __init__(self, scope: Construct, construct_id: str, *, deployment: Deployment) -> None:
        super().__init__(scope, construct_id)
        provider: iam.IOidcProvider
        if deployment.github_oidc_provider_arn:
            provider = iam.OidcProviderNative.from_oidc_provider_arn(
                self, "GitHub", deployment.github_oidc_provider_arn
            )
        else:
            provider = iam.OidcProviderNative(
                self, "GitHub", url=GITHUB_OIDC_URL, client_ids=[AUDIENCE]
            )
        principal = iam.WebIdentityPrincipal(
            provider.oidc_provider_arn,
            conditions={
                "StringEquals": {f"{GITHUB_OIDC_HOST}:aud": AUDIENCE},
                "StringLike": {
                    f"{GITHUB_OIDC_HOST}:sub": github_subjects(
                        deployment.github_repo, deployment.github_branch
                    )
                },
            },
        )
        self.role = iam.Role(
            self,
            "Role",
            role_name=f"{deployment.prefix}-github-deploy",
            assumed_by=principal,
            max_session_duration=Duration.hours(1),
            description="GitHub Actions deploy: may only assume the CDK bootstrap roles",
        )
        bootstrap_roles = (
            f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:role/"
            f"cdk-{CDK_QUALIFIER}-*-role-{Aws.ACCOUNT_ID}-{Aws.REGION}"
        )
        policy = iam.Policy(self, "AssumeBootstrap", policy_name="assume-cdk-bootstrap-roles")
        policy.add_statements(
            iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[bootstrap_roles])
        )
        policy.attach_to_role(self.role)
