"""The programme list's table and a programme's page of cohorts kept rendered (under
cohorts.figures' change token, by pioneer.fragments): the pages as rendered without
keeping them (the reference), for any page number and in German and English, with names
that need escaping; and a change of what they show on the next visit."""

import re
from datetime import date

import pytest

from cohorts.views import programmes
from pioneer.models import Organisation
from tests.factories.cohorts import CohortFactory, InterestRegistrationFactory, ProgrammeFactory
from tests.factories.core import OrganisationFactory, office_user
from tests.pages import page_html, unkept_html

pytestmark = pytest.mark.django_db

MARKUP = "<&\"'"
ASKED = [
    "",
    "?page=1",
    "?page=2",
    "?page=3",
    "?page=0",
    "?page=-1",
    "?page=99",
    "?page=abc",
    "?page=2&sort=x",
    "?page=" + "9" * 30,
]


@pytest.fixture
def office(client, monkeypatch):
    monkeypatch.setattr(programmes, "PAGE_SIZE", 3)
    ministry = OrganisationFactory(kind=Organisation.Kind.MINISTRY, name=f"Ministerium {MARKUP}")
    programme = ProgrammeFactory(organisation=ministry, name=f"Programm {MARKUP}", slug="prog")
    ProgrammeFactory(organisation=ministry, name="Zweites")
    ProgrammeFactory(name="Fremd")  # another office's
    cohorts = [
        CohortFactory(
            programme=programme,
            title=f"Durchgang {n} {MARKUP}",
            start_date=date(2024, 1 + n, 1),
            end_date=date(2024, 1 + n, 20),
        )
        for n in range(7)
    ]
    InterestRegistrationFactory.create_batch(2, cohort=cohorts[-1])
    client.force_login(office_user(ministry))
    return {"programme": programme, "cohorts": cohorts}


_page = page_html


_unkept = unkept_html


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_kept_pages_are_the_pages_rendered(client, office, monkeypatch, language):
    paths = ["/programmes/"] + [f"/programmes/prog/{asked}" for asked in ASKED]
    with monkeypatch.context() as patch:
        patch.setattr(programmes.fragments, "cached_html", _unkept)
        expected = {path: _page(client, path, language) for path in paths}
    for _visit in range(2):  # rendered and kept, then as kept
        for path in paths:
            assert _page(client, path, language) == expected[path], path
    assert "Programm &lt;&amp;&quot;&#x27;" in expected["/programmes/"]
    assert "Fremd" not in expected["/programmes/"]
    assert "Durchgang 6 &lt;&amp;&quot;&#x27;" in expected["/programmes/prog/"]
    # The pagination keeps what else was asked.
    assert "sort=x" in expected["/programmes/prog/?page=2&sort=x"]


def test_the_pages_show_each_change_on_the_next_visit(client, office):
    programme, cohorts = office["programme"], office["cohorts"]
    assert "Programm" in _page(client, "/programmes/")
    programme.name = "Umbenannt <i>"
    programme.save()
    html = _page(client, "/programmes/")
    assert "Umbenannt &lt;i&gt;" in html
    assert _cohort_count(html, "Umbenannt &lt;i&gt;") == "7"
    CohortFactory(
        programme=programme, title="Neu", start_date=date(2025, 1, 1), end_date=date(2025, 2, 1)
    )
    assert _cohort_count(_page(client, "/programmes/"), "Umbenannt &lt;i&gt;") == "8"
    html = _page(client, "/programmes/prog/")
    assert "Neu" in html and "Durchgang 6" in html and "Durchgang 4" not in html
    assert _registrations(html, "Durchgang 6") == "2"
    InterestRegistrationFactory(cohort=cohorts[-1])
    assert _registrations(_page(client, "/programmes/prog/"), "Durchgang 6") == "3"
    cohorts[-1].title = "Anders"
    cohorts[-1].save()
    assert "Anders" in _page(client, "/programmes/prog/")
    english = _page(client, "/programmes/prog/", "en")
    assert "Cohorts of" in english and "Cohorts of" not in _page(client, "/programmes/prog/")


def _cohort_count(html, name):
    row = html[html.index(name) :]
    return re.search(r"kern-table__cell--numeric\">(\d+)<", row).group(1)


def _registrations(html, title):
    return _cohort_count(html, title)
