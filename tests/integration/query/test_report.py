"""`coinlake report`: a self-contained page that headless Chromium renders without errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

import coinlake
from coinlake.cli.main import app
from coinlake.query.report import ReportRange, build_series, render_html
from coinlake.query.sample import write_sample_lake

pytestmark = pytest.mark.integration
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (Debian: apt-get install chromium)"
)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("report_lake")
    sample = write_sample_lake(root, products=("BTC-USD", "ETH-USD", "DOGE-USD"), hours=60)
    return root, sample


def _chromium(page: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_the_page_embeds_everything_and_fetches_nothing(lake) -> None:
    root, sample = lake
    con = coinlake.connect(root)
    page = render_html(
        build_series(con, [], ReportRange()),
        status=None,
        generated_at=datetime(2026, 2, 1, tzinfo=UTC),
        span=ReportRange(),
    )
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "fetch(" not in page
    assert "XMLHttpRequest" not in page
    data = json.loads(
        re.search(r'<script type="application/json" id="coinlake-data">(.*?)</script>', page).group(
            1
        )
    )
    btc = next(p for p in data["products"] if p["product"] == "BTC-USD")
    assert len(btc["candles"]) == 60
    first = next(r for r in sample.hourly if r["product_id"] == "BTC-USD")
    assert btc["candles"][0]["vwap"] == str(first["vwap"])
    assert btc["daily"][0]["date"] == "2026-01-01"


def test_an_unknown_product_is_one_clear_error(lake) -> None:
    root, _ = lake
    result = CliRunner().invoke(app, ["--lake", str(root), "report", "--product", "XRP-USD"])
    assert result.exit_code != 0
    assert "no hourly data for XRP-USD" in str(result.exception)


@needs_chromium
def test_chromium_draws_one_candle_per_hour_without_console_errors(lake, tmp_path: Path) -> None:
    root, _ = lake
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app,
        [
            "--lake",
            str(root),
            "report",
            "-o",
            str(out),
            "--from",
            "2026-01-02",
            "--to",
            "2026-01-02",
        ],
    )
    assert result.exit_code == 0, result.output
    browser = _chromium(out, tmp_path / "profile")
    dom = browser.stdout
    assert 'data-rendered="true"' in dom, browser.stderr[-2000:]
    assert not re.search(r"<body[^>]*data-error", dom)
    assert not re.search(r"Uncaught|CONSOLE\(\d+\).*(Error|error)", browser.stderr)
    candles = dict(re.findall(r'id="chart-([a-z-]+)"[^>]*data-candles="(\d+)"', dom))
    # 60 hours from 2026-01-01 00:00: the 2nd of January holds 24 of them for every product
    assert candles == {"btc-usd": "24", "eth-usd": "24", "doge-usd": "24"}
    assert dom.count('class="candle ') == 72
    assert 'id="status-table"' in dom


@needs_chromium
def test_the_rendered_page_has_a_subtitle_hour_ticks_a_volume_axis_and_full_tooltips(
    lake, tmp_path: Path
) -> None:
    root, sample = lake
    out = tmp_path / "report.html"
    args = ["--lake", str(root), "report", "-o", str(out), "--product", "BTC-USD"]
    result = CliRunner().invoke(app, [*args, "--from", "2026-01-02", "--to", "2026-01-02"])
    assert result.exit_code == 0, result.output
    dom = _chromium(out, tmp_path / "profile").stdout
    assert 'data-rendered="true"' in dom
    subtitle = re.search(r'<p class="subtitle" id="subtitle">(.*?)</p>', dom)
    assert subtitle is not None
    assert subtitle.group(1) == "hours 2026-01-02 00:00 to 23:59 UTC (24 hours) · 1 product"
    ticks = re.findall(r'<text class="hour-tick"[^>]*>([^<]*)</text>', dom)
    assert ticks == ["Jan 02", *[f"{h:02d}:00" for h in range(2, 24, 2)], "Jan 03"]
    first_open = next(
        r["open"] for r in sample.hourly
        if r["product_id"] == "BTC-USD" and r["hour"] == datetime(2026, 1, 2, tzinfo=UTC)
    )  # fmt: skip
    assert f"first open <b>{Decimal(str(first_open)).normalize():f}</b>" in dom
    assert re.findall(r'class="axis-label (\w+)-axis"[^>]*>([^<]*)<', dom) == [
        ("price", "price (USD)"),
        ("volume", "volume (BTC)"),
    ]
    assert len(re.findall(r'<text class="volume-tick"', dom)) == 2
    row = next(
        r for r in sample.hourly
        if r["product_id"] == "BTC-USD" and r["hour"] == datetime(2026, 1, 2, 5, tzinfo=UTC)
    )  # fmt: skip
    tooltip = re.search(r"<title>(2026-01-02 05:00 UTC.*?)</title>", dom, re.S)
    assert tooltip is not None
    v = {k: f"{Decimal(str(row[k])).normalize():f}" for k in _TOOLTIP_FIELDS}
    assert tooltip.group(1).split("\n") == [
        "2026-01-02 05:00 UTC",
        f"open {v['open']}  high {v['high']}  low {v['low']}  close {v['close']}",
        f"VWAP {v['vwap']}  trades {row['trade_count']}",
        f"volume {v['volume']} (taker buy {v['buy_volume']}, taker sell {v['sell_volume']})",
    ]


_TOOLTIP_FIELDS = ("open", "high", "low", "close", "vwap", "volume", "buy_volume", "sell_volume")
