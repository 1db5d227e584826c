"""`coinlake sandbox serve`: the offline CoinGecko + Coinbase API sandbox on loopback."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from coinlake.errors import ConfigError

app = typer.Typer(help="The offline CoinGecko + Coinbase API sandbox.", no_args_is_help=True)


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1; 0 picks a free one.")] = 8080,
    seed: Annotated[int, typer.Option(help="Market seed: same seed, same market.")] = 7,
    history_days: Annotated[float, typer.Option(help="Days of trades before start.")] = 1.0,
    clock: Annotated[str, typer.Option(help="real (market grows with time) or frozen.")] = "real",
    trades_per_minute: Annotated[float, typer.Option(help="Average trades/min/product.")] = 60.0,
    products: Annotated[
        str, typer.Option(help="Comma list of products, e.g. BTC-USD,ETH-USD,SOL-USD.")
    ] = "BTC-USD,ETH-USD,SOL-USD",
    no_rate_limits: Annotated[
        bool, typer.Option("--no-rate-limits", help="Never answer 429 for rate limits.")
    ] = False,
    coingecko_calls_per_minute: Annotated[
        int, typer.Option(help="CoinGecko keyless/demo calls per minute.")
    ] = 30,
    faults: Annotated[
        Path | None, typer.Option("--faults", help="Fault script (.json or .toml).")
    ] = None,
    gap: Annotated[
        list[str] | None,
        typer.Option(help="Missing trade ids PRODUCT:FIRST-LAST (+N = offset); repeatable."),
    ] = None,
) -> None:
    """Serve the sandbox until Ctrl-C or SIGTERM; prints one base URL per API."""
    from coinlake.sandbox import SandboxOptions, SandboxServer, load_fault_script
    from coinlake.sandbox.options import parse_gap

    try:
        rules = tuple(load_fault_script(faults)) if faults else ()
    except ValueError as exc:
        raise ConfigError(f"--faults: {exc}") from exc
    gaps: dict[str, list[tuple[int, int]]] = {}
    for spec in gap or []:
        product, lo, hi = parse_gap(spec)
        gaps.setdefault(product, []).append((lo, hi))
    if clock not in ("real", "frozen"):
        raise ConfigError(f"--clock must be 'real' or 'frozen', not {clock!r}")
    options = SandboxOptions(
        seed=seed,
        port=port,
        products=tuple(p.strip() for p in products.split(",") if p.strip()),
        history_days=history_days,
        trades_per_minute=trades_per_minute,
        clock=clock,
        rate_limits=not no_rate_limits,
        coingecko_calls_per_minute=coingecko_calls_per_minute,
        gaps=gaps,
        faults=rules,
    )
    server = SandboxServer(options)
    try:
        server.start()
    except OSError as exc:
        raise ConfigError(f"--port {port}: cannot listen ({exc.strerror})") from exc
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        typer.echo(f"coingecko {server.coingecko_url}")
        typer.echo(f"coinbase {server.coinbase_url}")
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
