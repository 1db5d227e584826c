"""Reading a synthesized CloudFormation template in tests: resolve intrinsic functions to the
values a deployment in account 123456789012 / us-east-1 gets, find resources by property."""

from __future__ import annotations

from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
PSEUDO = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}


class Resolver:
    """Resolves `Ref`, `Fn::GetAtt` (bucket and role ARNs, names), `Fn::Join` and `Fn::Sub`."""

    def __init__(self, template: dict[str, Any]) -> None:
        self.resources: dict[str, Any] = template["Resources"]

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(item) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return self.ref(value["Ref"])
        if set(value) == {"Fn::GetAtt"}:
            logical, attribute = value["Fn::GetAtt"]
            return self.get_att(logical, attribute)
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self(part)) for part in parts)
        if set(value) == {"Fn::Sub"}:
            text = value["Fn::Sub"]
            for name, resolved in PSEUDO.items():
                text = text.replace("${" + name + "}", resolved)
            return text
        return {key: self(item) for key, item in value.items()}

    def ref(self, logical: str) -> str:
        if logical in PSEUDO:
            return PSEUDO[logical]
        resource = self.resources[logical]
        props = resource.get("Properties", {})
        for name in ("BucketName", "RoleName", "FunctionName", "QueueName", "Name"):
            if name in props:
                return str(self(props[name]))
        return f"<{logical}>"

    def get_att(self, logical: str, attribute: str) -> str:
        resource = self.resources[logical]
        if resource["Type"] == "AWS::S3::Bucket" and attribute == "Arn":
            return f"arn:aws:s3:::{self.ref(logical)}"
        if resource["Type"] == "AWS::IAM::Role" and attribute == "Arn":
            return f"arn:aws:iam::{ACCOUNT}:role/{self.ref(logical)}"
        return f"<{logical}.{attribute}>"


def resources(template: dict[str, Any], kind: str) -> dict[str, Any]:
    """Logical id -> resource, for one resource type."""
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def one(template: dict[str, Any], kind: str, **props: Any) -> dict[str, Any]:
    """The single resource of `kind` whose properties include `props` (resolved); its
    resolved properties."""
    resolve = Resolver(template)
    found = []
    for resource in resources(template, kind).values():
        resolved = resolve(resource.get("Properties", {}))
        if all(resolved.get(key) == value for key, value in props.items()):
            found.append(resolved)
    assert len(found) == 1, f"{len(found)} {kind} with {props}"
    return found[0]


def role_policies(template: dict[str, Any], role_name: str) -> list[dict[str, Any]]:
    """Resolved statements of every AWS::IAM::Policy attached to the role named `role_name`."""
    resolve = Resolver(template)
    statements: list[dict[str, Any]] = []
    for policy in resources(template, "AWS::IAM::Policy").values():
        props = policy["Properties"]
        if role_name in [resolve(role) for role in props.get("Roles", [])]:
            statements += resolve(props["PolicyDocument"]["Statement"])
    return statements
