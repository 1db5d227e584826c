"""The registry: every API coinlake ingests from, each declared by its own package.

A source package (`sources/<name>/`) holds a `source.py` with one `SourceSpec`: its name, its
datasets (each with a `Paging` and a `KeyLayout`), which items (products, coins) a run covers
and how to open its client from the settings. Registering it is one line in `BUILT_IN` below;
ingestion, Bronze keys, the run state, the CLI's `--source`, the scheduler and the Lambda event
all read the registry, so nothing else names the API.

    spec = REGISTRY.get("coinbase")
    for dataset in spec.datasets: ...
    with Sources(settings) as sources:           # opened clients, one per API, on first use
        client = sources.client("coinbase")

A test (or a plug-in) adds a source with `REGISTRY.register(spec)` and takes it away with
`REGISTRY.unregister(name)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coinlake.domain.clock import Clock, SystemClock
from coinlake.errors import ConfigError
from coinlake.sources.coinbase.source import SOURCE as _COINBASE
from coinlake.sources.coingecko.source import SOURCE as _COINGECKO
from coinlake.sources.paging import Dataset, KeyLayout, SourceSpec

if TYPE_CHECKING:
    from coinlake.config import Settings
    from coinlake.sources.paging import Closeable

__all__ = ["ALL", "BUILT_IN", "REGISTRY", "Dataset", "Registry", "SourceSpec", "Sources"]

ALL = "all"
"""The `--source` choice meaning every registered source."""


@dataclass
class Registry:
    """The registered sources, in registration order."""

    _specs: dict[str, SourceSpec] = field(default_factory=dict)

    def register(self, spec: SourceSpec) -> SourceSpec:
        """Add `spec` (a name can be registered once)."""
        if spec.name in self._specs or spec.name == ALL:
            raise ValueError(f"a source named {spec.name!r} is already registered")
        self._specs[spec.name] = spec
        return spec

    def unregister(self, name: str) -> None:
        """Remove a source (tests that registered one)."""
        self._specs.pop(name, None)

    def get(self, name: str) -> SourceSpec:
        """The source called `name`.

        Raises:
            ConfigError: no such source (the message lists the choices).
        """
        try:
            return self._specs[name]
        except KeyError:
            raise ConfigError(
                f"unknown source {name!r}: expected one of {', '.join(self.choices())}"
            ) from None

    def names(self) -> tuple[str, ...]:
        """Every registered source name."""
        return tuple(self._specs)

    def choices(self) -> tuple[str, ...]:
        """`all` and every source name: the values of `--source` and an event's `source`."""
        return (ALL, *self._specs)

    def selected(self, choice: str) -> tuple[SourceSpec, ...]:
        """The sources a `--source` choice stands for.

        Raises:
            ConfigError: not one of `choices()`.
        """
        if choice == ALL:
            return tuple(self._specs.values())
        return (self.get(choice),)

    def id_walked(self) -> tuple[tuple[str, str], ...]:
        """(source, dataset) of every registered dataset paged by id walk (with cursors)."""
        return tuple(
            (spec.name, dataset.name)
            for spec in self._specs.values()
            for dataset in spec.datasets
            if dataset.paging == "id_walk"
        )

    def option_choices(self, option: str) -> tuple[int, ...]:
        """The values some registered dataset accepts for a backfill `option` (empty: any)."""
        found = {
            value
            for spec in self._specs.values()
            for dataset in spec.datasets
            for value in dataset.choices.get(option, ())
        }
        return tuple(sorted(found))

    def layouts(self) -> dict[tuple[str, str], KeyLayout]:
        """(source, dataset) -> key layout, for every registered dataset."""
        return {
            (spec.name, dataset.name): dataset.keys
            for spec in self._specs.values()
            for dataset in spec.datasets
        }


BUILT_IN = (_COINBASE, _COINGECKO)
"""The sources coinlake ships: add a new API's `SOURCE` here (one line)."""
REGISTRY = Registry()
for _spec in BUILT_IN:
    REGISTRY.register(_spec)


@dataclass
class Sources:
    """The opened clients of one run, built on first use (one rate limiter per API)."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    registry: Registry = field(default_factory=lambda: REGISTRY)
    _opened: dict[str, Closeable] = field(default_factory=dict)

    @classmethod
    def for_settings(cls, settings: Settings, clock: Clock | None = None) -> Sources:
        """The sources an entry point uses (each opens its client, and reads any key from
        SSM or Secrets Manager, when first asked for)."""
        return cls(settings, clock=clock or SystemClock())

    def client(self, name: str) -> Any:
        """The opened client of the source `name` (a `SnapshotPager`, `WindowPager` or
        `IdWalkPager` for its datasets' paging).

        Raises:
            ConfigError: no such source, or its settings (a key) cannot be read.
        """
        if name not in self._opened:
            self._opened[name] = self.registry.get(name).open(self.settings, self.clock)
        return self._opened[name]

    def close(self) -> None:
        """Close whatever was opened."""
        for client in self._opened.values():
            client.close()
        self._opened.clear()

    def __enter__(self) -> Sources:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
