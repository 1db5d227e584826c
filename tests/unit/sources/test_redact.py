from __future__ import annotations

from coinlake.sources.redact import redact_headers, redact_params, redact_url, scrub


def test_redact_params_drops_coingecko_query_keys() -> None:
    params = {"ids": "bitcoin", "x_cg_demo_api_key": "k1", "X_CG_PRO_API_KEY": "k2", "n": 3}
    assert redact_params(params) == {"ids": "bitcoin", "n": "3"}


def test_redact_headers_masks_key_headers_and_lowercases_names() -> None:
    headers = [("X-CG-Demo-Api-Key", "k1"), ("x-cg-pro-api-key", "k2"), ("CB-AFTER", "5")]
    assert redact_headers(headers) == {
        "x-cg-demo-api-key": "***",
        "x-cg-pro-api-key": "***",
        "cb-after": "5",
    }


def test_redact_url_removes_only_secret_query_parameters() -> None:
    url = "https://api.coingecko.com/api/v3/simple/price?ids=bitcoin&x_cg_demo_api_key=k&b=2"
    assert redact_url(url) == "https://api.coingecko.com/api/v3/simple/price?ids=bitcoin&b=2"
    assert redact_url("https://x/y") == "https://x/y"


def test_scrub_replaces_secret_values_in_free_text() -> None:
    assert scrub("key k-123 rejected, k-123!", ["k-123", ""]) == "key *** rejected, ***!"
