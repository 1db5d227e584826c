"""CoinGecko coin ids and currencies checked against the API's lists, cached for a day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from coinlake.devtools.fake_clock import FakeClock
from coinlake.sources.coingecko.known import (
    COINS_KEY,
    LIST_TTL,
    UnknownNameError,
    check_coingecko_names,
)
from coinlake.storage.local import LocalStore


@dataclass
class _Client:
    clock: FakeClock


@dataclass
class ListingSource:
    """Answers the two list endpoints like CoinGecko and counts the calls."""

    client: _Client
    calls: list[str] = field(default_factory=list)

    def fetch_coins_list(self) -> list[tuple[str, str]]:
        self.calls.append("coins")
        return [("bitcoin", "btc"), ("bitcoin-cash", "bch"), ("ethereum", "eth")]

    def fetch_supported_vs_currencies(self) -> list[str]:
        self.calls.append("currencies")
        return ["usd", "eur", "btc"]


def check(store: LocalStore, source: ListingSource, coins: list[str], vs: list[str]) -> None:
    fake: Any = source
    check_coingecko_names(store, fake, coins, vs)


def test_known_names_pass_and_the_lists_are_fetched_once_a_day(tmp_path: Path) -> None:
    clock = FakeClock()
    store, source = LocalStore(tmp_path), ListingSource(_Client(clock))
    check(store, source, ["bitcoin"], ["usd"])
    check(store, source, ["ethereum"], ["eur"])
    assert source.calls == ["currencies", "coins"]
    assert store.exists(COINS_KEY)
    clock.advance((LIST_TTL + timedelta(seconds=1)).total_seconds())
    check(store, source, ["bitcoin"], ["usd"])
    assert source.calls == ["currencies", "coins", "currencies", "coins"]


def test_an_unknown_coin_is_refused_with_suggestions(tmp_path: Path) -> None:
    source = ListingSource(_Client(FakeClock()))
    with pytest.raises(UnknownNameError) as caught:
        check(LocalStore(tmp_path), source, ["bitcoin", "bitcoinz", "eth"], ["usd"])
    assert str(caught.value) == (
        "unknown CoinGecko coin id 'bitcoinz' (did you mean bitcoin or bitcoin-cash?), "
        "'eth' (did you mean ethereum?) in coins (COINLAKE_COINS); ids are CoinGecko's, e.g. "
        "bitcoin; nothing was fetched"
    )
    assert isinstance(caught.value, ValueError)  # bad input: exit 2 at the CLI


def test_an_unknown_currency_is_refused_before_the_coin_list_is_asked_for(tmp_path: Path) -> None:
    source = ListingSource(_Client(FakeClock()))
    with pytest.raises(UnknownNameError, match=r"unknown CoinGecko currency 'xyz' in vs_curr"):
        check(LocalStore(tmp_path), source, ["bitcoin"], ["usd", "xyz"])
    assert source.calls == ["currencies"]


def test_an_unreadable_cache_is_fetched_again(tmp_path: Path) -> None:
    store, source = LocalStore(tmp_path), ListingSource(_Client(FakeClock()))
    store.put(COINS_KEY, b"{not json")
    check(store, source, ["bitcoin"], ["usd"])
    assert source.calls == ["currencies", "coins"]
