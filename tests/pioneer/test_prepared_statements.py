"""On PostgreSQL the server binds the parameters and keeps a statement that runs often
prepared, so the queries every page repeats are planned once per connection."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from pioneer.models import Organisation
from tests.factories.core import OrganisationFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _options_with(**environ):
    """The database OPTIONS the settings make of these variables (in a fresh process)."""
    code = (
        "import json; from pioneer import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_PREPARED_STATEMENTS"}
    env.update(DJANGO_DEBUG="0", **environ)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_on_for_postgresql_off_by_switch_and_never_for_sqlite():
    on = _options_with(DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert on["server_side_binding"] is True
    assert on["prepare_threshold"] == 5
    off = _options_with(
        DATABASE_URL="postgres://u@127.0.0.1:5432/x", DATABASE_PREPARED_STATEMENTS="0"
    )
    assert "server_side_binding" not in off
    assert "prepare_threshold" not in _options_with(DATABASE_URL="sqlite:////tmp/x.sqlite3")


def test_a_query_run_often_is_prepared_and_still_answers_for_each_id():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    first, second = OrganisationFactory(name="Erste"), OrganisationFactory(name="Zweite")

    def name_of(pk):
        return Organisation.objects.filter(pk=pk).values_list("name", flat=True).get()

    answers = [name_of(pk) for pk in [first.pk, second.pk] * 4]
    assert answers == ["Erste", "Zweite"] * 4
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND statement LIKE %s",
            ['%"pioneer_organisation"."name"%', "%$1%"],
        )
        (prepared,) = cursor.fetchone()
    assert prepared == 1
