"""A fault-injecting HTTP proxy in front of moto: a fraction of PUTs and GETs fail.

A failing request gets S3's own 503 `SlowDown` or 500 `InternalError` XML (what AWS sends under
load), or its connection is dropped with no answer; everything else is forwarded unchanged.
"""

from __future__ import annotations

import http.client
import random
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

ERRORS = (
    (503, "SlowDown", "Please reduce your request rate."),
    (500, "InternalError", "We encountered an internal error. Please try again."),
)


class FlakyS3Proxy:
    """`FlakyS3Proxy(upstream, rate, seed).endpoint` fails `rate` of PUT/GET requests."""

    def __init__(self, upstream: str, rate: float, seed: int) -> None:
        self.rate = rate
        self.failed = 0
        self.enabled = True
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        target = urlsplit(upstream)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                fault = proxy.draw(self.command)
                if isinstance(fault, str):
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.close_connection = True
                    return
                if fault is not None:
                    status, code, message = fault
                    xml = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
                    self._reply(status, [("Content-Type", "application/xml")], xml.encode())
                    return
                upstream = http.client.HTTPConnection(
                    target.hostname or "127.0.0.1", target.port, timeout=60
                )
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                kept = [
                    (k, v)
                    for k, v in answer.getheaders()
                    if k.lower() not in ("transfer-encoding", "connection", "content-length")
                ]
                self._reply(answer.status, kept, data)
                upstream.close()

            def _reply(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"

    def draw(self, method: str) -> tuple[int, str, str] | str | None:
        """The fault for this request, if any (counted)."""
        with self._lock:
            if not self.enabled or method not in ("GET", "PUT") or self._rng.random() >= self.rate:
                return None
            self.failed += 1
            return "drop" if self._rng.random() < 0.2 else self._rng.choice(ERRORS)

    def __enter__(self) -> FlakyS3Proxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
