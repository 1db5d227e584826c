"""`coinlake verify [--layer bronze|silver|gold|all]`: exit 1 listing what is damaged."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from coinlake.cli.common import console, err_console, settings_for


class VerifyChoice(StrEnum):
    """Which layers to check."""

    bronze = "bronze"
    silver = "silver"
    gold = "gold"
    all = "all"


def verify(
    ctx: typer.Context,
    layer: Annotated[
        VerifyChoice, typer.Option(help="bronze, silver, gold or all.")
    ] = VerifyChoice.all,
) -> None:
    """Check every Bronze object and Parquet file against the size and SHA-256 recorded when
    it was written; exit 1 listing what is damaged (0 when all is intact)."""
    from coinlake.app.transform import verify_lake

    report = verify_lake(settings_for(ctx), layer.value)
    for damage in report.damaged:
        where = (
            f" (rebuild: coinlake transform --full-refresh --partition {damage.partition})"
            if damage.partition
            else ""
        )
        err_console.print(
            f"damaged: {damage.key}: {damage.reason}{where}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    layers = sorted(set(report.checked) | set(report.unrecorded))
    counts = ", ".join(
        f"{name}: {report.checked.get(name, 0):,} checked"
        + (f", {report.unrecorded[name]:,} without a record" if report.unrecorded.get(name) else "")
        for name in layers
    )
    if report.damaged:
        err_console.print(
            f"{len(report.damaged)} damaged ({counts or 'nothing to check'}); see "
            "docs/bronze-integrity.md for repairs",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
    console.print(f"all intact ({counts or 'nothing to check'})", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("verify")(verify)
