from datetime import UTC, datetime

import pytest

from coinlake.domain.envelope import EnvelopeMeta, body_damage, build_envelope, split_envelope
from coinlake.errors import BadResponseError


def _meta(parse_error: str | None = None) -> EnvelopeMeta:
    return EnvelopeMeta(
        source="coinbase",
        dataset="trades",
        url="https://api.exchange.coinbase.com/products/BTC-USD/trades",
        params={"limit": "1000", "after": "101"},
        status=200,
        headers={"cb-before": "100", "cb-after": "1"},
        fetched_at=datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC),
        client_version="0.1.0",
        product="BTC-USD",
        parse_error=parse_error,
    )


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        (b'[{"trade_id": 1, "price": "91234.56"}]', "json"),
        (b"  [ ]  \n", "json"),
        (b'[{"trade_id": 1, "pri', "text"),
        (b"<html>Cloudflare</html>", "text"),
        (b"\xff\xfe\x00binary", "base64"),
        (b"", "text"),
    ],
    ids=["json array", "json with whitespace", "truncated", "html", "not utf8", "empty"],
)
def test_the_original_body_bytes_come_back_from_an_envelope(body: bytes, encoding: str) -> None:
    envelope = split_envelope(build_envelope(_meta(), body))
    assert envelope.body == body
    assert envelope.encoding == encoding
    assert envelope.meta["product"] == "BTC-USD"
    assert envelope.meta["fetched_at"] == "2026-11-22T10:00:00.123456Z"


def test_a_flagged_body_is_kept_as_text_even_when_it_is_json() -> None:
    envelope = split_envelope(build_envelope(_meta("missing field trade_id"), b'[{"x": 1}]'))
    assert envelope.encoding == "text"
    assert envelope.parse_error == "missing field trade_id"
    assert envelope.body == b'[{"x": 1}]'


def test_garbage_is_not_an_envelope() -> None:
    with pytest.raises(BadResponseError):
        split_envelope(b"[1, 2, 3]")


@pytest.mark.parametrize(
    ("body", "parse_error"),
    [(b'[{"price": "1.5"}]\r\n', None), (b"<html>", "not JSON"), (b"\xff\xfe", "not UTF-8")],
    ids=["json", "text", "base64"],
)
def test_the_body_size_and_sha256_are_recorded_and_check_the_body_read_back(
    body: bytes, parse_error: str | None
) -> None:
    import hashlib

    envelope = split_envelope(build_envelope(_meta(parse_error), body))
    assert envelope.body == body
    assert envelope.meta["body_size"] == len(body)
    assert envelope.meta["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert body_damage(envelope) is None
    changed = type(envelope)(envelope.meta, body[:-1] + b"!", envelope.encoding)
    assert body_damage(changed) == "body SHA-256 differs from the one recorded at landing"
    shorter = type(envelope)(envelope.meta, body[:-1], envelope.encoding)
    assert body_damage(shorter) == f"body is {len(body) - 1} bytes, {len(body)} were landed"


def test_an_envelope_without_recorded_checksums_is_not_judged() -> None:
    envelope = split_envelope(b'{"meta":{"source":"x"},"body":[1]}\n')
    assert body_damage(envelope) is None
