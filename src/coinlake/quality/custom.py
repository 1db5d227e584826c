"""Checks users add: `[[quality.checks]]` in `coinlake.toml`, or a Python module's `CHECKS`.

A TOML check is SQL returning the offending rows, with a column `k` naming each one; it is
wrapped into the check contract (`coinlake.quality.model`): one result for the whole table,
`observed` = the number of offending rows, `sample` = a few of their `k`. A module check is a
`coinlake.quality.Check` written against the contract directly.
"""

from __future__ import annotations

import dataclasses
import importlib

from coinlake.errors import ConfigError
from coinlake.quality.builtin import row_checks
from coinlake.quality.config import QualityConfig, UserCheck
from coinlake.quality.crosschecks import cross_checks
from coinlake.quality.model import Check
from coinlake.quality.sqlparts import sample_of
from coinlake.quality.tables import CHECKED_TABLES


def wrap_user_sql(sql: str) -> str:
    """The check-contract SQL around user SQL returning offending rows with a `k` column."""
    body = sql.strip().rstrip(";")
    return (
        "SELECT '' AS partition_key, CAST(COUNT(*) AS DOUBLE) AS observed, "  # noqa: S608
        f"{sample_of('CAST(k AS STRING)')} AS sample FROM ({body}) AS offending"
    )


def from_toml(entry: UserCheck) -> Check:
    """A `[[quality.checks]]` entry as a check.

    Raises:
        ConfigError: its table is not a lake table.
    """
    known = [t.name for t in CHECKED_TABLES]
    if entry.table not in known:
        raise ConfigError(
            f"[[quality.checks]] {entry.name}: unknown table {entry.table!r}; "
            f"known tables: {', '.join(known)}"
        )
    return Check(
        entry.name,
        entry.table,
        "custom",
        entry.severity,
        entry.threshold,
        wrap_user_sql(entry.sql),
        entry.description or "user check: offending rows",
    )


def from_module(name: str) -> list[Check]:
    """The `CHECKS` of the Python module `name`.

    Raises:
        ConfigError: the module cannot be imported or has no list of `Check`.
    """
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        raise ConfigError(f"[quality] modules: cannot import {name!r}: {exc}") from exc
    checks = getattr(module, "CHECKS", None)
    if not isinstance(checks, list | tuple) or not all(isinstance(c, Check) for c in checks):
        raise ConfigError(f"[quality] modules: {name}.CHECKS must be a list of Check")
    return list(checks)


def all_checks(config: QualityConfig) -> list[Check]:
    """Built-in checks (minus `disabled`, with severity/threshold overrides), then user checks.

    Raises:
        ConfigError: duplicate names, overrides or `disabled` naming no check, bad user checks.
    """
    checks = [*row_checks(config), *cross_checks(config)]
    builtin = {c.name for c in checks}
    for name in [*config.disabled, *config.severity, *config.threshold]:
        if name not in builtin:
            raise ConfigError(f"[quality] names no built-in check {name!r}")
    checks = [
        dataclasses.replace(
            c,
            severity=config.severity.get(c.name, c.severity),
            threshold=config.threshold.get(c.name, c.threshold),
        )
        for c in checks
        if c.name not in config.disabled
    ]
    checks += [from_toml(entry) for entry in config.checks]
    for module in config.modules:
        checks += from_module(module)
    seen: set[str] = set()
    for check in checks:
        if check.name in seen:
            raise ConfigError(f"[quality] two checks are named {check.name!r}")
        seen.add(check.name)
    return checks
