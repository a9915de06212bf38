"""The public interest form's empty fields are kept rendered with the landing page's
sections (pioneer.landing): the same as rendering them anew, current at the next visit
after a cohort, programme or organisation changes, and never filled from a visitor's input."""

import re
from datetime import date, timedelta

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cohorts import selectors
from cohorts.forms import InterestForm
from cohorts.models import Cohort
from pioneer import landing
from pioneer.models import Organisation
from tests.factories.cohorts import CohortFactory
from tests.factories.core import OrganisationFactory
from tests.pages import without_csrf

pytestmark = pytest.mark.django_db

URL = "/interest/"


def _open(title, **kwargs):
    return CohortFactory(
        state=Cohort.State.OPEN,
        title=title,
        start_date=date.today() + timedelta(days=100),
        end_date=date.today() + timedelta(days=280),
        interest_opens=None,
        interest_closes=None,
        **kwargs,
    )


def _form(response):
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<form method="post"')
    return html[start : html.index("</form>", start)]


def _fields(html):
    """The form without its per-visit CSRF token."""
    return without_csrf(html)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_kept_fields_are_those_rendered_anew(client, language):
    first = _open("Frühling")
    _open("Sommer")
    OrganisationFactory(kind=Organisation.Kind.MINISTRY, name="Ministerium für Muster")
    client.cookies["django_language"] = language
    for query in ("", f"?cohort={first.pk}"):
        html = _form(client.get(URL + query))
        with translation.override(language):
            initial = {"cohort": first.pk} if query else {}
            form = InterestForm(None, cohorts=selectors.open_cohorts(), initial=initial)
            fresh = str(as_crispy_form(form))
        assert fresh in html
        assert "Ministerium für Muster" in fresh


def test_the_second_visit_reads_nothing_from_the_database(client):
    _open("Frühling")
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        html = _form(client.get(URL))
    assert "Frühling" in html
    assert len(queries) == 0


def test_a_change_shows_at_the_next_visit(client):
    assert "Herbst" not in client.get(URL).content.decode()
    cohort = _open("Herbst")
    assert "Herbst" in _form(client.get(URL))
    cohort.programme.name = "Programm Neu"
    cohort.programme.save()
    assert "Programm Neu" in _form(client.get(URL))
    OrganisationFactory(kind=Organisation.Kind.MINISTRY, name="Neues Ministerium")
    assert "Neues Ministerium" in _form(client.get(URL))
    cohort.state = Cohort.State.MATCHING
    cohort.save()
    html = client.get(URL).content.decode()
    assert "Herbst" not in html
    assert "kein Durchgang für Interessensbekundungen geöffnet" in html
    assert '<form method="post"' not in html


def test_a_preselected_cohort_is_checked_and_any_other_id_adds_no_variant(client, monkeypatch):
    cohort = _open("Frühling")
    other = _open("Sommer")
    kept = []
    set_ = landing.cache.set
    monkeypatch.setattr(
        landing.cache, "set", lambda key, *a, **k: kept.append(key) or set_(key, *a, **k)
    )
    html = _form(client.get(f"{URL}?cohort={other.pk}"))
    checked = re.findall(r'<input type="radio"[^>]*name="cohort"[^>]*>', html)
    assert [tag for tag in checked if "checked" in tag] == [
        tag for tag in checked if f'value="{other.pk}"' in tag
    ]
    client.get(URL)
    variants = {key for key in kept if key.startswith("interest:form")}
    assert len(variants) == 2
    for query in ("?cohort=999999", "?cohort=abc", f"?cohort={cohort.pk + other.pk + 10}"):
        html = _form(client.get(URL + query))
        assert "checked" not in "".join(
            re.findall(r'<input type="radio"[^>]*name="cohort"[^>]*>', html)
        )
    assert {key for key in kept if key.startswith("interest:form")} == variants


def test_the_kept_fields_hold_nothing_of_a_visitor(client):
    _open("Frühling")
    client.post(URL, {"organisation_name": "Geheime GmbH", "contact_email": "x@geheim.example"})
    html = _fields(_form(client.get(URL)))
    assert "Geheime GmbH" not in html and "geheim.example" not in html
