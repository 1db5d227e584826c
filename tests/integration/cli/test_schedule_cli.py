"""`coinlake schedule --timezone`: cron expressions read in a named zone, shown in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.cli.test_entry_point import coinlake

pytestmark = pytest.mark.integration


def test_schedule_shows_the_next_firing_in_the_named_zone(tmp_path: Path) -> None:
    (tmp_path / "lake").mkdir()
    done = coinlake(
        "--lake", "lake", "schedule", "--coinbase", "off", "--transform", "off",
        "--coingecko", "cron(0 9 * * ? *)", "--timezone", "America/Los_Angeles",
        "--for-minutes", "0.001",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    line = done.stdout.splitlines()[0]
    assert line.startswith("coingecko  cron(0 9 * * ? *)")
    # 9:00 local, whatever the season: PST or PDT
    assert " 09:00 P" in line, line
    assert line.endswith("(America/Los_Angeles)")


def test_schedule_time_zone_comes_from_the_settings_file_too(tmp_path: Path) -> None:
    (tmp_path / "lake").mkdir()
    (tmp_path / "coinlake.toml").write_text(
        'schedule_timezone = "Asia/Tokyo"\nschedule_coinbase = "off"\n'
        'schedule_transform = "off"\nschedule_coingecko = "cron(30 8 * * ? *)"\n'
    )
    done = coinlake("--lake", "lake", "schedule", "--for-minutes", "0.001", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert " 08:30 JST (Asia/Tokyo)" in done.stdout


def test_an_unknown_time_zone_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = coinlake("schedule", "--timezone", "Pacific/Nowhere", "--once", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: time zone 'Pacific/Nowhere' is not an IANA zone name like UTC or "
        "America/Los_Angeles"
    )
