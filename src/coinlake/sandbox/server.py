"""`SandboxServer`: the Coinbase + CoinGecko sandbox as a real HTTP server on loopback.

One port, three base URLs (`/coinbase`, `/coingecko/api/v3`, `/coingecko-pro/api/v3`), plus a
small control API under `/_sandbox` (faults, clock, state) for tools in other processes.

    with SandboxServer(SandboxOptions(clock="frozen", rate_limits=False)) as server:
        httpx.get(f"{server.coinbase_url}/products/BTC-USD/trades")
        server.clock.advance(60)
        server.faults.add("status", "coinbase.trades", status=503, calls=[1])

Per request: route -> rate limit (sandbox clock) -> faults -> handler -> JSON faults -> write.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from coinlake.sandbox import coinbase, coingecko
from coinlake.sandbox.clock import SandboxClock
from coinlake.sandbox.faults import FaultRule, Faults, transform_body
from coinlake.sandbox.jsonout import encode
from coinlake.sandbox.limits import SlidingWindow, TokenBucket
from coinlake.sandbox.market import Market
from coinlake.sandbox.options import SandboxOptions
from coinlake.sandbox.responses import BadParam, Response

log = logging.getLogger(__name__)

_CLOUDFLARE_HTML = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
    b"<body><h1>Service Temporarily Unavailable</h1><p>cloudflare</p></body></html>"
)
_WRONG_HOST_PRO = (
    "Invalid API Key: if you are using a Pro API key, please change your root URL from "
    "api.coingecko.com to pro-api.coingecko.com"
)
_WRONG_HOST_DEMO = (
    "Invalid API Key: if you are using a Demo API key, please change your root URL from "
    "pro-api.coingecko.com to api.coingecko.com"
)
_TRANSFORMS = frozenset(
    {"wrong_shape", "rename_field", "drop_field", "numbers_as_strings", "strings_as_numbers",
     "duplicate_trades", "out_of_order_trades"}
)  # fmt: skip


class SandboxServer:
    """The sandbox: market, clock, faults and limiters behind one HTTP server."""

    def __init__(self, options: SandboxOptions | None = None) -> None:
        self.options = (options or SandboxOptions()).validate()
        opts = self.options
        self.clock = SandboxClock("frozen" if opts.clock == "frozen" else "real", opts.start)
        self.market = Market(
            clock=self.clock,
            seed=opts.seed,
            products=opts.products,
            history_days=opts.history_days,
            trades_per_minute=opts.trades_per_minute,
            gaps=opts.gaps,
        )
        self.faults = Faults(seed=opts.seed, rules=list(opts.faults))
        self.rate_limits = opts.rate_limits
        """Switch the limiters on or off while running."""
        self.coinbase_limiter = TokenBucket(
            opts.coinbase_requests_per_second, opts.coinbase_burst, self.clock.monotonic
        )
        self.coingecko_limiter = SlidingWindow(
            opts.coingecko_calls_per_minute, self.clock.monotonic
        )
        self.coingecko_pro_limiter = SlidingWindow(
            opts.coingecko_pro_calls_per_minute, self.clock.monotonic
        )
        self._coinbase = coinbase.CoinbaseApi(self.market)
        self._coingecko = coingecko.CoinGeckoApi(self.market)
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> SandboxServer:
        """Bind and serve in a background thread; returns self."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _HttpServer((self.options.host, self.options.port), _Handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox-http"
        )
        self._thread.start()
        log.info("sandbox serving on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving, drop open connections, join every thread, close the socket."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._stopping.set()
        httpd.shutdown()
        thread.join()
        httpd.drop_connections()
        httpd.server_close()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port (after `start`)."""
        if self._httpd is None:
            raise RuntimeError("the sandbox is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://{self.options.host}:{self.port}"

    @property
    def coinbase_url(self) -> str:
        """Stands in for `https://api.exchange.coinbase.com`."""
        return f"{self.base_url}/coinbase"

    @property
    def coingecko_url(self) -> str:
        """Stands in for `https://api.coingecko.com/api/v3` (keyless and demo keys)."""
        return f"{self.base_url}/coingecko/api/v3"

    @property
    def coingecko_pro_url(self) -> str:
        """Stands in for `https://pro-api.coingecko.com/api/v3` (pro keys)."""
        return f"{self.base_url}/coingecko-pro/api/v3"

    def reset_limits(self) -> None:
        """Full buckets and empty windows for every client."""
        self.coinbase_limiter.reset()
        self.coingecko_limiter.reset()
        self.coingecko_pro_limiter.reset()

    # -- one request -------------------------------------------------------------------------
    def handle(self, handler: _Handler, method: str) -> None:
        """Answer one request (called on the connection's thread)."""
        split = urlsplit(handler.path)
        parts = [p for p in split.path.split("/") if p]
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        client = handler.client_address[0]
        if parts[:1] == ["_sandbox"]:
            handler.send(self._control(parts[1:], method, handler))
            return
        if method != "GET":
            handler.send(Response(405, {"message": "method not allowed"}))
            return
        if parts[:1] == ["coinbase"]:
            self._serve_coinbase(handler, parts[1:], query, client)
        elif parts[:1] in (["coingecko"], ["coingecko-pro"]) and parts[1:3] == ["api", "v3"]:
            self._serve_coingecko(handler, parts, query, client)
        else:
            handler.send(Response(404, {"message": "NotFound"}))

    def _serve_coinbase(
        self, handler: _Handler, parts: list[str], query: dict[str, str], client: str
    ) -> None:
        if self.rate_limits and not self.coinbase_limiter.try_acquire(client):
            handler.send(coinbase.RATE_LIMITED)
            return
        routed = self._coinbase.route(parts)
        if routed is None:
            handler.send(coinbase.NOT_FOUND)
            return
        endpoint, run = routed
        self._answer(handler, endpoint, "coinbase", lambda: run(query))

    def _serve_coingecko(
        self, handler: _Handler, parts: list[str], query: dict[str, str], client: str
    ) -> None:
        pro_host = parts[0] == "coingecko-pro"
        headers = {k.lower(): v for k, v in handler.headers.items()}
        demo_key = headers.get("x-cg-demo-api-key") or query.pop("x_cg_demo_api_key", None)
        pro_key = headers.get("x-cg-pro-api-key") or query.pop("x_cg_pro_api_key", None)
        tier = "pro" if pro_key else "demo" if demo_key else "keyless"
        if self.rate_limits:
            limiter = self.coingecko_pro_limiter if tier == "pro" else self.coingecko_limiter
            wait = limiter.try_acquire(f"{tier}:{pro_key or demo_key or client}")
            if wait is not None:
                handler.send(_coingecko_429(wait))
                return
        # docs.coingecko.com "Errors & Rate Limits": 10010 = pro key on the public root URL,
        # 10011 = demo key on the pro root URL, 10002 = no key where one is required.
        if pro_key and not pro_host:
            handler.send(coingecko.status_error(400, 10010, _WRONG_HOST_PRO))
            return
        if pro_host and not pro_key:
            if demo_key:
                handler.send(coingecko.status_error(400, 10011, _WRONG_HOST_DEMO))
            else:
                handler.send(coingecko.status_error(401, 10002, "API Key Missing"))
            return
        routed = self._coingecko.route(parts[3:])
        if routed is None:
            handler.send(coingecko.error(404, "Not Found"))
            return
        endpoint, run = routed
        caller = coingecko.Caller(tier)
        self._answer(handler, endpoint, "coingecko", lambda: run(query, caller))

    def _answer(self, handler: _Handler, endpoint: str, api: str, produce: Any) -> None:
        rules = self.faults.pick(endpoint)
        for rule in rules:
            if rule.kind == "reset":
                handler.reset()
                return
            if rule.kind == "timeout":
                self._stopping.wait(rule.seconds)
                handler.close_connection = True
                return
            if rule.kind == "delay":
                self._stopping.wait(rule.seconds)
        for rule in rules:
            early = _early_fault(rule, api)
            if early is not None:
                handler.send(early)
                return
        try:
            response: Response = produce()
        except BadParam as exc:
            response = exc.response
        for rule in rules:
            if rule.kind in _TRANSFORMS:
                response.body = transform_body(rule, response.body, self.faults)
        if any(rule.kind == "truncate" for rule in rules):
            text = encode(response.body).encode()
            response.raw = text[: max(1, len(text) // 2)]
        handler.send(response)

    # -- control API -------------------------------------------------------------------------
    def _control(self, parts: list[str], method: str, handler: _Handler) -> Response:
        try:
            payload = handler.read_json() if method == "POST" else {}
            if parts == ["faults"] and method == "POST":
                entries = payload.get("faults", []) if isinstance(payload, dict) else payload
                self.faults.set([FaultRule.from_mapping(e) for e in entries])
            elif parts == ["faults"] and method == "DELETE":
                self.faults.clear()
            elif parts == ["clock"] and method == "POST":
                self.clock.advance(float(payload.get("advance", 0)))
            elif parts not in (["state"], ["faults"]):
                return Response(404, {"message": "NotFound"})
        except (ValueError, TypeError, AttributeError) as exc:
            return Response(400, {"message": str(exc)})
        return Response(200, self.state())

    def state(self) -> dict[str, object]:
        """What the control API reports: clock, newest ids, active fault rules, faults fired."""
        return {
            "now": self.clock.now().isoformat(),
            "clock": self.clock.mode,
            "newest_trade_ids": {p: self.market.newest_trade_id(p) for p in self.market.products},
            "faults": [
                {k: v for k, v in vars_of(rule).items() if v not in (None, ())}
                for rule in self.faults.rules
            ],
            "fired": len(self.faults.fired),
        }


def vars_of(rule: FaultRule) -> dict[str, object]:
    """A fault rule as a plain dict."""
    return {name: getattr(rule, name) for name in rule.__dataclass_fields__}


def _coingecko_429(wait: int) -> Response:
    body = {"status": {"error_code": 429, "error_message": coingecko.RATE_LIMIT_TEXT}}
    return Response(429, body, {"Retry-After": str(wait)})


def _early_fault(rule: FaultRule, api: str) -> Response | None:
    if rule.kind == "rate_limit":
        base = (
            coinbase.RATE_LIMITED if api == "coinbase" else _coingecko_429(rule.retry_after or 60)
        )
        headers = {} if rule.retry_after is None else {"Retry-After": str(rule.retry_after)}
        return Response(429, base.body, headers)
    if rule.kind == "status":
        text = _REASONS.get(rule.status, "Error")
        body: object = {"message": text} if api == "coinbase" else {"error": text}
        return Response(rule.status, body)
    if rule.kind == "html":
        return Response(503, None, raw=_CLOUDFLARE_HTML, content_type="text/html; charset=UTF-8")
    return None


_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class _HttpServer(ThreadingHTTPServer):
    """Tracks connection threads so `stop` can close and join every one of them."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = False

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], app: SandboxServer
    ) -> None:
        self.app = app
        self._conn_lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._run, args=(request, client_address), name="sandbox-conn", daemon=True
        )
        with self._conn_lock:
            self._connections[request] = thread
        thread.start()

    def _run(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._conn_lock:
                self._connections.pop(request, None)

    def drop_connections(self, deadline_s: float = 5.0) -> None:
        """Shut every open connection so its thread ends, then join them, all within
        `deadline_s` (a handler thread that does not end is a daemon: it cannot keep the
        process alive, and it must not keep `stop` waiting)."""
        with self._conn_lock:
            items = list(self._connections.items())
        for sock, _ in items:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        until = time.monotonic() + deadline_s
        for _, thread in items:
            thread.join(timeout=max(0.0, until - time.monotonic()))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "coinlake-sandbox"
    sys_version = ""
    timeout = 120
    server: _HttpServer

    def do_GET(self) -> None:
        self.server.app.handle(self, "GET")

    def do_POST(self) -> None:
        self.server.app.handle(self, "POST")

    def do_DELETE(self) -> None:
        self.server.app.handle(self, "DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("sandbox %s %s", self.client_address[0], format % args)

    def read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        return json.loads(raw or b"{}")

    def send(self, response: Response) -> None:
        data = response.raw if response.raw is not None else encode(response.body).encode()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def reset(self) -> None:
        """Close the connection with a TCP RST and no response at all."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
