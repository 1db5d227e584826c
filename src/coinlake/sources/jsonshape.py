"""Shared helpers for the pure `parse_*` functions: exact JSON loading and shape checks.

Every check names the offending field with a path such as `trades[3].price`, so a schema drift
error tells the reader exactly what changed upstream.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from coinlake.errors import BadResponseError, SchemaDriftError

Json = object

MAX_DIGITS = 38
"""Digits of the widest DECIMAL (38) any engine stores; a longer number cannot be a real price."""
MAX_TEXT = 100
"""Characters a decimal string may have (digits, sign, point, exponent)."""


def _reject_constant(name: str) -> object:
    raise ValueError(f"non-finite number {name} is not valid JSON")


def load_json(body: bytes, *, api: str, what: str) -> Json:
    """Parse a body exactly: floats become `Decimal`, NaN/Infinity are refused.

    Raises:
        BadResponseError: the body is not UTF-8 JSON (truncated, HTML, empty).
    """
    try:
        return json.loads(
            body.decode("utf-8"), parse_float=Decimal, parse_constant=_reject_constant
        )
    except UnicodeDecodeError as exc:
        raise BadResponseError(f"{api} {what}: body is not UTF-8 ({exc})", api=api) from exc
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise BadResponseError(
            f"{api} {what}: body is not valid JSON ({exc}); {len(body)} bytes, "
            "the response was probably truncated or an error page",
            api=api,
        ) from exc
    except RecursionError as exc:
        raise BadResponseError(f"{api} {what}: JSON nested too deeply", api=api) from exc


class Shape:
    """Type checks that raise `SchemaDriftError` naming the field path."""

    def __init__(self, api: str, what: str) -> None:
        self.api = api
        self.what = what

    def drift(self, path: str, problem: str) -> SchemaDriftError:
        """The error for `path` having `problem`."""
        return SchemaDriftError(
            f"{self.api} {self.what}: {path}: {problem}; the API changed its response shape",
            field=path,
            api=self.api,
        )

    def field(self, obj: dict[str, Json], key: str, path: str) -> Json:
        """`obj[key]`, or drift `path.key: missing`."""
        if key not in obj:
            raise self.drift(f"{path}.{key}", "missing")
        return obj[key]

    def dict_(self, value: Json, path: str) -> dict[str, Json]:
        """`value` as a JSON object."""
        if not isinstance(value, dict):
            raise self.drift(path, f"expected an object, got {kind(value)}")
        return value

    def list_(self, value: Json, path: str) -> list[Json]:
        """`value` as a JSON array."""
        if not isinstance(value, list):
            raise self.drift(path, f"expected an array, got {kind(value)}")
        return value

    def str_(self, value: Json, path: str) -> str:
        """`value` as a string."""
        if not isinstance(value, str):
            raise self.drift(path, f"expected a string, got {kind(value)}")
        return value

    def int_(self, value: Json, path: str, *, allow_digit_string: bool = False) -> int:
        """`value` as an integer (optionally also a string of digits)."""
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if allow_digit_string and isinstance(value, str) and value.isascii() and value.isdigit():
            return int(value)
        raise self.drift(path, f"expected an integer, got {kind(value)}")

    def bool_(self, value: Json, path: str) -> bool:
        """`value` as a boolean."""
        if not isinstance(value, bool):
            raise self.drift(path, f"expected a boolean, got {kind(value)}")
        return value

    def decimal_string(self, value: Json, path: str) -> Decimal:
        """A decimal sent as a string (Coinbase prices and sizes); a JSON number is drift."""
        text = self.str_(value, path)
        if len(text) > MAX_TEXT:
            raise self.drift(path, f"a decimal string of {len(text)} characters is too long")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise self.drift(path, f"{text[:40]!r} is not a decimal number") from None
        if not number.is_finite():
            raise self.drift(path, f"{text[:40]!r} is not a finite number")
        return self._fits(number, path)

    def _fits(self, number: Decimal, path: str) -> Decimal:
        """`number` when its digits and magnitude fit a DECIMAL(38); else drift."""
        digits = len(number.as_tuple().digits)
        if digits > MAX_DIGITS or not -MAX_DIGITS <= number.adjusted() <= MAX_DIGITS:
            raise self.drift(
                path, f"a number of {digits} digits (10^{number.adjusted()}) is out of range"
            )
        return number

    def number(self, value: Json, path: str) -> Decimal:
        """A JSON number (CoinGecko, Coinbase candles) kept exact; a string is drift."""
        if isinstance(value, Decimal):
            return self._fits(value, path)
        if isinstance(value, int) and not isinstance(value, bool):
            return self._fits(Decimal(value), path)
        raise self.drift(path, f"expected a number, got {kind(value)}")

    def optional_number(self, value: Json, path: str) -> Decimal | None:
        """A JSON number or null."""
        return None if value is None else self.number(value, path)

    def timestamp(self, value: Json, path: str) -> datetime:
        """An ISO 8601 string with a timezone, as UTC."""
        text = self.str_(value, path)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise self.drift(path, f"{text[:40]!r} is not an ISO 8601 time") from None
        if moment.tzinfo is None:
            raise self.drift(path, f"{text[:40]!r} has no timezone")
        return moment.astimezone(UTC)

    def epoch_s(self, value: Json, path: str) -> datetime:
        """Integer unix seconds as UTC."""
        seconds = self.int_(value, path)
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            raise self.drift(path, f"{seconds} is out of range for unix seconds") from None

    def epoch_ms(self, value: Json, path: str) -> datetime:
        """Unix milliseconds (an integer) as UTC, microseconds kept."""
        millis = self.int_(value, path)
        try:
            moment = datetime.fromtimestamp(millis // 1000, UTC)
        except (OverflowError, OSError, ValueError):
            raise self.drift(path, f"{millis} is out of range for unix milliseconds") from None
        return moment.replace(microsecond=millis % 1000 * 1000)


def kind(value: Json) -> str:
    """A JSON-ish name for the type of `value`, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
