"""The one error hierarchy of coinlake.

    CoinlakeError
    ├── ConfigError (also ValueError)            bad setting, flag or path
    ├── SourceError                               talking to an upstream API
    │   ├── RateLimitedError (TransientError)     HTTP 429
    │   ├── UpstreamUnavailableError (Transient)  5xx, timeouts, connection errors
    │   ├── BadResponseError (also ValueError)    non-JSON body, unexpected status
    │   └── SchemaDriftError (BadResponseError)   JSON of the wrong shape; names the field
    ├── StorageError                              lake reads/writes
    │   ├── ObjectExistsError                     create-only write on an existing key
    │   └── ConcurrentUpdateError                 a conditional state write lost a race
    ├── QueryError
    │   ├── QueryFailedError
    │   └── QueryTimeoutError
    └── DataQualityError                          an audit failed

`TransientError` is a mixin marking what a retry may cure. The CLI prints `str(error)` as one line;
messages therefore say what failed and what to do next.
"""

from __future__ import annotations


class CoinlakeError(Exception):
    """Root of every error coinlake raises on purpose."""


class TransientError:
    """Mixin: the operation may succeed if retried later."""


class ConfigError(CoinlakeError, ValueError):
    """A setting, flag or path is invalid. The message names the setting."""


class SourceError(CoinlakeError):
    """An upstream API call failed."""

    def __init__(self, message: str, *, api: str = "", endpoint: str = "") -> None:
        super().__init__(message)
        self.api = api
        self.endpoint = endpoint


class RateLimitedError(SourceError, TransientError):
    """The API answered 429."""

    def __init__(
        self, message: str, *, api: str = "", endpoint: str = "", retry_after_s: float | None = None
    ) -> None:
        super().__init__(message, api=api, endpoint=endpoint)
        self.retry_after_s = retry_after_s


class UpstreamUnavailableError(SourceError, TransientError):
    """5xx, timeout or connection failure."""


class UnreachableError(SourceError):
    """No connection could be made (refused, unknown host, no network): not retried, since
    asking again in a few seconds meets the same closed port or missing DNS name."""


class BadResponseError(SourceError, ValueError):
    """The API answered something we cannot use (non-JSON, unexpected 4xx)."""

    def __init__(
        self, message: str, *, api: str = "", endpoint: str = "", status: int | None = None
    ) -> None:
        super().__init__(message, api=api, endpoint=endpoint)
        self.status = status


class SchemaDriftError(BadResponseError):
    """Valid JSON whose shape differs from the documented one."""

    def __init__(self, message: str, *, field: str = "", api: str = "", endpoint: str = "") -> None:
        super().__init__(message, api=api, endpoint=endpoint)
        self.field = field


class StorageError(CoinlakeError):
    """A lake read or write failed."""


class ObjectExistsError(StorageError):
    """A create-only write found the key already present (Bronze is never overwritten)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"object already exists: {key}")
        self.key = key


class ConcurrentUpdateError(StorageError, TransientError):
    """A conditional write of a state object lost a race with another writer."""


class QueryError(CoinlakeError):
    """A SQL query failed."""


class QueryFailedError(QueryError):
    """The engine rejected or failed the query."""

    def __init__(self, message: str, *, query_execution_id: str = "") -> None:
        super().__init__(message)
        self.query_execution_id = query_execution_id


class QueryTimeoutError(QueryError, TransientError):
    """The query did not finish before its deadline."""


class DataQualityError(CoinlakeError):
    """An audit over a table failed."""

    def __init__(self, message: str, *, audit: str = "", failed_rows: int = 0) -> None:
        super().__init__(message)
        self.audit = audit
        self.failed_rows = failed_rows
