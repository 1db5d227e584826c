"""Fault injection: rules that make an endpoint misbehave on chosen calls or at random.

A rule names an endpoint pattern (`coinbase.trades`, `coingecko.*`, `*`; see `ENDPOINTS`), a
kind (see `KINDS`) and a trigger: `calls` (1-based numbers of the calls to a matching endpoint,
counted per endpoint since the server started or `reset`), or `probability` (seeded RNG), or
neither (every call). `times` caps how often a rule fires. Several rules may fire on one call.

Script file (JSON or TOML), e.g. TOML:

    [[faults]]
    endpoint = "coinbase.trades"
    kind = "status"
    status = 503
    calls = [2, 3]
"""

from __future__ import annotations

import fnmatch
import json
import random
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path

ENDPOINTS = (
    "coinbase.products",
    "coinbase.product",
    "coinbase.ticker",
    "coinbase.trades",
    "coinbase.candles",
    "coinbase.stats",
    "coingecko.ping",
    "coingecko.simple_price",
    "coingecko.markets",
    "coingecko.market_chart",
    "coingecko.market_chart_range",
    "coingecko.ohlc",
)

KINDS = (
    "rate_limit",  # 429 with the API's own body; Retry-After only when `retry_after` is set
    "status",  # `status` (500/502/503/504 ...) with the API's error body
    "delay",  # answer normally after `seconds`
    "timeout",  # wait `seconds` (longer than the client's timeout), then close without answer
    "reset",  # close the connection at once without a response (TCP RST)
    "truncate",  # a 200 whose JSON body is cut in half
    "html",  # a 503 Cloudflare-style HTML page instead of JSON
    "wrong_shape",  # valid JSON of the wrong shape (list <-> object)
    "rename_field",  # rename `field` (default: the first key) to `to` (default `<field>_renamed`)
    "drop_field",  # remove `field` (default: the first key) everywhere
    "numbers_as_strings",  # every JSON number becomes a string
    "strings_as_numbers",  # every numeric string becomes a JSON number
    "duplicate_trades",  # the first `count` rows appear twice
    "out_of_order_trades",  # rows shuffled (seeded)
)


@dataclass(frozen=True, slots=True)
class FaultRule:
    """One way to misbehave (see the module docstring)."""

    kind: str
    endpoint: str = "*"
    calls: tuple[int, ...] = ()
    probability: float | None = None
    times: int | None = None
    status: int = 503
    retry_after: int | None = None
    seconds: float = 1.0
    field: str | None = None
    to: str | None = None
    count: int = 3

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {', '.join(KINDS)}")
        if not any(fnmatch.fnmatchcase(e, self.endpoint) for e in ENDPOINTS):
            raise ValueError(
                f"fault endpoint {self.endpoint!r} matches none of {', '.join(ENDPOINTS)}"
            )
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise ValueError("fault probability must be between 0 and 1")
        if any(c < 1 for c in self.calls):
            raise ValueError("fault calls are 1-based call numbers")
        if not 100 <= self.status <= 599:
            raise ValueError(f"fault status {self.status} is not an HTTP status")
        if self.seconds < 0 or self.count < 1:
            raise ValueError("fault seconds must be >= 0 and count >= 1")

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> FaultRule:
        """Build a rule from a script entry; ValueError names a bad key or value."""
        known = {f.name for f in fields(cls)}
        extra = sorted(set(data) - known)
        if extra:
            raise ValueError(
                f"unknown fault key(s) {', '.join(extra)}; known: {', '.join(sorted(known))}"
            )
        if "kind" not in data:
            raise ValueError("every fault needs a 'kind'")
        kwargs = dict(data)
        if "calls" in kwargs:
            calls = kwargs["calls"]
            if not isinstance(calls, list | tuple) or not all(isinstance(c, int) for c in calls):
                raise ValueError("fault 'calls' must be a list of integers")
            kwargs["calls"] = tuple(calls)
        try:
            return cls(**kwargs)  # type: ignore[arg-type]
        except TypeError as exc:
            raise ValueError(f"bad fault {dict(data)!r}: {exc}") from exc

    def matches(self, endpoint: str) -> bool:
        """True if the rule applies to `endpoint`."""
        return fnmatch.fnmatchcase(endpoint, self.endpoint)


@dataclass(frozen=True, slots=True)
class FiredFault:
    """A record of one rule firing, for tests."""

    endpoint: str
    call: int
    kind: str


