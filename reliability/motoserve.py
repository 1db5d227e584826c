"""moto's S3 server as a process: `python -m reliability.motoserve` prints `moto <url>`.

S3 evaluates `If-None-Match`/`If-Match` and writes atomically; moto 5.2.5 checks the condition
and then writes without a lock, so two racing conditional writes could both succeed. One lock
around its PutObject handler makes the fake as atomic as the real service (the test fixture
`tests/fixtures/s3.py` does the same in-process).
"""

from __future__ import annotations

import functools
import signal
import threading
from typing import Any


def main() -> None:
    from moto.s3.responses import S3Response
    from moto.server import ThreadedMotoServer

    lock = threading.Lock()
    original = S3Response.put_object

    @functools.wraps(original)
    def put_object(self: Any) -> Any:
        with lock:
            return original(self)

    S3Response.put_object = put_object  # type: ignore[method-assign]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(f"moto http://{host}:{port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
