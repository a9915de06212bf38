"""`make run`'s shape: SQLite, no Redis, DEBUG on. The suite runs on PostgreSQL, so SQL
that only PostgreSQL understands (arrays, md5, string_agg, ARRAY_AGG) would pass every
other test and still break the pages of the quickstart. Here a fresh SQLite database is
migrated and seeded with the demo world, and every key page of every role
(bench/pages.py, the benchmark's list) is asked for once: each must answer 200."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WALK = """
import django
django.setup()
from django.test import Client
from bench import pages
from pioneer.models import User

clients = {}
failures = []
for label, role, path in pages.pages(pages.ids()):
    if role not in clients:
        client = Client()
        if pages.ROLES[role]:
            client.force_login(User.objects.get(email=pages.ROLES[role]))
        clients[role] = client
    try:
        status = clients[role].get(path).status_code
    except Exception as error:  # noqa: BLE001 (reported with the page)
        status = f"{type(error).__name__}: {error}"
    print(f"{status} {role} {path}")
    if status != 200:
        failures.append(label)
raise SystemExit(1 if failures else 0)
"""


def _env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL")}
    env.update(
        DJANGO_SETTINGS_MODULE="pioneer.settings",
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        REDIS_URL="",
        ALLOWED_HOSTS="testserver",
        STATIC_MANIFEST="0",
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONPATH=str(ROOT),
    )
    return env


def _run(env, *args, timeout=300):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_every_key_page_answers_on_make_runs_sqlite(tmp_path):
    env = _env(tmp_path)
    for step in (["manage.py", "migrate", "--no-input"], ["manage.py", "seed_demo"]):
        done = _run(env, *step)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    walk = _run(env, "-c", WALK)
    answers = walk.stdout.splitlines()
    assert walk.returncode == 0, "\n".join(
        [line for line in answers if not line.startswith("200 ")] + [walk.stderr[-4000:]]
    )
    assert len([line for line in answers if line.startswith("200 ")]) >= 50
