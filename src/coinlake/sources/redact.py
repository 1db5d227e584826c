"""Remove secrets from URLs, params, headers and text before they are logged, raised or landed.

CoinGecko takes its key as a header (`x-cg-demo-api-key`, `x-cg-pro-api-key`) or a query
parameter (`x_cg_demo_api_key`, `x_cg_pro_api_key`); see docs.coingecko.com "Authentication".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "***"

SECRET_NAMES: frozenset[str] = frozenset(
    {
        "x-cg-demo-api-key",
        "x-cg-pro-api-key",
        "x_cg_demo_api_key",
        "x_cg_pro_api_key",
        "authorization",
        "cookie",
        "set-cookie",
    }
)


def is_secret_name(name: str) -> bool:
    """True for a header or parameter name that carries a credential."""
    return name.strip().lower() in SECRET_NAMES


def redact_params(params: Mapping[str, object]) -> dict[str, str]:
    """Query parameters as strings with the secret ones dropped."""
    return {str(key): str(value) for key, value in params.items() if not is_secret_name(str(key))}


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers with lower-case names; credential values replaced by `***`."""
    return {name.lower(): (REDACTED if is_secret_name(name) else value) for name, value in headers}


def redact_url(url: str) -> str:
    """The URL with secret query parameters removed (other parameters keep their order)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_secret_name(k)
    ]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every occurrence of each (non-empty) secret value replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text
