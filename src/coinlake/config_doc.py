"""Every setting described from `Settings` itself: the README table, `coinlake config`, `init`.

The field docstrings of `Settings` are the one description of each setting (pydantic reads them
with `use_attribute_docstrings`); this module renders them as the README's settings table, the
effective settings with their origins, and the commented `coinlake.toml` that `coinlake init`
writes. Secrets are never rendered: a `SecretStr` shows as `(set, hidden)`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import SecretStr

from coinlake.config import ENV_PREFIX, Settings
from coinlake.sources.registry import REGISTRY

HIDDEN = "(set, hidden)"


def _per_source(pattern: str) -> tuple[str, ...]:
    """The settings named `pattern` for each registered source that has one, in settings order
    (`{}_url` -> `coingecko_url`, `coinbase_url`)."""
    wanted = {pattern.format(name) for name in REGISTRY.names()}
    return tuple(name for name in Settings.model_fields if name in wanted)


_SOURCE_SCHEDULES = _per_source("schedule_{}")
FLAGS: dict[str, str] = {
    "lake": "--lake",
    "log_level": "--log-level",
    "engine": "--engine (transform)",
    **{
        name: f"--{name.removeprefix('schedule_')} (schedule)"
        for name in _per_source("schedule_{}")
    },
    "schedule_transform": "--transform (schedule)",
    "schedule_timezone": "--timezone (schedule)",
}
"""Settings that a command-line flag can also set (`coinlake schedule --<source>`)."""

INIT_ACTIVE = (
    "lake",
    "products",
    "coins",
    "vs_currencies",
    *_per_source("{}_url"),
    *_SOURCE_SCHEDULES,
    "schedule_transform",
    "schedule_timezone",
    "engine",
)
"""Settings `coinlake init` writes uncommented (the rest are there, commented out)."""
KEY_PARAMETER = "_api_key_parameter"
"""Suffix of the settings naming where an API key is stored (SSM or Secrets Manager)."""


@dataclass(frozen=True, slots=True)
class SettingRow:
    """One setting: name, environment variable, default, effective value and where it came from."""

    name: str
    env_var: str
    default: str
    value: str
    origin: str
    doc: str


def render_value(value: object) -> str:
    """A setting value as a person types it (`BTC-USD,ETH-USD`, `unset`, `(set, hidden)`)."""
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        return HIDDEN
    if isinstance(value, tuple | list):
        return ",".join(str(item) for item in value)
    return str(value)


def json_value(value: object) -> object:
    """A setting value for `--format json`: numbers as numbers, lists as lists, secrets hidden."""
    if isinstance(value, SecretStr):
        return HIDDEN
    if isinstance(value, tuple):
        return list(value)
    return value


def setting_rows(
    settings: Settings | None = None, origins: Mapping[str, str] | None = None
) -> list[SettingRow]:
    """Every setting in declaration order; `value`/`origin` describe `settings` (or defaults)."""
    current = settings or Settings()
    rows = []
    for name, field in Settings.model_fields.items():
        rows.append(
            SettingRow(
                name=name,
                env_var=f"{ENV_PREFIX}{name.upper()}",
                default=render_value(field.default),
                value=render_value(getattr(current, name)),
                origin=(origins or {}).get(name, "default"),
                doc=(field.description or "").strip(),
            )
        )
    return rows


def settings_markdown() -> str:
    """The README's settings table: every setting, its variable, flag, default and meaning."""
    lines = ["| setting | env var (flag) | default | meaning |", "|---|---|---|---|"]
    for row in setting_rows():
        flag = f" ({FLAGS[row.name]})" if row.name in FLAGS else ""
        doc = row.doc.replace("|", "\\|")
        lines.append(f"| `{row.name}` | `{row.env_var}`{flag} | `{row.default}` | {doc} |")
    return "\n".join(lines)


def _key_parameters() -> tuple[str, ...]:
    """`coingecko_api_key_parameter`: every setting naming where an API's key is stored."""
    return tuple(name for name in Settings.model_fields if name.endswith(KEY_PARAMETER))


def _toml_value(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(json.dumps(str(item)) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value))


def commented_toml(settings: Settings) -> str:
    """A `coinlake.toml` naming every setting with its meaning, the main ones set from `settings`.

    Optional settings without a value (an S3 endpoint, Athena, an API key) are written
    commented out with an example, so the file documents everything a user can set.
    """
    lines = [
        "# coinlake settings. Precedence: command-line flags > COINLAKE_* environment variables >",
        "# this file > defaults. `coinlake config` shows the effective values and their origin.",
        "# Secrets (API keys) belong in the environment or in SSM / Secrets Manager",
        f"# ({', '.join(_key_parameters())}), not in this file.",
        "",
        "[coinlake]",
    ]
    examples = {
        "s3_endpoint_url": '"http://127.0.0.1:9000"',
        "athena_workgroup": '"primary"',
        "athena_output_location": '"s3://my-bucket/athena-results/"',
        "athena_endpoint_url": '"http://127.0.0.1:5000"',
    }
    for parameter in _key_parameters():
        api = parameter.removesuffix(KEY_PARAMETER)
        examples[f"{api}_api_key"] = f'"set {ENV_PREFIX}{api.upper()}_API_KEY instead"'
        examples[parameter] = f'"/coinlake/{api}-key"'
    for name, field in Settings.model_fields.items():
        doc = (field.description or "").strip()
        lines.append("")
        lines.extend(f"# {line}" for line in doc.splitlines())
        value = getattr(settings, name)
        if name in INIT_ACTIVE:
            lines.append(f"{name} = {_toml_value(value)}")
        elif value is None or isinstance(value, SecretStr):
            lines.append(f"# {name} = {examples.get(name, '...')}")
        else:
            lines.append(f"# {name} = {_toml_value(value)}")
    lines.append("")
    return "\n".join(lines)
