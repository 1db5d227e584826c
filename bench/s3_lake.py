"""The DuckDB transform on an `s3://` lake (moto's server on loopback) vs the same Bronze locally.

    python -m bench.s3_lake [--trades 200000] [--reps 3] [--work DIR]

prints the records as JSON lines; `bench.run` calls `records(...)` as its `s3` part.

moto runs as its own process (`python -m moto.server`), so the S3 server does not share the
transform's interpreter. The Bronze of `bench.lakes` is uploaded once; then each round runs a
full `coinlake.app.transform.transform` (Silver and Gold, DuckDB) on a fresh local clone and on a
fresh S3 prefix, one after the other (interleaved, so a busy machine slows both alike). The
figures: trades/s on each, the S3/local time ratio per round, and the S3 requests one run makes
(counted from moto's request log, by HTTP method).

moto keeps objects in memory and answers from one Python process: real S3 has more latency per
request and far more parallel bandwidth, so this measures coinlake's own overhead on S3 (the
request pattern, the uploads of staged files, server-side moves), not what S3 in a region costs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from bench import lakes
from bench.report import Record, record
from coinlake.config import Settings

BUCKET = "coinlake-bench"
# werkzeug wraps the request line of some statuses (204, 206, 404) in ANSI colour codes
_REQUEST = re.compile(r'"(?:\x1b\[[0-9;]*m)*(GET|PUT|POST|HEAD|DELETE) (\S+) HTTP/1\.1')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server(log: Path) -> Iterator[str]:
    """moto's S3 server in a child process on loopback, its request log in `log`; its URL."""
    port = _free_port()
    with log.open("w") as sink:
        child = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or child.poll() is not None:
                        raise RuntimeError(f"moto server did not start (see {log})") from None
                    time.sleep(0.2)
            yield url
        finally:
            child.terminate()
            child.wait(timeout=30)


def requests_in(log: Path, start: int) -> tuple[Counter[str], int]:
    """Requests logged after byte `start` of `log`, by kind (LIST is a GET on the bucket)."""
    with log.open("rb") as handle:
        handle.seek(start)
        text = handle.read().decode("utf-8", "replace")
        end = handle.tell()
    kinds: Counter[str] = Counter()
    for method, path in _REQUEST.findall(text):
        listing = method == "GET" and "list-type=2" in path
        kinds["LIST" if listing else method] += 1
    return kinds, end


def _settings(lake: str, endpoint: str | None = None) -> Settings:
    return Settings(lake=lake, s3_endpoint_url=endpoint, aws_region="us-east-1")


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def records(work: Path, trades: int, reps: int, log: Callable[[str], None] = print) -> list[Record]:
    """Interleaved local and S3 transforms of the same Bronze; the part's records."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        os.environ.setdefault(name, value)
    from coinlake.app.lake import open_lake
    from coinlake.app.transform import transform
    from coinlake.storage.base import put_folder

    source, counts = lakes.bronze(work, trades)
    rows = counts["rows"]
    server_log = work / "s3-moto.log"
    local_s: list[float] = []
    s3_s: list[float] = []
    per_run: Counter[str] = Counter()
    with moto_server(server_log) as endpoint:
        urllib.request.urlopen(  # moto accepts an unsigned CreateBucket
            urllib.request.Request(f"{endpoint}/{BUCKET}", method="PUT"), timeout=30
        ).close()
        for round_no in range(reps):
            lake = lakes.clone(source, work / "lake-s3-local")
            log(f"s3 round {round_no + 1}: local folder")
            local_s.append(_timed(partial(transform, _settings(str(lake)))))
            shutil.rmtree(lake, ignore_errors=True)
            on_s3 = _settings(f"s3://{BUCKET}/round-{round_no}", endpoint)
            log(f"s3 round {round_no + 1}: uploading {counts['objects']:,} objects (not timed)")
            put_folder(open_lake(on_s3), source / "bronze", "bronze", workers=16)
            log(f"s3 round {round_no + 1}: {on_s3.lake}")
            _, mark = requests_in(server_log, 0)
            s3_s.append(_timed(partial(transform, on_s3)))
            kinds, _ = requests_in(server_log, mark)
            per_run = kinds
            log(f"  local {local_s[-1]:.2f} s, s3 {s3_s[-1]:.2f} s, requests {dict(kinds)}")
    note = f"{counts['objects']:,} Bronze objects, Silver + Gold, full transform"
    requests = ", ".join(f"{kind} {n:,}" for kind, n in sorted(per_run.items()))
    return [
        record(
            f"s3 lake: local folder throughput ({rows:,} trades)",
            [rows / s for s in local_s],
            "trades/s",
            None,
            note,
        ),
        record(
            f"s3 lake: s3:// on moto throughput ({rows:,} trades)",
            [rows / s for s in s3_s],
            "trades/s",
            None,
            note,
        ),
        record(
            "s3 lake: s3:// time / local time",
            [s / local for s, local in zip(s3_s, local_s, strict=True)],
            "x",
            None,
            "per round, interleaved",
        ),
        record(
            "s3 lake: S3 requests per full transform",
            float(sum(per_run.values())),
            "requests",
            None,
            requests,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=200_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/coinlake-bench"))
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    for item in records(args.work, args.trades, args.reps, log=lambda m: print(m, file=sys.stderr)):
        print(json.dumps(item))
    return 0


if __name__ == "__main__":
    sys.exit(main())
