"""Latency and throughput of the main pages and API reads against a running HaloBuzz.

Usage (with `make run` serving in another terminal):

    .venv/bin/python bench/http_pages.py --base-url http://127.0.0.1:8000 \
        --requests 300 --concurrency 4

It only talks to loopback addresses, sends a bounded number of requests and stops by
itself. Figures go into docs/benchmarks.md with the machine and the command.
"""

import argparse
import http.client
import ipaddress
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

PATHS = [
    "/",
    "/leaderboards/",
    "/@aasha_sings/",
    "/api/v1/users/aasha_sings/",
    "/api/v1/users/aasha_sings/followers/",
    "/healthz",
    "/readyz",
]
MAX_REQUESTS = 5000
REQUEST_TIMEOUT_SECONDS = 10


def ensure_loopback(host: str) -> None:
    address = ipaddress.ip_address(socket.gethostbyname(host))
    if not address.is_loopback:
        raise SystemExit(f"refusing to load {host} ({address}): only loopback targets")


def measure_path(base_url: str, path: str, requests: int, concurrency: int) -> dict:
    parts = urlsplit(base_url)
    per_thread = threading.local()

    def one_request(_index: int) -> tuple[float, int]:
        if not hasattr(per_thread, "connection"):
            per_thread.connection = http.client.HTTPConnection(
                parts.hostname, parts.port or 80, timeout=REQUEST_TIMEOUT_SECONDS
            )
        started = time.perf_counter()
        per_thread.connection.request("GET", path, headers={"Accept-Language": "en"})
        response = per_thread.connection.getresponse()
        response.read()
        return time.perf_counter() - started, response.status

    # Warm up (templates, translations, connections) before timing.
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one_request, range(concurrency * 2)))
        wall_started = time.perf_counter()
        results = list(pool.map(one_request, range(requests)))
        wall_seconds = time.perf_counter() - wall_started

    latencies_ms = sorted(seconds * 1000 for seconds, _status in results)
    statuses = sorted({status for _seconds, status in results})
    return {
        "path": path,
        "statuses": statuses,
        "p50": statistics.median(latencies_ms),
        "p95": latencies_ms[int(len(latencies_ms) * 0.95) - 1],
        "max": latencies_ms[-1],
        "rps": requests / wall_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    requests = min(args.requests, MAX_REQUESTS)
    ensure_loopback(urlsplit(args.base_url).hostname)

    print(f"{requests} requests per path, {args.concurrency} concurrent, {args.base_url}")
    print("| path | status | p50 ms | p95 ms | max ms | requests/s |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for path in PATHS:
        row = measure_path(args.base_url, path, requests, args.concurrency)
        statuses = ",".join(str(status) for status in row["statuses"])
        print(
            f"| `{row['path']}` | {statuses} | {row['p50']:.1f} | {row['p95']:.1f} "
            f"| {row['max']:.1f} | {row['rps']:.0f} |"
        )


if __name__ == "__main__":
    main()
