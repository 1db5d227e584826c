"""The offline API sandbox: a simulated market behind Coinbase Exchange and CoinGecko v3 endpoints.

Public API: `SandboxServer`, `SandboxOptions`, `Market`, `Trade`, `SandboxClock`, `Faults`,
`FaultRule`, `load_fault_script`, `settings_for_sandbox`. See `docs/sandbox.md`. `cli` is the
`coinlake sandbox` command.
"""

from coinlake.sandbox.clock import SandboxClock
from coinlake.sandbox.faults import FaultRule, Faults, load_fault_script
from coinlake.sandbox.market import Market
from coinlake.sandbox.options import SandboxOptions
from coinlake.sandbox.server import SandboxServer
from coinlake.sandbox.tape import Trade


def settings_for_sandbox(server: SandboxServer) -> dict[str, str]:
    """The settings that point every API client at `server` (its base URL per API)."""
    return {"coinbase_url": server.coinbase_url, "coingecko_url": server.coingecko_url}


__all__ = [
    "FaultRule",
    "Faults",
    "Market",
    "SandboxClock",
    "SandboxOptions",
    "SandboxServer",
    "Trade",
    "load_fault_script",
    "settings_for_sandbox",
]
