"""`python -m coinlake` runs the CLI."""

from coinlake.cli.main import run

run()
