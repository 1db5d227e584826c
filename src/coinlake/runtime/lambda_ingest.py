"""AWS Lambda entry point for ingestion: EventBridge schedule (or a manual event) -> Bronze on S3.

Events:

- the EventBridge scheduled event (`"detail-type": "Scheduled Event"`): the source comes from the
  `ingest_source` setting (`COINLAKE_INGEST_SOURCE`), else from the rule's name when it holds a
  registered source's name (`...coingecko...`), else every source;
- a manual test event: `{"source": "coinbase", "product": "BTC-USD"}` (also `products`, `since`,
  `max_pages`; `source` is `all` or any registered source).

Settings come from `COINLAKE_*` environment variables (`COINLAKE_LAKE=s3://bucket/prefix`, ...)
through the same loader as everything else; `ingest_max_pages` (`COINLAKE_INGEST_MAX_PAGES`)
bounds the pages per product and invocation (the walk resumes next time). The old names
`INGEST_SOURCE` and `INGEST_MAX_PAGES` still work (deprecated; read by the settings loader).
`make_handler(sources=...)` builds a handler on other API clients (a test's sandbox).
Logs are JSON on stdout (Powertools' formatter when installed, else coinlake's), one line per
upload ending in `Successfully uploaded data to s3://<bucket>/<key>`. A failed product or an
unparsable response is logged, then raised, so Lambda retries or sends the event to the DLQ.

This module and what it imports must not load duckdb, pyarrow, pandas or pyspark (the package
stays small; a test proves it), nor the CLI's rich and typer. Importing it stays light: httpx is
imported when a source builds its client, and pydantic (the settings) on the first invocation,
when `load_settings` validates the environment; a test keeps both out of the import.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from coinlake.app.ingest import SourcesFactory, ingest, open_sources
from coinlake.app.lake import open_lake
from coinlake.errors import CoinlakeError, ConfigError
from coinlake.ingest.run import RunOptions
from coinlake.ingest.since import check_not_future, parse_since
from coinlake.log import JsonFormatter
from coinlake.sources.registry import ALL, REGISTRY
from coinlake.storage.base import ObjectStore

if TYPE_CHECKING:
    from coinlake.config import Settings

log = logging.getLogger(__name__)

SERVICE = "coinlake-ingest"


class IngestFailedError(CoinlakeError):
    """The run landed what it could, but a product failed or a response did not parse."""


@dataclass(frozen=True, slots=True)
class IngestRequest:
    """What one invocation should do."""

    source: str
    """`all` or a registered source."""
    products: tuple[str, ...] | None = None
    since: str | None = None
    max_pages: int | None = None


def parse_event(event: Mapping[str, Any], settings: Settings) -> IngestRequest:
    """The request an event stands for (pure).

    Raises:
        ConfigError: the event is neither a scheduled event nor a valid manual event.
    """
    max_pages = settings.ingest_max_pages
    if event.get("detail-type") == "Scheduled Event":
        if settings.ingest_source:
            return IngestRequest(
                _source(settings.ingest_source, "ingest_source"), max_pages=max_pages
            )
        rules = " ".join(str(arn) for arn in event.get("resources") or ()).lower()
        for name in REGISTRY.names():
            if name in rules:
                return IngestRequest(name, max_pages=max_pages)
        return IngestRequest(ALL, max_pages=max_pages)
    if "source" not in event:
        raise ConfigError(
            "unsupported event: expected an EventBridge scheduled event or "
            f'{{"source": "<{"|".join(REGISTRY.choices())}>", "product": "BTC-USD"}}'
        )
    products = event.get("products") or ([event["product"]] if event.get("product") else None)
    if products is not None and not isinstance(products, list | tuple):
        raise ConfigError("event: products must be a list of product ids")
    since = event.get("since")
    return IngestRequest(
        source=_source(str(event["source"]), "event source"),
        products=None if products is None else tuple(str(p).upper() for p in products),
        since=None if since is None else str(since),
        max_pages=_int(event.get("max_pages", max_pages), "event max_pages"),
    )


def _source(value: str, where: str) -> str:
    choices = REGISTRY.choices()
    if value in choices:
        return value
    raise ConfigError(f"{where} {value!r}: expected one of {', '.join(choices)}")


def _int(value: object, where: str) -> int:
    try:
        number = int(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where} {value!r} is not a whole number") from exc
    if number < 1:
        raise ConfigError(f"{where} must be at least 1")
    return number


class _RequestId(logging.Filter):
    """Stamps every record with the invocation's `aws_request_id`."""

    def __init__(self) -> None:
        super().__init__()
        self.request_id: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if self.request_id is not None:
            record.aws_request_id = self.request_id
        return True


