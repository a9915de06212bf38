"""A quick measurement of one page in-process, for finding what a page does before and after
a change (not a benchmark: no server, one client, no concurrency).

    DATABASE_URL=... python -m bench.quick office /cohorts/12/ [--runs 20] [--explain]
    DATABASE_URL=... python -m bench.quick all   # every page of bench/pages.py, one line each

Prints the page's SQL queries, the median and best time of `--runs` requests through the
whole middleware stack (Django's test client), and the time spent in SQL. With --explain,
EXPLAIN ANALYZE of each query of the last request, slowest first; with --profile, where the
Python time goes (cProfile over the runs: own time and cumulative time, the top functions).
Roles are bench/pages.py's.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role")
    parser.add_argument("path", nargs="?")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--profile", type=int, nargs="?", const=25, default=0, metavar="TOP")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pioneer.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("HTTPS", "0")
    os.environ.setdefault("REQUIRE_STAFF_MFA", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ.setdefault("SECRET_KEY", "bench-quick-" + "x" * 40)
    import django

    django.setup()

    from bench import pages

    if args.role == "all":
        for label, role, path in pages.pages(pages.ids()):
            measure(role, path, args.runs, label=label)
        return
    if args.profile:
        profile(args.role, args.path, args.runs, args.profile)
        return
    measure(args.role, args.path, args.runs, explain=args.explain)


def _client(role):
    from django.test import Client

    from bench.pages import ROLES
    from pioneer.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    if ROLES[role]:
        client.force_login(User.objects.get(email=ROLES[role]))
    return client


def profile(role, path, runs, top):
    import cProfile
    import pstats

    client = _client(role)
    for _ in range(2):  # warm the caches first
        client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        response = client.get(path)
        b"".join(response) if response.streaming else response.content
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    for key in ("tottime", "cumulative"):
        print(f"--- {role} {path}: {runs} requests, sorted by {key}")
        stats.sort_stats(key).print_stats(top)


def measure(role, path, runs, *, label=None, explain=False):
    from django.db import connection

    client = _client(role)
    queries = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql, params))

    times, sql_times = [], []
    status = None
    for _ in range(runs + 2):
        queries.clear()
        started = time.perf_counter()
        with connection.execute_wrapper(record):
            response = client.get(path)
            body = b"".join(response) if response.streaming else response.content
        times.append(time.perf_counter() - started)
        sql_times.append(sum(q[0] for q in queries))
        status = response.status_code
    times, sql_times = times[2:], sql_times[2:]  # the first two warm caches
    if label:
        print(
            f"{label[:28]:<28} {role:<11} {len(queries):>3} q "
            f"{statistics.median(times) * 1000:7.1f} ms  "
            f"SQL {statistics.median(sql_times) * 1000:6.1f} ms  {status}"
        )
        return
    print(
        f"{role} {path}: status {status}, {len(queries)} queries, "
        f"median {statistics.median(times) * 1000:.1f} ms (best {min(times) * 1000:.1f}), "
        f"SQL {statistics.median(sql_times) * 1000:.1f} ms, {len(body)} bytes"
    )
    for seconds, sql, _params in sorted(queries, reverse=True):
        print(f"  {seconds * 1000:7.2f} ms  {sql[:160]}")
    if explain:
        with connection.cursor() as cursor:
            for _seconds, sql, params in sorted(queries, reverse=True):
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN ANALYZE " + sql, params)
                print("\n" + sql[:300])
                print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
