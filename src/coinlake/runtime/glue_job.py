"""The AWS Glue job entry point: Silver and Gold on Spark, through the same
`coinlake.app.transform` the `coinlake transform` command calls, then the data-quality checks
on the same engine (`--quality`, default true; `coinlake.app.quality`) with their failure
counts published to CloudWatch (`--metrics true`; names and dimensions in
`coinlake.aws.cloudwatch`).

On Glue (`awsglue` importable) the job takes Glue's SparkSession from a `GlueContext`, reads
its arguments with `getResolvedOptions` and commits the Glue `Job` at the end (coinlake keeps
its own bookmarks in `_state/`; Glue job bookmarks are not used). Elsewhere it reads the same
arguments from argv and builds a local session. The lake comes from `--lake`; the rest of the
settings (S3 endpoint, region) from the usual `COINLAKE_*` environment and config file:

    python -m coinlake.runtime.glue_job --JOB_NAME local --lake ./lake --layer all

Bad arguments print one `error: ...` line and exit with status 2; a failed run exits 1.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from coinlake.errors import CoinlakeError, ConfigError
from coinlake.runtime.glue_args import JobArgs, from_resolved, glue_option_names, parse_argv
from coinlake.transform.runner import TableSummary

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from coinlake.aws.cloudwatch import MetricsClient
    from coinlake.config import Settings
    from coinlake.quality.api import QualityRun

logger = logging.getLogger("coinlake.glue_job")

EXIT_USER_ERROR = 2
EXIT_FAILURE = 1


def glue_available() -> bool:
    """True when running where `awsglue` (the Glue runtime library) is importable."""
    try:
        import awsglue.utils  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_args(argv: Sequence[str], *, glue: bool) -> JobArgs:
    """The job's arguments, the Glue way when `glue`, else from argv (no program name)."""
    if not glue:
        return parse_argv(argv)
    from awsglue.utils import getResolvedOptions

    full_argv = ["glue_job", *argv]
    try:
        resolved = getResolvedOptions(full_argv, glue_option_names(argv))
    except SystemExit as exc:  # Glue's resolver is argparse: it exits on a missing name
        raise ConfigError("glue job arguments: --JOB_NAME and --lake are required") from exc
    return from_resolved(resolved)


def summary_line(summary: TableSummary) -> str:
    """One log line per table, like the CLI's summary table."""
    mark = " (full refresh)" if summary.full_refresh else ""
    unreadable = (
        f", {summary.objects_unreadable} unreadable Bronze objects quarantined"
        if summary.objects_unreadable
        else ""
    )
    return (
        f"{summary.table}{mark}: {summary.objects_read} objects, {summary.rows_in} rows in, "
        f"{summary.rows_written} written, {summary.rows_deduped} deduped, "
        f"{summary.rows_quarantined} quarantined, {summary.partitions_rewritten} partitions, "
        f"{summary.seconds:.2f}s{unreadable}"
    )


def _glue_session(args: JobArgs) -> tuple[SparkSession, Any]:
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from pyspark.context import SparkContext

    context = GlueContext(SparkContext.getOrCreate())
    job = Job(context)
    job.init(args.job_name, {"JOB_NAME": args.job_name})
    return context.spark_session, job


def run(
    args: JobArgs,
    *,
    session: SparkSession | None = None,
    glue: bool = False,
    metrics: MetricsClient | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Run the transforms (then the quality checks) for `args`; return the summary lines.

    Args:
        session: an existing session to run on (tests share one); None builds Glue's (on Glue)
            or a local one, stopped at the end.
        glue: take the session from a GlueContext and commit the Glue job.
        metrics: the CloudWatch client for `--metrics true` (None builds one from the usual
            `COINLAKE_*` settings).
        now: the quality run's time (None: the wall clock).
    """
    from coinlake.app.quality import transform_and_check
    from coinlake.config import load_settings
    from coinlake.engines.spark import SparkEngine
    from coinlake.quality.config import QualityConfig

    settings = load_settings({"lake": args.lake, "engine": "spark"})
    job = None
    if session is None and glue:
        session, job = _glue_session(args)
    at = now or datetime.now(UTC)
    summaries, checked = transform_and_check(
        settings,
        args.layer,  # type: ignore[arg-type]  # checked by JobArgs
        QualityConfig() if args.quality else None,
        now=at,
        full_refresh=args.full_refresh,
        progress=lambda table, message: logger.info("%s: %s", table, message),
        engine=SparkEngine(session),
    )
    lines = [summary_line(s) for s in summaries]
    if checked is not None:
        lines.append(_quality(args, settings, checked, metrics, at))
    if job is not None:
        job.commit()
    return lines


def _quality(
    args: JobArgs,
    settings: Settings,
    quality: QualityRun,
    metrics: MetricsClient | None,
    now: datetime,
) -> str:
    """The quality run's summary line; its metrics published with `--metrics true`."""
    line = (
        f"quality {quality.run_id}: {quality.checks} checks, "
        f"{len({r.check for r in quality.failed('error')})} failed (error), "
        f"{len({r.check for r in quality.failed('warn')})} failed (error or warn)"
    )
    if args.metrics:
        from coinlake.aws.cloudwatch import cloudwatch_client, publish_quality_metrics

        client = metrics or cloudwatch_client(settings)
        sent = publish_quality_metrics(
            client, quality.results, dimensions={"Job": args.job_name}, at=now
        )
        line += f"; {sent} CloudWatch data points"
    return line


def main(argv: Sequence[str] | None = None, *, session: SparkSession | None = None) -> int:
    """Run the job; return the exit status (0 ok, 2 bad arguments, 1 failed run)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    glue = glue_available()
    try:
        args = resolve_args(arguments, glue=glue)
        lines = run(args, session=session, glue=glue)
    except CoinlakeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR if isinstance(exc, ValueError) else EXIT_FAILURE
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    sys.exit(main())
