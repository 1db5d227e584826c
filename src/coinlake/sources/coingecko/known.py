"""Check CoinGecko coin ids and currencies before anything is fetched or landed.

`/simple/price` answers `{}` for an unknown id and a Bronze object nobody can use for an unknown
currency, so a typo (`bitcoinz`, `xyz`) would succeed silently or poison Bronze. The API lists
both (`/coins/list`, `/simple/supported_vs_currencies`); the lists are cached in
`_state/catalog/` for `LIST_TTL`, so a run costs at most one extra call per list a day (CoinGecko's
keyless budget is a few calls a minute). `coinlake state reset cache` forgets them.
"""

from __future__ import annotations

import difflib
import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from coinlake.domain.envelope import format_timestamp, parse_timestamp
from coinlake.errors import ConfigError
from coinlake.storage.base import ObjectStore

if TYPE_CHECKING:
    from coinlake.sources.coingecko.client import CoinGeckoSource

log = logging.getLogger(__name__)

LIST_TTL = timedelta(days=1)
COINS_KEY = "_state/catalog/coingecko_coins.json"
CURRENCIES_KEY = "_state/catalog/coingecko_vs_currencies.json"


class UnknownNameError(ConfigError):
    """A configured coin id or currency is not one the API knows."""


def _cached(
    store: ObjectStore, key: str, now: datetime, fetch: Callable[[], list[list[str]]]
) -> list[list[str]]:
    found = store.get_with_version(key)
    if found is not None:
        try:
            doc = json.loads(found[0])
            if now - parse_timestamp(doc["fetched_at"]) < LIST_TTL:
                return [list(item) for item in doc["items"]]
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring unreadable cache %s", key)
    items = fetch()
    body = {"fetched_at": format_timestamp(now), "items": items}
    store.put(key, json.dumps(body, separators=(",", ":")).encode("utf-8"))
    return items


def _suggest(name: str, known: Sequence[str], symbols: dict[str, list[str]]) -> str:
    close = list(
        dict.fromkeys([*symbols.get(name, [])[:2], *difflib.get_close_matches(name, known, n=3)])
    )
    return f" (did you mean {' or '.join(close[:3])}?)" if close else ""


def check_coingecko_names(
    store: ObjectStore,
    source: CoinGeckoSource,
    coins: Sequence[str],
    vs_currencies: Sequence[str],
) -> None:
    """Refuse coin ids and currencies CoinGecko does not list, with suggestions.

    Raises:
        UnknownNameError: one line naming each unknown value and the setting to fix.
        SourceError: the lists could not be fetched.
    """
    now = source.client.clock.now()
    currencies = [c[0] for c in _cached(
        store, CURRENCIES_KEY, now, lambda: [[c] for c in source.fetch_supported_vs_currencies()]
    )]  # fmt: skip
    unknown = [c for c in vs_currencies if c not in set(currencies)]
    if unknown:
        parts = [f"{c!r}{_suggest(c, currencies, {})}" for c in unknown]
        raise UnknownNameError(
            f"unknown CoinGecko currency {', '.join(parts)} in vs_currencies "
            f"(COINLAKE_VS_CURRENCIES); nothing was fetched"
        )
    rows = _cached(store, COINS_KEY, now, lambda: [list(r) for r in source.fetch_coins_list()])
    ids = [row[0] for row in rows]
    symbols: dict[str, list[str]] = {}
    for coin, symbol in rows:
        symbols.setdefault(symbol, []).append(coin)
    missing = [c for c in coins if c not in set(ids)]
    if missing:
        parts = [f"{c!r}{_suggest(c, ids, symbols)}" for c in missing]
        raise UnknownNameError(
            f"unknown CoinGecko coin id {', '.join(parts)} in coins (COINLAKE_COINS); "
            "ids are CoinGecko's, e.g. bitcoin; nothing was fetched"
        )
