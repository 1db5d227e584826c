"""JSON text that keeps every digit of a `Decimal`: what `--format json` and query results print.

The standard `json` module can only write a `Decimal` through a float (rounding it) or as a
string. Here a finite `Decimal` is written as a JSON number with all its digits in fixed point
(`0.00000001`, never `1E-8`), so a reader that parses numbers as decimals (Python:
`json.loads(text, parse_float=Decimal)`) gets the exact value back. Dates and times are ISO 8601
strings; any other value that is not JSON already is written as its `str()`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal


def json_text(value: object, indent: int | None = None, _level: int = 0) -> str:
    """`value` as JSON text: compact (`indent` None) or indented by `indent` spaces a level."""
    if isinstance(value, Decimal):
        return f"{value:f}" if value.is_finite() else json.dumps(str(value))
    if isinstance(value, bool | int | float | str) or value is None:
        return json.dumps(value)
    if isinstance(value, datetime | date | time):
        return json.dumps(value.isoformat())
    if isinstance(value, Mapping):
        gap = ":" if indent is None else ": "
        items = [
            f"{json.dumps(str(k))}{gap}{json_text(v, indent, _level + 1)}" for k, v in value.items()
        ]
        return _block("{", items, "}", indent, _level)
    if isinstance(value, list | tuple):
        return _block("[", [json_text(v, indent, _level + 1) for v in value], "]", indent, _level)
    return json.dumps(str(value))


def _block(open_: str, items: list[str], close: str, indent: int | None, level: int) -> str:
    if not items:
        return open_ + close
    if indent is None:
        return open_ + ",".join(items) + close
    inner, outer = "\n" + " " * indent * (level + 1), "\n" + " " * indent * level
    return open_ + inner + ("," + inner).join(items) + outer + close
