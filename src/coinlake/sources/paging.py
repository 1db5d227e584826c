"""How a dataset pages: the three shapes ingestion knows, and what a fetched response carries.

A source package declares, per dataset, one `Paging` and one `KeyLayout`; ingestion picks the
driver for the paging (`coinlake.ingest.run`) and Bronze builds the key from the layout
(`coinlake.bronze.keys.build_key`), so a new API needs no code outside its package:

- `snapshot`: one request per run, one object (`year=/month=/day=/<fetched_at>.json`);
  the client implements `SnapshotPager`.
- `windows`: a time range cut into request windows, one object per window, keyed by the
  requested window (`.../<start>-<end>.json`); the client implements `WindowPager`.
- `id_walk`: sequential ids walked down with a cursor, one object per page keyed by its id
  range (`.../<first_id>-<last_id>.json`), gapless with cursors, checkpoints and a lease
  (`coinlake.ingest.id_walk`); the client implements `IdWalkPager`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from coinlake.config import Settings
    from coinlake.domain.clock import Clock
    from coinlake.sources.http import RawResponse
    from coinlake.storage.base import ObjectStore

Paging = Literal["snapshot", "windows", "id_walk"]
FileName = Literal["fetched_at", "time_range", "id_range"]
DATE_FOLDERS = ("date", "year", "month", "day")
"""Folders whose value is the fetch time's UTC date (Bronze is a landing zone)."""


@dataclass(frozen=True, slots=True)
class KeyLayout:
    """What a dataset's Bronze keys look like below `bronze/source=<s>/dataset=<d>/`."""

    folders: tuple[str, ...]
    """`name=value` folders in order; `date` or `year`/`month`/`day` come from the fetch time,
    the others (`product`, `coin`, ...) from the response's `Fetched.folders`."""
    file: FileName
    """The object's name: its fetch time, the requested window, or the page's id range."""

    @property
    def item_folders(self) -> tuple[str, ...]:
        """The folders a response names itself (not derived from the fetch time)."""
        return tuple(name for name in self.folders if name not in DATE_FOLDERS)


@dataclass(frozen=True, slots=True)
class Fetched:
    """One response ready to land: the exact body and what its key and envelope need."""

    raw: RawResponse
    records: int | None
    """Records parsed from the body; None when it did not parse (it is landed flagged)."""
    error: str | None = None
    """Why the body did not parse."""
    folders: Mapping[str, str] = field(default_factory=dict)
    """Values of the layout's item folders (`{"product": "BTC-USD"}`)."""
    start_at: datetime | None = None
    """Start of the requested window (`windows` paging)."""
    end_at: datetime | None = None
    """End of the requested window."""
    product: str | None = None
    """The envelope's `product` (what the response is about), if any."""
    extra: Mapping[str, str] = field(default_factory=dict)
    """More envelope metadata (`{"granularity": "3600"}`)."""


class SnapshotPager(Protocol):
    """A client with `snapshot` datasets."""

    def fetch_snapshot(self, dataset: str) -> Fetched:
        """Fetch the dataset's one response of this run.

        Raises:
            SourceError: the API kept failing.
        """
        ...


class WindowPager(Protocol):
    """A client with `windows` datasets."""

    def iter_windows(
        self,
        dataset: str,
        item: str,
        start_at: datetime,
        end_at: datetime,
        options: Mapping[str, str],
    ) -> Iterator[Fetched]:
        """The responses covering `[start_at, end_at)` for `item`, window by window.

        Raises:
            ConfigError: the range or an option is not one the API serves.
            SourceError: the API kept failing for a window (those before it were yielded).
        """
        ...


@runtime_checkable
class InputChecker(Protocol):
    """A client that can refuse a run's inputs (unknown names) before anything is fetched."""

    def check_inputs(self, store: ObjectStore, dataset: str, item: str | None) -> None:
        """Raise a `ConfigError` for inputs the API does not know; `store` may cache lists.

        Raises:
            ConfigError: an input the API does not know.
            SourceError: the API could not be asked.
        """
        ...


class Closeable(Protocol):
    """What every opened client offers."""

    def close(self) -> None:
        """Release connections."""
        ...


@dataclass(frozen=True, slots=True)
class Dataset:
    """One dataset of a source: how it pages and what its Bronze keys look like."""

    name: str
    paging: Paging
    keys: KeyLayout
    items: Callable[[Settings], Sequence[str]] | None = None
    """The items one run covers (`settings.products`); None: one object per run (snapshot)."""
    ingest: bool = True
    """Part of `coinlake ingest` (else `backfill` only)."""
    backfill: bool = True
    """Part of `coinlake backfill`."""
    requires: tuple[str, ...] = ()
    """Backfill options without which the dataset is skipped (`granularity_s` for candles)."""
    choices: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """The values the API accepts for a backfill option (`{"granularity_s": (60, 300, ...)}`),
    checked by the CLI before anything runs."""


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """An API as the rest of coinlake sees it."""

    name: str
    """The `source=` of its Bronze keys and the `--source` choice."""
    datasets: tuple[Dataset, ...]
    open: Callable[[Settings, Clock], Closeable]
    """Build the client (base URL, limits and any key from the settings); nothing connects."""
    check_items: Callable[[Any, Sequence[str]], None] | None = None
    """Ask the API whether the configured items exist (`ConfigError` naming the unknown ones)."""
    title: str = ""
    """The API's name as people write it (`Coinbase`), for messages; empty: `name`."""

    @property
    def display_name(self) -> str:
        """`title`, else `name`."""
        return self.title or self.name
