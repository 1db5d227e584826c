"""The deployment's EventBridge Scheduler schedules: list them, switch them off and on.

Every schedule of a deployment lives in one schedule group (`Deployment.schedule_group`), so
the group is the whole inventory. `UpdateSchedule` replaces the schedule: a field left out of the
request is reset (the time zone falls back to UTC, the description and the retry policy are
dropped), so a state change resends everything `GetSchedule` returned with only `State` changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from coinlake.errors import CoinlakeError, ConfigError

if TYPE_CHECKING:
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

State = Literal["ENABLED", "DISABLED"]

UPDATABLE_FIELDS = (
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "StartDate",
    "EndDate",
    "Description",
    "KmsKeyArn",
    "Target",
    "FlexibleTimeWindow",
    "ActionAfterCompletion",
)
"""The `GetSchedule` fields `UpdateSchedule` takes back (everything but the state)."""


class SchedulerError(CoinlakeError):
    """EventBridge Scheduler refused or failed a call."""


class ScheduleGroupNotFoundError(SchedulerError):
    """The deployment's schedule group does not exist (not deployed, or another stage)."""


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    """One schedule as `coinlake aws schedules` shows it."""

    name: str
    """The schedule's name."""
    expression: str
    """`cron(...)`, `rate(...)` or `at(...)`."""
    timezone: str
    """IANA time zone the expression is evaluated in (UTC when unset)."""
    state: str
    """ENABLED or DISABLED."""
    target: str
    """ARN of what it invokes."""


class Schedules:
    """The schedules of one group, through a Scheduler client."""

    def __init__(self, client: EventBridgeSchedulerClient, group: str) -> None:
        """Work on `group` with `client` (nothing is called here)."""
        self._client = client
        self.group = group

    def describe(self) -> list[ScheduleInfo]:
        """Every schedule of the group, by name.

        Raises:
            ScheduleGroupNotFoundError: the group does not exist.
            ConfigError: no AWS credentials.
            SchedulerError: any other failure.
        """
        with _translated(self.group):
            self._client.get_schedule_group(Name=self.group)
            names = sorted(self._names())
            return [_info(self._client.get_schedule(Name=n, GroupName=self.group)) for n in names]

    def set_state(self, state: State) -> list[tuple[ScheduleInfo, bool]]:
        """Put every schedule of the group in `state`; return each (after) and whether it
        changed. Schedules already in `state` are left untouched.

        Raises:
            ScheduleGroupNotFoundError, ConfigError, SchedulerError: as `describe`.
        """
        results: list[tuple[ScheduleInfo, bool]] = []
        with _translated(self.group):
            self._client.get_schedule_group(Name=self.group)
            for name in sorted(self._names()):
                current = self._client.get_schedule(Name=name, GroupName=self.group)
                if current.get("State") == state:
                    results.append((_info(current), False))
                    continue
                request = build_update_request(current, state)
                self._client.update_schedule(**request)
                after = self._client.get_schedule(Name=name, GroupName=self.group)
                results.append((_info(after), True))
        return results

    def _names(self) -> Iterator[str]:
        paginator = self._client.get_paginator("list_schedules")
        for page in paginator.paginate(GroupName=self.group):
            for summary in page.get("Schedules", []):
                yield summary["Name"]


def build_update_request(current: Any, state: State) -> dict[str, Any]:
    """The `UpdateSchedule` request that changes only the state of the schedule `current`
    (a `GetSchedule` response)."""
    request: dict[str, Any] = {"Name": current["Name"], "GroupName": current["GroupName"]}
    for name in UPDATABLE_FIELDS:
        if current.get(name) is not None:
            request[name] = current[name]
    request["State"] = state
    return request


def _info(schedule: Any) -> ScheduleInfo:
    return ScheduleInfo(
        name=schedule["Name"],
        expression=schedule.get("ScheduleExpression", ""),
        timezone=schedule.get("ScheduleExpressionTimezone") or "UTC",
        state=schedule.get("State", "ENABLED"),
        target=schedule.get("Target", {}).get("Arn", ""),
    )


class _translated:
    """Turn botocore errors into one-line coinlake errors naming the group."""

    def __init__(self, group: str) -> None:
        self._group = group

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            return
        if isinstance(exc, NoCredentialsError):
            raise ConfigError(
                "no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
                "(or run in a role)"
            ) from exc
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code, message = error.get("Code", ""), error.get("Message", str(exc))
            if code == "ResourceNotFoundException" and exc.operation_name == "GetScheduleGroup":
                raise ScheduleGroupNotFoundError(
                    f"schedule group {self._group!r} not found: is the stack deployed, and is "
                    "--stage right?"
                ) from exc
            raise SchedulerError(f"EventBridge Scheduler: {code}: {message}") from exc
        if isinstance(exc, BotoCoreError):
            raise SchedulerError(f"EventBridge Scheduler: {exc}") from exc
