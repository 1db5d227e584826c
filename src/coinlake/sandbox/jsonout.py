"""JSON encoding that writes `Decimal` as a JSON number, exactly (no float on the way)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal


def encode(value: object) -> str:
    """Compact JSON text; `Decimal` becomes a plain number (`91234.56`, never `9.1E+4`)."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def number_text(value: Decimal) -> str:
    """A Decimal as JSON number text in fixed-point notation."""
    text = format(value, "f")
    return "0" if text in ("-0", "0") else text


def _write(value: object, out: list[str]) -> None:
    if value is None or isinstance(value, bool):
        out.append("null" if value is None else ("true" if value else "false"))
    elif isinstance(value, Decimal):
        out.append(number_text(value))
    elif isinstance(value, int | float | str):
        out.append(json.dumps(value))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(json.dumps(str(key)))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as JSON")
