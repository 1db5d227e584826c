"""Result rendering: exact decimals in CSV and JSON, ISO times, and format errors."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest
from rich.console import Console

from coinlake.errors import ConfigError
from coinlake.query.output import render, to_csv_text, write_json

RESULT = pa.table(
    {
        "product_id": ["BTC-USD", None],
        "vwap": pa.array([Decimal("60000.12345678"), Decimal("0.00000001")], pa.decimal128(18, 8)),
        "hour": pa.array(
            [datetime(2026, 1, 1, 13, tzinfo=UTC), datetime(2026, 1, 1, 14, 0, 0, 5, tzinfo=UTC)],
            pa.timestamp("us", tz="UTC"),
        ),
        "day": pa.array([date(2026, 1, 1), None], pa.date32()),
        "trades": [3, 0],
    }
)


def test_csv_keeps_every_decimal_digit_and_iso_times() -> None:
    assert to_csv_text(RESULT).splitlines() == [
        "product_id,vwap,hour,day,trades",
        "BTC-USD,60000.12345678,2026-01-01T13:00:00+00:00,2026-01-01,3",
        ",0.00000001,2026-01-01T14:00:00.000005+00:00,,0",
    ]


def test_json_numbers_are_exact_decimals() -> None:
    out = io.StringIO()
    write_json(RESULT, out)
    rows = json.loads(out.getvalue(), parse_float=Decimal)
    assert rows[0] == {
        "product_id": "BTC-USD",
        "vwap": Decimal("60000.12345678"),
        "hour": "2026-01-01T13:00:00+00:00",
        "day": "2026-01-01",
        "trades": 3,
    }
    assert rows[1]["vwap"] == Decimal("0.00000001")
    assert rows[1]["product_id"] is None


def test_an_empty_result_is_an_empty_json_array() -> None:
    out = io.StringIO()
    write_json(RESULT.slice(0, 0), out)
    assert json.loads(out.getvalue()) == []


def test_unknown_formats_and_parquet_without_a_file_are_config_errors() -> None:
    console = Console(file=io.StringIO())
    with pytest.raises(ConfigError, match="table, csv, json, parquet"):
        render(RESULT, "xml", console=console, out=io.StringIO())
    with pytest.raises(ConfigError, match="-o"):
        render(RESULT, "parquet", console=console, out=io.StringIO())
