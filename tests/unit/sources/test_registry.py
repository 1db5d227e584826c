"""What the registry answers for the rest of coinlake, so that no other module names an API: the
id-walked datasets (cursors, gaps, repairs, the backfill's default), a backfill option's allowed
values, a source's name in messages, and `coinlake state`'s cursor folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coinlake.lakestate import read_state
from coinlake.sources.paging import Dataset, KeyLayout, SourceSpec
from coinlake.sources.registry import REGISTRY, Registry
from coinlake.storage.local import LocalStore


def _unopenable(*_: object) -> object:
    raise AssertionError("not opened in these tests")


WALKED = SourceSpec(
    name="walker",
    datasets=(
        Dataset("fills", "id_walk", KeyLayout(("product", "date"), "id_range")),
        Dataset(
            "bars",
            "windows",
            KeyLayout(("product", "date"), "time_range"),
            choices={"granularity_s": (5, 3600)},
        ),
    ),
    open=_unopenable,  # type: ignore[arg-type]
)


@pytest.fixture
def walker() -> Iterator[SourceSpec]:
    REGISTRY.register(WALKED)
    try:
        yield WALKED
    finally:
        REGISTRY.unregister(WALKED.name)


def test_the_built_in_id_walked_dataset_comes_first() -> None:
    assert REGISTRY.id_walked() == (("coinbase", "trades"),)
    assert REGISTRY.option_choices("granularity_s") == (60, 300, 900, 3600, 21600, 86400)
    assert REGISTRY.option_choices("no_such_option") == ()


def test_a_registered_source_adds_its_walks_and_option_values(walker: SourceSpec) -> None:
    assert REGISTRY.id_walked() == (("coinbase", "trades"), ("walker", "fills"))
    assert REGISTRY.option_choices("granularity_s") == (5, 60, 300, 900, 3600, 21600, 86400)


def test_display_name_is_the_title_else_the_name() -> None:
    assert REGISTRY.get("coinbase").display_name == "Coinbase"
    assert REGISTRY.get("coingecko").display_name == "CoinGecko"
    assert WALKED.display_name == "walker"


def test_an_empty_registry_walks_nothing() -> None:
    assert Registry().id_walked() == ()


def test_state_lists_the_cursors_of_every_id_walked_source(
    walker: SourceSpec, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path)
    for key in (
        "_state/cursors/coinbase/trades/product=BTC-USD.json",
        "_state/cursors/walker/fills/product=ABC-USD.json",
        "_state/cursors/walker/walk/product=ABC-USD.json",
    ):
        store.put(key, b'{"last_trade_id": 7}')

    found = sorted((entry.kind, entry.name) for entry in read_state(store))

    assert found == [("cursor", "ABC-USD"), ("cursor", "BTC-USD"), ("walk", "ABC-USD")]
