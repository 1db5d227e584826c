"""Check declarations, settings, gap ranges and metrics: pure code, no engine."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from coinlake.aws.cloudwatch import build_metric_data
from coinlake.config import load_settings
from coinlake.errors import ConfigError
from coinlake.ingest.repair import missing_ranges
from coinlake.quality.config import QualityConfig, UserCheck, load_quality_config
from coinlake.quality.custom import all_checks
from coinlake.quality.gaps import IdRange, unservable_document
from coinlake.quality.model import CheckResult, failing

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def result(check: str, severity: str, passed: bool, table: str = "silver_trades") -> CheckResult:
    return CheckResult(check, table, "", severity, passed, 0.0, 0.0, "", "r", NOW)  # type: ignore[arg-type]


def test_fail_on_error_ignores_warnings_and_fail_on_warn_never_counts_info() -> None:
    results = [result("a", "error", False), result("b", "warn", False), result("c", "info", False)]
    assert [r.check for r in failing(results, "error")] == ["a"]
    assert [r.check for r in failing(results, "warn")] == ["a", "b"]
    assert failing([result("a", "error", True)], "warn") == []


def test_the_built_in_checks_cover_every_kind_and_have_unique_names() -> None:
    checks = all_checks(QualityConfig())
    assert len(checks) >= 8
    assert {c.kind for c in checks} == {
        "schema", "validity", "uniqueness", "completeness", "freshness", "consistency", "anomaly"
    }  # fmt: skip
    assert len({c.name for c in checks}) == len(checks)
    assert {c.severity for c in checks if c.kind == "anomaly"} == {"info"}


def test_settings_disable_checks_override_severity_and_threshold_and_add_user_checks() -> None:
    config = QualityConfig(
        disabled=("anomaly_price",),
        severity={"freshness_trades": "error"},
        threshold={"freshness_trades": 5},
        checks=(UserCheck(name="mine", table="silver_prices", sql="SELECT 1 AS k"),),
    )
    checks = {c.name: c for c in all_checks(config)}
    assert "anomaly_price" not in checks
    assert (checks["freshness_trades"].severity, checks["freshness_trades"].threshold) == (
        "error",
        5,
    )
    assert checks["mine"].kind == "custom" and "SELECT 1 AS k" in checks["mine"].sql


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (QualityConfig(disabled=("no_such_check",)), "no built-in check 'no_such_check'"),
        (
            QualityConfig(checks=(UserCheck(name="x", table="silver_nope", sql="SELECT 1"),)),
            "unknown table 'silver_nope'",
        ),
        (
            QualityConfig(
                checks=(UserCheck(name="unique_trades", table="silver_trades", sql="S"),)
            ),
            "two checks are named 'unique_trades'",
        ),
        (QualityConfig(modules=("coinlake_no_such_module",)), "cannot import"),
    ],
)
def test_bad_quality_settings_are_one_clear_error(config: QualityConfig, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        all_checks(config)


def test_the_quality_table_of_coinlake_toml_is_read_and_ignored_by_the_settings(
    tmp_path: Path,
) -> None:
    path = tmp_path / "coinlake.toml"
    path.write_text(
        'products = "BTC-USD"\n[quality]\nvwap_tolerance = 0.05\n'
        '[[quality.checks]]\nname = "tiny"\ntable = "silver_trades"\nseverity = "warn"\n'
        'sql = "SELECT trade_id AS k FROM silver_trades WHERE size < 0.00000002"\n',
        encoding="utf-8",
    )
    config = load_quality_config(path)
    assert config.vwap_tolerance == 0.05
    assert [c.name for c in config.checks] == ["tiny"]
    assert load_settings(config_file=path, environ={}).products == ("BTC-USD",)
    assert load_quality_config(tmp_path / "absent.toml") == QualityConfig()


def test_a_bad_quality_setting_names_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "coinlake.toml"
    path.write_text('[[quality.checks]]\nname = "x"\ntable = "t"\nsql = "S"\nseverity = "loud"\n')
    with pytest.raises(ConfigError, match=r"checks\.0\.severity"):
        load_quality_config(path)


def test_ids_a_repair_did_not_get_become_exact_unservable_ranges() -> None:
    gap = IdRange("BTC-USD", 100, 109)
    got = {100, 101, 104, 109}
    assert missing_ranges(gap, got) == [
        IdRange("BTC-USD", 102, 103, False),
        IdRange("BTC-USD", 105, 108, False),
    ]
    assert missing_ranges(gap, set(range(100, 110))) == []
    assert missing_ranges(gap, set()) == [IdRange("BTC-USD", 100, 109, False)]


def test_unservable_ranges_are_stored_merged_and_sorted() -> None:
    ranges = [IdRange("P", 20, 25), IdRange("P", 1, 5), IdRange("P", 6, 9), IdRange("P", 24, 30)]
    assert unservable_document("P", ranges) == {"product": "P", "ranges": [[1, 9], [20, 30]]}


def test_metrics_count_failed_checks_per_severity_and_failed_partitions_per_check() -> None:
    results = [
        result("completeness_trades", "error", False),
        result("completeness_trades", "error", False),
        result("unique_trades", "error", True),
        result("freshness_trades", "warn", False),
    ]
    data = build_metric_data(results, {"Job": "j"}, NOW)

    def value(name: str, **dims: str) -> object:
        wanted = [{"Name": k, "Value": v} for k, v in {"Job": "j", **dims}.items()]
        (found,) = [
            d["Value"] for d in data if d["MetricName"] == name and d["Dimensions"] == wanted
        ]
        return found

    assert value("ChecksRun") == 3
    assert value("FailedChecks", Severity="error") == 1
    assert value("FailedChecks", Severity="warn") == 1
    assert value("FailedChecks", Severity="info") == 0
    check = {"Check": "completeness_trades", "Table": "silver_trades", "Severity": "error"}
    assert value("FailedPartitions", **check) == 2
    unique = {"Check": "unique_trades", "Table": "silver_trades", "Severity": "error"}
    assert value("FailedPartitions", **unique) == 0
