"""The load client of `make bench`: closed-loop clients on threads, each request on a new
connection, as gunicorn's sync workers want it (they close every connection anyway).

A client that keeps connections alive, or that reuses a pool, measures its own reconnects
against sync workers; this one pays one TCP connect per request, exactly like a browser
behind a proxy that does not pool. The client is checked on the floor page first (bench/run.py):
a p95 many times the p50 on a trivial page means it measures itself.

The threads mostly wait on sockets (the GIL is released there), so ten of them cost the
machine little next to the two server workers.
"""

import http.client
import itertools
import math
import threading
import time
from dataclasses import asdict, dataclass


@dataclass
class Stats:
    concurrency: int
    requests: int
    errors: int  # answers other than 200, and failed connections
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    queries: int | None  # X-Query-Count of the last answer (pioneer.bench middleware)
    bytes: int
    status: int | None

    def as_dict(self):
        return asdict(self)


def percentile(sorted_values, share):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


_clients = itertools.count(1)


def _client_address():
    """A different client address for every request (10.0.0.1, 10.0.0.2, ...), sent as the
    reverse proxy would: the public pages' rate limits (30 certificate checks a minute per
    address) count many visitors, as in production, not the one bench client."""
    n = next(_clients) % (1 << 24)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def fetch(host, port, path, headers, timeout=60):
    """One GET on a fresh connection: (seconds, status, query count, body length)."""
    headers = {**headers, "X-Forwarded-For": _client_address()}
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        count = response.getheader("X-Query-Count")
        return elapsed, response.status, int(count) if count else None, len(body)
    finally:
        connection.close()


def measure(
    host,
    port,
    path,
    *,
    cookie="",
    concurrency=1,
    seconds=2.0,
    min_requests=20,
    max_seconds=20.0,
):
    """Run `concurrency` clients in a closed loop until `seconds` have passed and at least
    `min_requests` answers are in (or `max_seconds` at the most)."""
    headers = {"Host": host, "Connection": "close", "Accept": "text/html"}
    if cookie:
        headers["Cookie"] = cookie
    samples = []
    lock = threading.Lock()
    started = time.perf_counter()
    soft_end, hard_end = started + seconds, started + max_seconds

    def client():
        while True:
            now = time.perf_counter()
            if now >= hard_end or (now >= soft_end and len(samples) >= min_requests):
                return
            try:
                sample = fetch(host, port, path, headers)
            except OSError:
                sample = (time.perf_counter() - now, None, None, 0)
            with lock:
                samples.append(sample)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(s[0] for s in samples)
    last = samples[-1] if samples else (0, None, None, 0)
    return Stats(
        concurrency=concurrency,
        requests=len(samples),
        errors=sum(1 for s in samples if s[1] != 200),
        seconds=round(elapsed, 3),
        rps=round(len(samples) / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(percentile(latencies, 0.50) * 1000, 2),
        p95_ms=round(percentile(latencies, 0.95) * 1000, 2),
        max_ms=round(latencies[-1] * 1000, 2) if latencies else float("nan"),
        queries=last[2],
        bytes=last[3],
        status=last[1],
    )


def first_byte(host, port, path, *, cookie="", timeout=300):
    """A download's time to its first body byte and to its end, and its size."""
    headers = {"Host": host, "Connection": "close"}
    if cookie:
        headers["Cookie"] = cookie
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        first = response.read(1)
        ttfb = time.perf_counter() - started
        size = len(first)
        while chunk := response.read(65536):
            size += len(chunk)
        total = time.perf_counter() - started
        return {
            "status": response.status,
            "content_type": response.getheader("Content-Type", ""),
            "first_byte_s": round(ttfb, 3),
            "total_s": round(total, 3),
            "bytes": size,
            "queries": response.getheader("X-Query-Count"),
        }
    finally:
        connection.close()
