"""`coinlake aws cost` (the monthly bill of a deployment) and `coinlake aws schedules`."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, replace
from decimal import Decimal
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from coinlake.cli.common import console, settings_for
from coinlake.cost import prices
from coinlake.cost.estimate import Estimate, Workload, cents, estimate_month
from coinlake.cost.measured import SANDBOX_TRADES_PER_PRODUCT_DAY
from coinlake.deployment import DEFAULT_DEPLOYMENT, Deployment
from coinlake.errors import ConfigError

app = typer.Typer(
    help="A deployment on AWS: its monthly cost, its schedules.", no_args_is_help=True
)

_EVERY = re.compile(r"^\s*(\d+)\s*(m|min|h)?\s*$")


def parse_every(option: str, text: str) -> int:
    """`5m`, `5`, `2h` as whole minutes.

    Raises:
        ConfigError: anything else, or zero.
    """
    found = _EVERY.match(text.lower())
    if not found or int(found.group(1)) < 1:
        raise ConfigError(f"{option} {text!r}: give minutes or hours, like 5m or 1h")
    return int(found.group(1)) * (60 if found.group(2) == "h" else 1)


def deployment_with(base: Deployment, context: list[str], **fields: object) -> Deployment:
    """`base` with `-c key=value` context values, then the explicit flags (not None).

    Raises:
        ConfigError: an unknown key, a pair without `=`, or a value of the wrong type.
    """
    known = set(asdict(base))
    pairs: dict[str, object] = {}
    for item in context:
        key, sep, value = item.partition("=")
        if not sep or key.strip() not in known:
            raise ConfigError(
                f"-c {item!r}: give key=value with a Deployment field ({', '.join(sorted(known))})"
            )
        pairs[key.strip()] = value
    chosen = base.with_context(pairs)
    return replace(chosen, **{k: v for k, v in fields.items() if v is not None})  # type: ignore[arg-type]


@app.command()
def cost(
    products: Annotated[
        int | None, typer.Option(help="Products whose trades are ingested.", min=0)
    ] = None,
    coins: Annotated[
        int | None, typer.Option(help="Coins in the daily price snapshot.", min=0)
    ] = None,
    every: Annotated[
        str | None, typer.Option(help="Trades ingestion interval, e.g. 5m [deployment: 5m].")
    ] = None,
    transform_every: Annotated[
        str | None, typer.Option(help="Glue transform interval, e.g. 60m or 1h.")
    ] = None,
    trades_per_day: Annotated[
        int, typer.Option(help="Trades a product prints a day.", min=0)
    ] = SANDBOX_TRADES_PER_PRODUCT_DAY,
    queries_per_day: Annotated[int, typer.Option(help="Athena queries a day.", min=0)] = 100,
    query_days: Annotated[
        int, typer.Option(help="Days of Silver trades each query scans.", min=1)
    ] = 1,
    month: Annotated[
        int, typer.Option(help="Month of operation storage is priced for.", min=1)
    ] = 12,
    context: Annotated[
        list[str] | None,
        typer.Option("--context", "-c", help="Any Deployment field, as for cdk: key=value."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """The monthly AWS bill of the deployment (us-east-1 list prices, with their sources)."""
    if fmt not in ("table", "json"):
        raise ConfigError(f"--format {fmt!r}: choose table or json")
    deployment = deployment_with(
        DEFAULT_DEPLOYMENT,
        context or [],
        trades_rate_minutes=None if every is None else parse_every("--every", every),
        transform_rate_minutes=(
            None if transform_every is None else parse_every("--transform-every", transform_every)
        ),
    )
    workload = Workload(
        deployment=deployment,
        products=products,
        coins=coins,
        trades_per_product_day=trades_per_day,
        queries_per_day=queries_per_day,
        query_days=query_days,
        month=month,
    )
    estimate = estimate_month(workload)
    if fmt == "json":
        typer.echo(json.dumps(estimate_json(workload, estimate), indent=2))
        return
    console.print(cost_table(workload, estimate))
    for line in estimate.assumptions:
        console.print(f"- {line}", highlight=False, soft_wrap=True)
    console.print(f"unit prices ({prices.REGION}, checked {prices.AS_OF}):", highlight=False)
    for source in dict.fromkeys(line.price.source for line in estimate.lines):
        console.print(f"  {source}", highlight=False, soft_wrap=True)


def _number(value: Decimal, places: int) -> str:
    return f"{value:,.{places}f}"


def cost_table(workload: Workload, estimate: Estimate) -> Table:
    """The estimate as a table: each line's quantity, unit price and monthly dollars."""
    d = workload.deployment
    table = Table(
        title=(
            f"coinlake {d.stage}: monthly AWS cost, {prices.REGION}, "
            f"month {workload.month} of operation"
        ),
        box=box.SIMPLE_HEAD,
        show_footer=True,
        pad_edge=False,
    )
    table.add_column("item", footer="total", no_wrap=True)
    table.add_column("quantity", justify="right", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    table.add_column("$/unit", justify="right", no_wrap=True)
    table.add_column("$/month", justify="right", footer=f"{estimate.total:,.2f}", no_wrap=True)
    for line in estimate.lines:
        table.add_row(
            f"{line.service} {line.item}",
            _number(line.quantity, 4 if line.quantity < 100 else 0),
            line.price.unit,
            f"{line.price.usd.normalize():f}",
            _number(line.usd, 4),
        )
    return table


def estimate_json(workload: Workload, estimate: Estimate) -> dict[str, object]:
    """The estimate as JSON-ready values (decimals as strings: exact)."""
    return {
        "region": prices.REGION,
        "prices_as_of": prices.AS_OF,
        "month_of_operation": workload.month,
        "deployment": asdict(workload.deployment),
        "workload": {
            "products": workload.product_count,
            "coins": workload.coin_count,
            "trades_per_product_day": workload.trades_per_product_day,
            "queries_per_day": workload.queries_per_day,
            "query_days": workload.query_days,
        },
        "lines": [
            {
                "service": line.service,
                "item": line.item,
                "quantity": str(line.quantity),
                "unit": line.price.unit,
                "unit_price_usd": str(line.price.usd),
                "usd": str(cents(line.usd)),
                "source": line.price.source,
            }
            for line in estimate.lines
        ],
        "total_usd": str(estimate.total),
        "assumptions": list(estimate.assumptions),
    }


@app.command()
def schedules(
    ctx: typer.Context,
    disable: Annotated[bool, typer.Option("--disable", help="Switch every schedule off.")] = False,
    enable: Annotated[bool, typer.Option("--enable", help="Switch every schedule on.")] = False,
    stage: Annotated[str, typer.Option(help="The deployment's stage.")] = "dev",
) -> None:
    """List the deployment's EventBridge Scheduler schedules, or switch them all off or on."""
    if disable and enable:
        raise ConfigError("--disable and --enable: choose one")
    from coinlake.aws.clients import scheduler_client
    from coinlake.aws.scheduler import Schedules

    deployment = replace(DEFAULT_DEPLOYMENT, stage=stage)
    group = Schedules(scheduler_client(settings_for(ctx)), deployment.schedule_group)
    table = Table(title=f"schedules in {group.group}", box=box.SIMPLE_HEAD)
    for column in ("name", "expression", "time zone", "state"):
        table.add_column(column)
    if not (disable or enable):
        for info in group.describe():
            table.add_row(info.name, info.expression, info.timezone, info.state)
        console.print(table)
        return
    table.add_column("changed")
    for info, changed in group.set_state("DISABLED" if disable else "ENABLED"):
        mark = "yes" if changed else "-"
        table.add_row(info.name, info.expression, info.timezone, info.state, mark)
    console.print(table)


def register(root: typer.Typer) -> None:
    """Add `coinlake aws ...` to the root command."""
    root.add_typer(app, name="aws")