@dataclass
class Faults:
    """The live fault plan of a server. Thread-safe; change it while the server runs."""

    seed: int = 7
    rules: list[FaultRule] = field(default_factory=list)
    fired: list[FiredFault] = field(default_factory=list)
    """Every firing, in order."""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, int] = {}
        self._fired_per_rule: dict[int, int] = {}
        self._rng = random.Random(f"coinlake-sandbox:{self.seed}:faults")  # noqa: S311 - a simulation, not crypto

    def add(self, kind: str, endpoint: str = "*", **options: object) -> FaultRule:
        """Add a rule, e.g. `faults.add("status", "coinbase.trades", status=503, calls=[2])`."""
        rule = FaultRule.from_mapping({"kind": kind, "endpoint": endpoint, **options})
        with self._lock:
            self.rules.append(rule)
        return rule

    def set(self, rules: list[FaultRule]) -> None:
        """Replace every rule and reset the call counters."""
        with self._lock:
            self.rules = list(rules)
            self._calls.clear()
            self._fired_per_rule.clear()

    def clear(self) -> None:
        """No more faults; counters and the firing log reset too."""
        self.set([])
        with self._lock:
            self.fired.clear()

    def calls(self, endpoint: str) -> int:
        """How many calls reached `endpoint` so far."""
        with self._lock:
            return self._calls.get(endpoint, 0)

    def pick(self, endpoint: str) -> list[FaultRule]:
        """Count one call to `endpoint` and return the rules that fire on it."""
        with self._lock:
            call = self._calls.get(endpoint, 0) + 1
            self._calls[endpoint] = call
            chosen: list[FaultRule] = []
            for index, rule in enumerate(self.rules):
                if not rule.matches(endpoint):
                    continue
                if rule.times is not None and self._fired_per_rule.get(index, 0) >= rule.times:
                    continue
                if rule.calls:
                    hit = call in rule.calls
                elif rule.probability is not None:
                    hit = self._rng.random() < rule.probability
                else:
                    hit = True
                if hit:
                    self._fired_per_rule[index] = self._fired_per_rule.get(index, 0) + 1
                    self.fired.append(FiredFault(endpoint, call, rule.kind))
                    chosen.append(rule)
            return chosen

    def shuffle(self, rows: list[object]) -> list[object]:
        """Rows in a seeded random order that differs from the input when any order can.

        Bounded: one shuffle, then, if it changed nothing, a rotation by one (which moves a row
        unless every row is equal, as when `duplicate_trades` doubles a one-row page: then no
        order differs and the rows come back as they are). Never loops holding the lock.
        """
        with self._lock:
            out = list(rows)
            self._rng.shuffle(out)
        if out == rows:
            out = out[1:] + out[:1]
        return out


def load_fault_script(path: Path) -> list[FaultRule]:
    """Rules from a JSON or TOML file: `{"faults": [...]}` (JSON may also be a bare list)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read fault script {path}: {exc.strerror}") from exc
    try:
        data: object = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"fault script {path} is not valid {path.suffix[1:] or 'JSON'}: {exc}"
        ) from exc
    entries = data.get("faults") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError(f"fault script {path} must hold a list of tables under 'faults'")
    return [FaultRule.from_mapping(e) for e in entries]


# -- body transforms (JSON level) ----------------------------------------------------------------
def transform_body(rule: FaultRule, body: object, faults: Faults) -> object:
    """The body with a JSON-level fault applied (other kinds return it unchanged)."""
    kind = rule.kind
    if kind == "wrong_shape":
        return {"data": body} if isinstance(body, list) else [body]
    if kind in ("rename_field", "drop_field"):
        name = rule.field or _first_key(body)
        if name is None:
            return body
        return _rekey(body, name, None if kind == "drop_field" else (rule.to or f"{name}_renamed"))
    if kind == "numbers_as_strings":
        return _numbers_to_strings(body)
    if kind == "strings_as_numbers":
        return _strings_to_numbers(body)
    if kind == "duplicate_trades" and isinstance(body, list):
        head = body[: rule.count]
        return [row for pair in zip(head, head, strict=True) for row in pair] + body[rule.count :]
    if kind == "out_of_order_trades" and isinstance(body, list):
        return faults.shuffle(body)
    return body


def _first_key(body: object) -> str | None:
    if isinstance(body, dict):
        return next(iter(body), None)
    if isinstance(body, list):
        for item in body:
            key = _first_key(item)
            if key is not None:
                return key
    return None


def _rekey(body: object, name: str, new: str | None) -> object:
    if isinstance(body, dict):
        out: dict[str, object] = {}
        for key, value in body.items():
            if key == name:
                if new is not None:
                    out[new] = _rekey(value, name, new)
            else:
                out[key] = _rekey(value, name, new)
        return out
    if isinstance(body, list):
        return [_rekey(item, name, new) for item in body]
    return body


def _numbers_to_strings(body: object) -> object:
    if isinstance(body, bool) or body is None:
        return body
    if isinstance(body, int | float | Decimal):
        return format(body, "f") if isinstance(body, Decimal) else str(body)
    if isinstance(body, dict):
        return {k: _numbers_to_strings(v) for k, v in body.items()}
    if isinstance(body, list):
        return [_numbers_to_strings(v) for v in body]
    return body


def _strings_to_numbers(body: object) -> object:
    if isinstance(body, str):
        try:
            number = Decimal(body)
        except InvalidOperation:
            return body
        return number if number.is_finite() else body
    if isinstance(body, dict):
        return {k: _strings_to_numbers(v) for k, v in body.items()}
    if isinstance(body, list):
        return [_strings_to_numbers(v) for v in body]
    return body
