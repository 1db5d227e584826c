"""The processes an attack runs: the API sandbox, moto's S3 server and coinlake commands.

Each is a real child process on loopback, started with the interpreter running the suite, so
`kill -9`, SIGSTOP/SIGCONT and timeouts act on them exactly as on a user's machine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from coinlake.sandbox import Market, SandboxClock, Trade

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parent.parent


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every child: this checkout's `src` first, no stray COINLAKE_/AWS_ vars."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("COINLAKE_", "AWS_", "HYPOTHESIS"))
    }
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env["PYTHONUNBUFFERED"] = "1"
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    env.update(extra or {})
    return env


def _read_urls(proc: subprocess.Popen[str], names: Sequence[str], timeout: float) -> dict[str, str]:
    """Read `<name> <url>` lines from a child's stdout until every name is seen."""
    assert proc.stdout is not None
    urls: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while set(names) - set(urls):
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError(f"{proc.args!r} did not print {names} (exit {proc.poll()})")
        line = proc.stdout.readline()
        parts = line.split()
        if len(parts) == 2 and parts[0] in names:
            urls[parts[0]] = parts[1]
    return urls


def stop_process(proc: subprocess.Popen[Any], grace: float = 5.0) -> bool:
    """SIGTERM, then SIGKILL after `grace` seconds; True when SIGTERM was enough."""
    if proc.poll() is not None:
        return True
    proc.send_signal(signal.SIGCONT)
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False
    return True


@dataclass(frozen=True)
class MarketSpec:
    """The sandbox's market: the same spec gives the same trades in the server and the oracle."""

    seed: int = 7
    products: tuple[str, ...] = ("BTC-USD", "ETH-USD")
    history_days: float = 0.25
    trades_per_minute: float = 60.0
    gaps: tuple[tuple[str, int, int], ...] = ()
    """Trade ids missing from the tape: (product, first, last), absolute ids."""

    def serve_args(self) -> list[str]:
        args = [
            f"--seed={self.seed}",
            f"--products={','.join(self.products)}",
            f"--history-days={self.history_days}",
            f"--trades-per-minute={self.trades_per_minute}",
        ]
        return args + [f"--gap={p}:{lo}-{hi}" for p, lo, hi in self.gaps]

    def market(self, advanced_s: float = 0.0) -> Market:
        """The market as the server has it after the clock moved `advanced_s` seconds."""
        clock = SandboxClock("frozen")
        gaps: dict[str, list[tuple[int, int]]] = {}
        for product, lo, hi in self.gaps:
            gaps.setdefault(product, []).append((lo, hi))
        market = Market(
            clock=clock,
            seed=self.seed,
            products=self.products,
            history_days=self.history_days,
            trades_per_minute=self.trades_per_minute,
            gaps=gaps,
        )
        clock.advance(advanced_s)
        return market


class Sandbox:
    """`coinlake sandbox serve` in a child process on a frozen clock, limits off."""

    def __init__(self, spec: MarketSpec, log: IO[str] | None = None) -> None:
        self.spec = spec
        self.advanced_s = 0.0
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "coinlake", "sandbox", "serve", "--port=0", "--clock=frozen",
             "--no-rate-limits", *spec.serve_args()],
            stdout=subprocess.PIPE, stderr=log or subprocess.DEVNULL, text=True, env=child_env(),
        )  # fmt: skip
        urls = _read_urls(self.proc, ("coinbase", "coingecko"), timeout=60)
        self.coinbase_url, self.coingecko_url = urls["coinbase"], urls["coingecko"]
        self.control_url = self.coinbase_url.removesuffix("/coinbase") + "/_sandbox"

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> bool:
        """Stop the server; False when it ignored SIGTERM (a hung server) and was killed."""
        return stop_process(self.proc)

    def _control(self, path: str, method: str, payload: object = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{self.control_url}/{path}", data=data, method=method,
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def set_faults(self, rules: Sequence[Mapping[str, object]]) -> None:
        """Replace the fault rules (see docs/sandbox.md)."""
        self._control("faults", "POST", {"faults": list(rules)})

    def clear_faults(self) -> int:
        """Remove every rule; how many faults fired since the last clear."""
        fired = int(self._control("state", "GET")["fired"])
        self._control("faults", "DELETE")
        return fired

    def advance(self, seconds: float) -> None:
        """Move the market on: new trades appear."""
        self._control("clock", "POST", {"advance": seconds})
        self.advanced_s += seconds

    def trades(self) -> dict[str, list[Trade]]:
        """Every trade the API can serve now, per product (the oracle, computed in-process)."""
        market = self.spec.market(self.advanced_s)
        return {p: market.trades(p) for p in self.spec.products}

    def env(self) -> dict[str, str]:
        """Settings pointing a coinlake command at this sandbox, client limits out of the way."""
        return {
            "COINLAKE_COINBASE_URL": self.coinbase_url,
            "COINLAKE_COINGECKO_URL": self.coingecko_url,
            "COINLAKE_PRODUCTS": ",".join(self.spec.products),
            "COINLAKE_COINS": "bitcoin",
            "COINLAKE_VS_CURRENCIES": "usd",
            "COINLAKE_COINBASE_REQUESTS_PER_SECOND": "1000",
            "COINLAKE_COINBASE_BURST": "1000",
            "COINLAKE_COINGECKO_CALLS_PER_MINUTE": "10000",
            "COINLAKE_HTTP_TIMEOUT_S": "2",
            "COINLAKE_RETRY_ATTEMPTS": "6",
            "COINLAKE_RETRY_DEADLINE_S": "30",
        }


class MotoServer:
    """moto's S3 server in its own process (`reliability.motoserve`), so it can be paused."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "reliability.motoserve"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=child_env(),
        )  # fmt: skip
        self.endpoint = _read_urls(self.proc, ("moto",), timeout=60)["moto"]

    def __enter__(self) -> MotoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        stop_process(self.proc)

    def pause(self) -> None:
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGCONT)


def aws_env(endpoint: str) -> dict[str, str]:
    """Dummy credentials and the endpoint for a lake on moto."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "COINLAKE_S3_ENDPOINT_URL": endpoint,
        "COINLAKE_AWS_REGION": "us-east-1",
    }


@dataclass
class Outcome:
    """What one coinlake command did."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    killed: bool = False
    """True when the suite killed it (kill -9 or a timeout) before it exited."""

    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


@dataclass
class Coinlake:
    """Runs `python -m coinlake --lake <lake> ...` with a fixed environment."""

    lake: str
    env: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 300.0

    def argv(self, args: Sequence[str]) -> list[str]:
        return [PYTHON, "-m", "coinlake", "--lake", self.lake, *args]

    def start(self, args: Sequence[str], **popen: Any) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=child_env(self.env), **popen,
        )  # fmt: skip

    def run(self, *args: str, kill_after: float | None = None, **popen: Any) -> Outcome:
        """Run to the end, or SIGKILL it `kill_after` seconds in (the timeout kills too)."""
        started = time.monotonic()
        proc = self.start(args, **popen)
        limit = self.timeout_s if kill_after is None else kill_after
        killed = False
        try:
            out, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            killed = True
        return Outcome(list(args), proc.returncode, out, err, time.monotonic() - started, killed)

    def must(self, *args: str) -> Outcome:
        """Run and require exit 0."""
        done = self.run(*args)
        if done.returncode != 0:
            tail = "\n".join(done.lines()[-5:] or done.stdout.splitlines()[-5:])
            raise RuntimeError(f"coinlake {' '.join(args)} exited {done.returncode}: {tail}")
        return done
