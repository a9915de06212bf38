"""`make bench`: the app as in production, measured over the N = 1 and the N = 50 world.

For each scale: a fresh PostgreSQL database (pioneer_bench unless BENCH_DATABASE_URL says
otherwise; only a database whose name starts with "pioneer_bench" is ever dropped), migrate,
`seed_demo --scale N`, then gunicorn with the project's gunicorn.conf.py (2 sync workers,
DEBUG off, Redis cache, PIONEER_BENCH=1 for the query counter and the floor page) on a free
port of 127.0.0.1. Each demo role is signed in by a session made on the server side. Then:

- the floor page and every key page (bench/pages.py), at 1 and at 10 concurrent clients:
  requests per second, p50 and p95 (bench/load.py), and SQL queries per request;
- the exports of the largest cohort over HTTP (first byte, end);
- gunicorn stops; the jobs run one per process (bench/jobs.py): exports, dispatch of the
  due notifications (10,000 at N = 50), and at the largest scale the import of 1,000 people
  (after the dispatch, so that its time is its own and its 1,000 invitations').

Writes bench/results.json, bench/results.md and bench/p95.png, and prints the table.
Requests go to 127.0.0.1 only. Options: --scales 1,50; --quick (short measurements, for
trying the tool); BENCH_SECONDS multiplies the measuring time.
"""

import argparse
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench"
HOST = "127.0.0.1"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/pioneer_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
CACHE_PREFIX = "pioneer-bench"

sys.path.insert(0, str(ROOT))

from bench import load, report  # noqa: E402
from bench import pages as key_pages  # noqa: E402


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def bench_env():
    """The environment of every process of the run: production settings, minus HTTPS and
    the second factor (no proxy, no authenticator app here), plus the bench switch."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "pioneer.settings",
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB),
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS),
            "CACHE_KEY_PREFIX": CACHE_PREFIX,
            # No broker: nothing a page does queues a task; the jobs run their tasks inline.
            "CELERY_BROKER_URL": "",
            "DJANGO_DEBUG": "0",
            "HTTPS": "0",
            "ALLOWED_HOSTS": HOST,
            "REQUIRE_STAFF_MFA": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "STATIC_MANIFEST": "0",
            "PIONEER_BENCH": "1",
            "EMAIL_URL": "dummymail://",
            "LOG_LEVEL": "WARNING",
            "WEB_CONCURRENCY": "2",
            # The load client speaks as a reverse proxy would (bench/load.py): one address
            # per request in X-Forwarded-For, so rate limits count visitors, not the client.
            "TRUSTED_PROXY_COUNT": "1",
        }
    )
    return env


# ------------------------------------------------------------------------ database, redis


def recreate_database(url):
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    if not name.startswith("pioneer_bench"):
        raise SystemExit(f"Refusing to drop {name!r}: the bench only drops pioneer_bench*.")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def analyse(url):
    """Planner statistics and the visibility map for the rows just bulk-inserted, as a live
    database has them (autovacuum would otherwise gather them in the middle of the
    measurements; without the visibility map an index-only scan still reads every row)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def forget_cache(url):
    """Our own keys only (the run's key prefix), in our own Redis database."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{CACHE_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)


def manage(env, *args, timeout=900):
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return time.monotonic() - started, result.stdout


# --------------------------------------------------------------------------------- server


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the project's gunicorn.conf.py, bound to a free port of 127.0.0.1.

    Worker recycling (max_requests) is off for the run: a worker restarting in the middle
    of one page's measurement would show as that page's p95."""

    def __init__(self, env, logfile):
        self.env, self.logfile = env, logfile
        self.port = free_port()
        self.process = None

    def __enter__(self):
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            "2",
            "--max-requests",
            "0",
            "pioneer.wsgi:application",
        ]
        self.log = open(self.logfile, "a")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn ended at start; see {self.logfile}")
            try:
                if load.fetch(HOST, self.port, "/__bench__/floor/", {"Host": HOST})[1] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not answer within a minute; see {self.logfile}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()

    def __exit__(self, *exc):
        self.stop()


# ------------------------------------------------------------------------------- sessions


