"""The landing page's sections are kept rendered in the cache (pioneer.landing): what a
section shows is on the page at the next request after it changes, in each language, and
the cached sections hold nothing of the visitor who filled them."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blueprints.models import Blueprint
from cohorts.models import Cohort
from tests.factories.blueprints import BlueprintFactory
from tests.factories.cohorts import CohortFactory
from tests.factories.core import participant_user

pytestmark = pytest.mark.django_db


def _open_cohort(**kwargs):
    return CohortFactory(
        state=Cohort.State.OPEN, interest_opens=None, interest_closes=None, **kwargs
    )


def _landing(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_second_visit_asks_no_app_for_its_sections(client):
    _open_cohort(title="Frühjahr")
    _landing(client)
    with CaptureQueriesContext(connection) as queries:
        html = _landing(client)
    assert "Frühjahr" in html
    assert len(queries) == 0


def test_a_cohort_opened_closed_or_renamed_shows_at_the_next_visit(client):
    assert "Herbst" not in _landing(client)
    cohort = _open_cohort(title="Herbst")
    assert "Herbst" in _landing(client)
    cohort.title = "Spätherbst"
    cohort.save()
    assert "Spätherbst" in _landing(client)
    cohort.state = Cohort.State.MATCHING
    cohort.save()
    assert "Spätherbst" not in _landing(client)


def test_a_renamed_programme_or_organisation_shows_at_the_next_visit(client):
    cohort = _open_cohort()
    _landing(client)
    programme = cohort.programme
    programme.name = "Programm Neu"
    programme.save()
    assert "Programm Neu" in _landing(client)
    organisation = programme.organisation
    organisation.name = "Ministerium Umbenannt"
    organisation.short_name = ""
    organisation.save()
    assert "Ministerium Umbenannt" in _landing(client)


def test_a_blueprint_published_or_deleted_shows_at_the_next_visit(client):
    _landing(client)
    blueprint = BlueprintFactory(title="Neue Methode", published_at=timezone.now())
    assert "Neue Methode" in _landing(client)
    blueprint.visibility = Blueprint.Visibility.SIGNED_IN
    blueprint.save()
    assert "Neue Methode" not in _landing(client)
    blueprint.visibility = Blueprint.Visibility.PUBLIC
    blueprint.save()
    assert "Neue Methode" in _landing(client)
    blueprint.delete()
    assert "Neue Methode" not in _landing(client)


def test_a_blueprint_published_for_later_is_not_shown_before(client):
    BlueprintFactory(title="Später", published_at=timezone.now() + timedelta(days=1))
    assert "Später" not in _landing(client)


def test_each_language_has_its_own_sections(client):
    _open_cohort()
    german = _landing(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _landing(client)
    assert "Offene Durchgänge" in german
    assert "Open cohorts" in english
    assert "Open cohorts" not in german


def test_the_sections_hold_nothing_of_the_visitor_who_filled_them(client):
    _open_cohort(title="Sommer")
    person = participant_user(name="Erika Beispiel")
    client.force_login(person)
    assert "Erika Beispiel" in _landing(client)  # in the header: signed in as ...
    client.logout()
    html = _landing(client)
    assert "Sommer" in html
    assert "Erika Beispiel" not in html


def test_the_token_is_replaced_again_after_the_commit(django_capture_on_commit_callbacks):
    """Sections rendered between a save and its commit (from the rows as they were) are
    cached under the first new token; the second, after the commit, leaves them behind."""
    from django.core.cache import cache

    from pioneer import landing

    cohort = _open_cohort()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cohort.save()
        during = cache.get(landing.TOKEN_KEY)
    assert callbacks
    for callback in callbacks:
        callback()
    assert cache.get(landing.TOKEN_KEY) not in (None, during)


class _CountingCache:
    """The cache, counting the round trips `pioneer.landing` makes to it."""

    def __init__(self, cache):
        self.cache, self.trips = cache, 0

    def __getattr__(self, name):
        method = getattr(self.cache, name)

        def counted(*args, **kwargs):
            self.trips += 1
            return method(*args, **kwargs)

        return counted


def test_kept_values_are_those_cached_keeps_read_in_two_round_trips(monkeypatch):
    from django.core.cache import cache

    from pioneer import landing

    def fail():
        raise AssertionError("kept: nothing to render")

    assert landing.cached("test:a", lambda: 0, "x") == 0  # falsy values are kept too
    assert landing.cached("test:b", lambda: ["b"], "y", 2) == ["b"]
    counting = _CountingCache(cache)
    monkeypatch.setattr(landing, "cache", counting)
    kept = landing.Kept(("test:a", "x"), ("test:b", "y", 2), ("test:c",))
    assert kept.cached("test:a", fail, "x") == 0
    assert kept.cached("test:b", fail, "y", 2) == ["b"]
    assert counting.trips == 2  # the token, then all three at once
    # Named but not kept yet: rendered and kept (one write), without reading it again.
    assert kept.cached("test:c", lambda: "c") == "c"
    assert counting.trips == 3
    # Not named: read as `cached` reads it (then made and kept).
    assert kept.cached("test:d", lambda: "d", "z") == "d"
    assert counting.trips == 5
    assert landing.Kept(("test:c",)).cached("test:c", fail) == "c"
    monkeypatch.undo()
    # A change of what the landing shows replaces the token: everything is made anew.
    landing.changed()
    assert landing.Kept(("test:a", "x")).cached("test:a", lambda: 5, "x") == 5
    assert landing.cached("test:a", fail, "x") == 5


def test_the_library_reads_what_it_keeps_in_few_round_trips(client, monkeypatch):
    from django.core.cache import cache

    from pioneer import landing
    from tests.factories.core import office_user

    BlueprintFactory(is_public=True, published_at=timezone.now() - timedelta(days=1))
    client.force_login(office_user())
    assert client.get("/blueprints/").status_code == 200  # fills the cache
    counting = _CountingCache(cache)
    monkeypatch.setattr(landing, "cache", counting)
    assert client.get("/blueprints/").status_code == 200
    # The token, then the tag choices, the count and the office's lists at once.
    assert counting.trips == 2
