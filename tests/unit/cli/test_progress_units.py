"""Progress bars name what they count."""

from __future__ import annotations

import io

from rich.console import Console
from rich.progress import MofNCompleteColumn, TextColumn
from rich.progress import Progress as RichBar

from coinlake.cli.ingest import BarProgress, unit_of


def test_each_task_names_its_unit() -> None:
    assert unit_of("BTC-USD") == "trades"
    assert unit_of("BTC-USD candles") == "candles"
    assert unit_of("bitcoin/usd") == "price points"


def test_the_bar_shows_the_unit_of_each_task() -> None:
    out = io.StringIO()
    bar = RichBar(
        TextColumn("{task.description}"),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}"),
        console=Console(file=out, width=100, force_terminal=False),
    )
    progress = BarProgress(bar)
    progress.update("BTC-USD candles", pages=1, trades=300, total=600)
    progress.update("bitcoin/usd", pages=1, trades=48, total=None)
    bar.stop()
    lines = [line.split() for line in out.getvalue().splitlines()]
    assert ["BTC-USD", "candles", "300/600", "candles"] in lines
    assert ["bitcoin/usd", "48/?", "price", "points"] in lines