def django_ready():
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def session_cookie(email):
    """A signed-in session made on the server side (as the test client's force_login)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from pioneer.models import User

    user = User.objects.get(email=email)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "pioneer.auth.Backend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


# -------------------------------------------------------------------------------- measure


def run_job(env, name, timeout=900):
    log(f"  job {name} ...")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bench.jobs", name],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"took longer than {timeout} s"}
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": (result.stderr or result.stdout)[-500:]}
    outcome = json.loads(lines[-1])
    log(f"  job {name}: {outcome}")
    return outcome


def measure_scale(n, env, timing, *, largest):
    from django.db import connections

    connections.close_all()
    recreate_database(env["DATABASE_URL"])
    forget_cache(env["REDIS_URL"])
    log(f"N={n}: migrate")
    manage(env, "migrate", "--no-input")
    log(f"N={n}: seed_demo --scale {n}")
    seed_seconds, output = manage(env, "seed_demo", "--scale", str(n))
    scale_line = next((line for line in output.splitlines() if line.startswith("Scale")), "")
    analyse(env["DATABASE_URL"])
    log(f"  {scale_line}")
    django_ready()
    ids = key_pages.ids()
    cookies = {
        role: session_cookie(email) if email else "" for role, email in key_pages.ROLES.items()
    }
    result = {"n": n, "seed_seconds": round(seed_seconds, 1), "world": scale_line, "pages": []}
    logfile = OUT / f"gunicorn-n{n}.log"
    logfile.unlink(missing_ok=True)
    with Server(env, logfile) as server:
        port = server.port

        def page(path, cookie, label):
            for _ in range(3):  # warm: templates, the roles' cache, the connection
                load.fetch(HOST, port, path, {"Host": HOST, "Cookie": cookie})
            one = load.measure(HOST, port, path, cookie=cookie, concurrency=1, **timing[1])
            ten = load.measure(HOST, port, path, cookie=cookie, concurrency=10, **timing[10])
            log(
                f"  {label:<34} q={one.queries!s:>3} p50@1={one.p50_ms:7.1f} "
                f"p95@10={ten.p95_ms:7.1f} rps@10={ten.rps:6.1f} status={one.status}"
            )
            return {"c1": one.as_dict(), "c10": ten.as_dict()}

        floor = "/__bench__/floor/"
        result["floor_start"] = page(floor, "", "floor (start)")
        one = result["floor_start"]["c1"]
        spread = one["p95_ms"] / one["p50_ms"] if one["p50_ms"] else float("inf")
        # A trivial page whose p95 is many times its p50 at one client: the client (or a
        # busy machine) is what is being measured. Say so beside the figures.
        result["client_check"] = {"floor_p95_over_p50": round(spread, 2), "ok": spread < 30}
        if spread >= 30:
            log(f"  WARNING: the floor's p95 is {spread:.0f}× its p50; figures are unreliable")
        # The same floor page signed in (the office): what a session, the user with their
        # roles and the navigation add to every signed-in page. Reported beside the floor;
        # the targets stay the floor's.
        result["floor_signed_in"] = page(floor, cookies["office"], "floor, signed in (office)")
        for label, role, path in key_pages.pages(ids):
            measured = page(path, cookies[role], f"{label} [{role}]")
            result["pages"].append({"label": label, "role": role, "path": path, **measured})
        result["floor_end"] = page(floor, "", "floor (end)")
        result["downloads"] = []
        for label, role, path in key_pages.exports(ids):
            download = load.first_byte(HOST, port, path, cookie=cookies[role])
            log(f"  {label}: {download}")
            result["downloads"].append({"label": label, "path": path, **download})
    connections.close_all()
    # The matching: 200 × 200 in memory, and the big cohort's own (which grows with N).
    names = (
        "export_csv",
        "export_xlsx",
        "matching",
        "handbook",
        "survey_csv",
        "survey_xlsx",
        "survey_pdf",
        "certificates",
    )
    result["jobs"] = {name: run_job(env, name) for name in names}
    # After the pages and exports: it changes the world (every due notification is sent).
    result["jobs"]["dispatch"] = run_job(env, "dispatch")
    # The import does not depend on the world's size (a new cohort): once, at the largest.
    # After the dispatch: the dispatcher run its invitations queue sends whatever is due,
    # and the import's time is to be the import's and its own 1,000 invitations'.
    if largest:
        result["jobs"]["import"] = run_job(env, "import")
    return result


def versions():
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("django", "gunicorn", "psycopg", "matplotlib"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def git_commit():
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default=os.environ.get("BENCH_SCALES", "1,50"))
    parser.add_argument("--quick", action="store_true", help="short measurements")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    factor = float(os.environ.get("BENCH_SECONDS", "1"))
    if args.quick:
        factor *= 0.3
    timing = {
        1: {"seconds": 1.5 * factor, "min_requests": 15, "max_seconds": 12},
        10: {"seconds": 2.5 * factor, "min_requests": 40, "max_seconds": 20},
    }
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    env = bench_env()
    os.environ.update(env)
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    started = time.monotonic()
    results = {
        "meta": {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": git_commit(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_start": [round(x, 2) for x in os.getloadavg()],
            "versions": versions(),
            "server": "gunicorn -c gunicorn.conf.py, 2 sync workers, max_requests off",
            "client": "bench/load.py: closed-loop threads, one new connection per request",
            "timing": timing,
        },
        "scales": {},
    }
    for n in scales:
        results["scales"][str(n)] = measure_scale(n, env, timing, largest=n == max(scales))
    results["meta"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["meta"]["run_seconds"] = round(time.monotonic() - started, 1)
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    table = report.markdown(results)
    (out / "results.md").write_text(table)
    chart = report.chart(results, out / "p95.png")
    print()
    print(table)
    log(f"wrote {out / 'results.json'}, {out / 'results.md'}" + (f", {chart}" if chart else ""))
    log(f"whole run: {results['meta']['run_seconds']} s")


if __name__ == "__main__":
    main()
