"""The offline API sandbox: a simulated market behind Coinbase Exchange and CoinGecko v3 endpoints.

Public API: `SandboxServer`, `SandboxOptions`, `Market`, `Trade`, `SandboxClock`, `Faults`,
`FaultRule`, `load_fault_script`. See `docs/sandbox.md`.
"""

from coinlake.sandbox.clock import SandboxClock
from coinlake.sandbox.faults import FaultRule, Faults, load_fault_script
from coinlake.sandbox.market import Market
from coinlake.sandbox.options import SandboxOptions
from coinlake.sandbox.server import SandboxServer
from coinlake.sandbox.tape import Trade

__all__ = [
    "FaultRule",
    "Faults",
    "Market",
    "SandboxClock",
    "SandboxOptions",
    "SandboxServer",
    "Trade",
    "load_fault_script",
]
