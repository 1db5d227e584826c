"""`coinlake sandbox ...`: the offline API sandbox (placeholder until the server lands)."""

import typer

app = typer.Typer(help="The offline CoinGecko + Coinbase API sandbox.", no_args_is_help=True)
