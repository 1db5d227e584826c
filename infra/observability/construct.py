"""Alarms to one SNS topic (with an optional e-mail), a Glue failure notification, and a Budget.

- Lambda errors: any failed invocation of an ingest function in 5 minutes.
- DLQ depth: any message waiting in the ingest dead-letter queue.
- Glue job failure: an EventBridge rule on the job's FAILED/TIMEOUT/ERROR state changes, sent
  to the topic, plus an alarm on Glue's failed-tasks metric.
- Data freshness: the ingest Lambdas log `Successfully uploaded data to s3://...` once per
  Bronze object; a metric filter counts those lines and the alarm fires when none came for
  `freshness_minutes` (missing data counts as breaching: silence is the failure).
- The AWS Budget (the whole account's monthly cost) alerts at 80% actual and 100% forecast.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as event_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from coinlake.aws.cloudwatch import NAMESPACE as QUALITY_NAMESPACE
from coinlake.deployment import Deployment
from infra.ingestion.construct import Ingestion
from infra.transforms.construct import Transforms

METRIC_NAMESPACE = "coinlake"
LANDED_METRIC = "BronzeObjectsLanded"
SUCCESS_PATTERN = '"Successfully uploaded data to s3://"'
"""The line `coinlake.ingest.landing` logs once per object landed (a term match in any format)."""


class Observability(Construct):
    """Topic, alarms, Glue failure rule and budget."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        ingestion: Ingestion,
        transforms: Transforms,
    ) -> None:
        super().__init__(scope, construct_id)
        self.deployment = deployment
        self.topic = sns.Topic(
            self, "Alarms", topic_name=f"{deployment.prefix}-alarms", enforce_ssl=True
        )
        if deployment.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(deployment.alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []
        for ingest in ingestion.functions:
            self._alarm(
                f"{ingest.source.capitalize()}Errors",
                f"{deployment.prefix}-ingest-{ingest.source}-errors",
                ingest.function.metric_errors(period=Duration.minutes(5), statistic="Sum"),
                f"The {ingest.source} ingest Lambda failed",
            )
        self._alarm(
            "DeadLetters",
            f"{deployment.prefix}-ingest-dlq-depth",
            ingestion.dlq.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5), statistic="Maximum"
            ),
            "Ingest events are waiting in the dead-letter queue",
        )
        self._alarm(
            "GlueFailedTasks",
            f"{deployment.prefix}-transform-failed-tasks",
            cloudwatch.Metric(
                namespace="Glue",
                metric_name="glue.driver.aggregate.numFailedTasks",
                dimensions_map={"JobName": transforms.job_name, "JobRunId": "ALL", "Type": "count"},
                period=Duration.minutes(5),
                statistic="Sum",
            ),
            "Spark tasks of the transform job failed",
        )
        self._alarm(
            "QualityErrors",
            f"{deployment.prefix}-quality-errors",
            cloudwatch.Metric(
                namespace=QUALITY_NAMESPACE,
                metric_name="FailedChecks",
                dimensions_map={"Job": transforms.job_name, "Severity": "error"},
                period=Duration.minutes(max(5, deployment.transform_rate_minutes)),
                statistic="Maximum",
            ),
            "An error-severity data-quality check failed after the transforms (coinlake quality)",
        )
        self.glue_failures = events.Rule(
            self,
            "GlueJobFailed",
            rule_name=f"{deployment.prefix}-transform-failed",
            description="coinlake: the Glue transform job failed, timed out or errored",
            event_pattern=events.EventPattern(
                source=["aws.glue"],
                detail_type=["Glue Job State Change"],
                detail={"jobName": [transforms.job_name], "state": ["FAILED", "TIMEOUT", "ERROR"]},
            ),
            targets=[event_targets.SnsTopic(self.topic)],
        )
        self._freshness(ingestion)
        self._budget()

    def _alarm(
        self,
        construct_id: str,
        name: str,
        metric: cloudwatch.IMetric,
        description: str,
        *,
        missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
        comparison: cloudwatch.ComparisonOperator = (
            cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        ),
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_name=name,
            alarm_description=description,
            metric=metric,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=comparison,
            treat_missing_data=missing,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        return alarm

    def _freshness(self, ingestion: Ingestion) -> None:
        deployment = self.deployment
        for ingest in ingestion.functions:
            logs.MetricFilter(
                self,
                f"{ingest.source.capitalize()}Landed",
                log_group=ingest.log_group,
                filter_pattern=logs.FilterPattern.literal(SUCCESS_PATTERN),
                metric_namespace=METRIC_NAMESPACE,
                metric_name=LANDED_METRIC,
                metric_value="1",
                dimensions=None,
            )
        metric = cloudwatch.Metric(
            namespace=METRIC_NAMESPACE,
            metric_name=LANDED_METRIC,
            period=Duration.minutes(deployment.freshness_minutes),
            statistic="Sum",
        )
        self._alarm(
            "Freshness",
            f"{deployment.prefix}-bronze-freshness",
            metric,
            f"No Bronze object landed for {deployment.freshness_minutes} minutes",
            missing=cloudwatch.TreatMissingData.BREACHING,
            comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        )

    def _budget(self) -> None:
        deployment = self.deployment
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["sns:Publish"],
                principals=[iam.ServicePrincipal("budgets.amazonaws.com")],
                resources=[self.topic.topic_arn],
            )
        )
        subscribers = [
            budgets.CfnBudget.SubscriberProperty(
                subscription_type="SNS", address=self.topic.topic_arn
            )
        ]
        if deployment.alarm_email:
            subscribers.append(
                budgets.CfnBudget.SubscriberProperty(
                    subscription_type="EMAIL", address=deployment.alarm_email
                )
            )
        notifications = [
            budgets.CfnBudget.NotificationWithSubscribersProperty(
                notification=budgets.CfnBudget.NotificationProperty(
                    notification_type=kind,
                    comparison_operator="GREATER_THAN",
                    threshold=percent,
                    threshold_type="PERCENTAGE",
                ),
                subscribers=subscribers,
            )
            for kind, percent in (("ACTUAL", 80), ("FORECASTED", 100))
        ]
        self.budget = budgets.CfnBudget(
            self,
            "Budget",
            budget=budgets.CfnBudget.BudgetDataProperty(
                budget_name=f"{deployment.prefix}-monthly",
                budget_type="COST",
                time_unit="MONTHLY",
                budget_limit=budgets.CfnBudget.SpendProperty(
                    amount=deployment.budget_usd, unit="USD"
                ),
            ),
            notifications_with_subscribers=notifications,
        )