_REQUEST_ID = _RequestId()


def configure_lambda_logging(level: str = "INFO") -> None:
    """JSON logs on stdout: Powertools' formatter if importable, else coinlake's."""
    formatter: logging.Formatter
    try:
        from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

        formatter = LambdaPowertoolsFormatter(service=SERVICE, utc=True)
    except ImportError:  # the package is optional; the stable keys stay the same
        formatter = JsonFormatter()
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    handler.addFilter(_REQUEST_ID)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _settings_and_store(
    cache: dict[str, tuple[Settings, ObjectStore]], environ: Mapping[str, str]
) -> tuple[Settings, ObjectStore]:
    """Built once per container (warm invocations reuse the S3 client). The settings loader
    (pydantic) is imported here, on the first invocation, not when Lambda imports the module."""
    if "lake" not in cache:
        from coinlake.config import load_settings

        settings = load_settings(environ=environ)
        cache["lake"] = (settings, open_lake(settings))
    return cache["lake"]


Handler = Callable[[Mapping[str, Any], Any], dict[str, Any]]


def make_handler(
    sources: SourcesFactory = open_sources, environ: Mapping[str, str] | None = None
) -> Handler:
    """A Lambda handler on the given API clients (`sources`) and environment (`os.environ`)."""
    cache: dict[str, tuple[Settings, ObjectStore]] = {}

    def run(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        env = os.environ if environ is None else environ
        _REQUEST_ID.request_id = getattr(context, "aws_request_id", None)
        configure_lambda_logging(env.get("COINLAKE_LOG_LEVEL", "INFO"))
        try:
            settings, store = _settings_and_store(cache, env)
            return _invoke(event, settings, store, sources)
        except Exception:  # logged as JSON with the request id, then raised: Lambda retries / DLQ
            log.exception("ingest failed")
            raise

    return run


def _invoke(
    event: Mapping[str, Any], settings: Settings, store: ObjectStore, sources: SourcesFactory
) -> dict[str, Any]:
    request = parse_event(event, settings)
    since = None if request.since is None else parse_since(request.since)
    if isinstance(since, datetime):
        check_not_future(since, "event since", datetime.now(UTC))
    summary = ingest(
        store,
        settings,
        source=request.source,
        products=request.products,
        since=since,
        options=RunOptions(max_pages=request.max_pages, command="lambda"),
        sources=sources,
    )
    result: dict[str, Any] = {
        "run_id": summary.run_id,
        "status": summary.status,
        "run_record": summary.record_key,
        "items": [item.to_json() for item in summary.items],
    }
    if summary.failed:
        failed = [f"{i.dataset} {i.name}" for i in summary.items if i.failed]
        log.error(
            "ingest run %s failed for %s", summary.run_id, ", ".join(failed),
            extra={"run_id": summary.run_id},
        )  # fmt: skip
        raise IngestFailedError(
            f"ingest run {summary.run_id} failed for {', '.join(failed)}; see the run record"
        )
    log.info("ingest run %s succeeded", summary.run_id, extra={"run_id": summary.run_id})
    return result


handler = make_handler()
"""The function Lambda calls: `coinlake.runtime.lambda_ingest.handler`."""
