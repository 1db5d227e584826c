"""Land one fetched response in Bronze and say so: the envelope from a `RawResponse`.

Every object this package writes goes through `land_raw`, which logs the line operators (and the
Lambda's log filters) look for: `Successfully uploaded data to <uri>` (`s3://bucket/key` on S3,
an absolute path locally). A re-fetch that lands on an existing key is a no-op and says so.
"""

from __future__ import annotations

import logging

from coinlake import __version__
from coinlake.bronze.land import LandResult, land_response
from coinlake.domain.envelope import EnvelopeMeta
from coinlake.ingest.summary import ItemSummary
from coinlake.sources.http import RawResponse
from coinlake.storage.base import ObjectStore

log = logging.getLogger(__name__)

SUCCESS = "Successfully uploaded data to %s"


def meta_for(
    raw: RawResponse,
    *,
    dataset: str,
    product: str | None = None,
    parse_error: str | None = None,
    extra: dict[str, str] | None = None,
) -> EnvelopeMeta:
    """The envelope metadata of `raw` (request without secrets, kept headers, fetch time)."""
    return EnvelopeMeta(
        source=raw.api,
        dataset=dataset,
        url=raw.request.url,
        params=dict(raw.request.params),
        status=raw.status,
        headers=raw.kept_headers(),
        fetched_at=raw.fetched_at,
        client_version=__version__,
        product=product,
        parse_error=parse_error,
        extra=dict(extra or {}),
    )


def land_raw(store: ObjectStore, key: str, meta: EnvelopeMeta, raw: RawResponse) -> LandResult:
    """Land `raw.body` at `key` (create-only) and log the outcome with its URI."""
    result = land_response(store, key, meta, raw.body)
    context = {"source": meta.source, "dataset": meta.dataset, "product": meta.product}
    if result.written:
        log.info(SUCCESS, result.uri, extra=context)
    else:
        log.info("Already in the lake, kept as is: %s", result.uri, extra=context)
    if result.flagged:
        log.warning(
            "landed an unparsable %s/%s response at %s: %s",
            meta.source,
            meta.dataset,
            result.uri,
            meta.parse_error,
            extra=context,
        )
    return result


def land_counted(
    store: ObjectStore,
    key: str,
    meta: EnvelopeMeta,
    raw: RawResponse,
    summary: ItemSummary,
    records: int | None,
) -> LandResult:
    """`land_raw`, then count it on `summary`: written or kept, and either `records` parsed
    records or (None) one response that did not parse, with its key."""
    result = land_raw(store, key, meta, raw)
    summary.objects_written += result.written
    summary.objects_existing += not result.written
    if records is None:
        summary.parse_failures += 1
        summary.unparsed_keys.append(key)
    else:
        summary.trades += records
    return result
