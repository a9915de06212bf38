"""The one cohort page: its tabs (overview, participants, registrations, and those other
apps add), who may see them, the old dashboard's redirect, the status words and step
indicator, and the next step from what is actually missing."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from cohorts import hooks
from cohorts.models import Cohort, Participation
from cohorts.selectors import missing_step, stages, status_label
from tests.access import assert_access
from tests.factories.cohorts import (
    CohortFactory,
    InterestRegistrationFactory,
    ParticipationFactory,
)
from tests.factories.core import office_user, participant_user, partner_user
from tests.hooks import connected

pytestmark = pytest.mark.django_db

TABS = ("cohort_detail", "participation_list", "cohort_registrations")


def _tab_url(name, cohort):
    key = "pk" if name == "cohort_detail" else "cohort_pk"
    return reverse(f"cohorts:{name}", kwargs={key: cohort.pk})


@pytest.fixture(autouse=True)
def english(client):
    """The texts below are the English sources; German is checked on its own."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def cohort():
    return CohortFactory(state=Cohort.State.OPEN)


@pytest.fixture
def office(cohort):
    return office_user(cohort.programme.organisation)


def _current_tab(body):
    found = re.findall(r'<a class="pio-tabs__link[^"]*" href="([^"]+)" aria-current="page"', body)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("name", TABS)
def test_each_tab_is_its_own_page_for_the_owner_only(name, cohort, office):
    assert_access(
        _tab_url(name, cohort),
        owner=office,
        stranger=office_user(),
        foreign_partner=partner_user(),
        foreign_partner_status=403,
        wrong_role=participant_user(),
    )


@pytest.mark.parametrize("name", TABS)
def test_every_tab_shares_the_header_and_marks_itself(client, name, cohort, office):
    client.force_login(office)
    body = client.get(_tab_url(name, cohort)).content.decode()
    assert _current_tab(body) == _tab_url(name, cohort)
    for other in TABS:
        assert f'href="{_tab_url(other, cohort)}"' in body
    assert body.count("<h1") == 1
    assert cohort.title in body
    # One breadcrumb trail: Programmes › programme › cohort › tab.
    crumbs = body[body.index("pio-breadcrumbs") : body.index("pio-cohort-header")]
    assert reverse("cohorts:programme_list") in crumbs
    assert reverse("cohorts:programme_detail", args=[cohort.programme.slug]) in crumbs


def test_other_apps_add_tabs_through_the_hook(client, cohort, office):
    def extra_tab(cohort, request):
        return [hooks.Tab("extra", "Extra", url=f"/extra-of/{cohort.pk}/", order=25)]

    client.force_login(office)
    with connected(hooks.cohort_tabs, extra_tab):
        body = client.get(_tab_url("participation_list", cohort)).content.decode()
    labels = re.findall(r'class="pio-tabs__link[^"]*" href="[^"]+"[^>]*>([^<]+)</a>', body)
    # The hook's tab takes its place by its order; the apps' own tabs follow.
    assert labels[:4] == ["Overview", "Participants", "Extra", "Registrations of interest"]
    assert {"Tandems", "Matching", "Events", "Surveys"} <= set(labels[4:])


def test_the_registrations_tab_lists_only_this_cohorts_registrations(client, cohort, office):
    mine = InterestRegistrationFactory(cohort=cohort, organisation_name="Eigene Behörde")
    InterestRegistrationFactory(
        cohort=CohortFactory(programme=cohort.programme), organisation_name="Andere Behörde"
    )
    client.force_login(office)
    body = client.get(_tab_url("cohort_registrations", cohort)).content.decode()
    assert reverse("cohorts:registration_detail", args=[mine.pk]) in body
    assert "Eigene Behörde" in body
    assert "Andere Behörde" not in body


def test_the_old_dashboard_redirects_permanently_to_the_overview(client, cohort, office):
    client.force_login(office)
    response = client.get(reverse("cohorts:cohort_dashboard", kwargs={"cohort_pk": cohort.pk}))
    assert response.status_code == 301
    assert response.url == _tab_url("cohort_detail", cohort)
    client.force_login(office_user())
    old = reverse("cohorts:cohort_dashboard", kwargs={"cohort_pk": cohort.pk})
    assert client.get(old).status_code == 404


def test_the_step_indicator_marks_the_current_status_and_those_done(client):
    cohort = CohortFactory(state=Cohort.State.RUNNING)
    client.force_login(office_user(cohort.programme.organisation))
    body = client.get(_tab_url("cohort_detail", cohort)).content.decode()
    start = body.index('<ol class="pio-steps">')
    steps = body[start : body.index("</ol>", start)]
    assert steps.count('aria-current="step"') == 1
    current = steps[steps.index('aria-current="step"') :]
    assert current.split("</li>")[0].count("Running") == 1
    assert steps.count("(done)") == 3  # draft, open, matching
    assert "Status" in body


def test_a_journey_programme_shows_no_tandem_words(client):
    cohort = CohortFactory(programme__format="journey", state=Cohort.State.MATCHING)
    ParticipationFactory(cohort=cohort)
    office = office_user(cohort.programme.organisation)
    client.force_login(office)
    labels = [s.label for s in stages(cohort)]
    assert "Matching" not in labels
    assert labels[2] == status_label(cohort.programme, Cohort.State.MATCHING)
    for name in TABS:
        body = client.get(_tab_url(name, cohort)).content.decode()
        steps = body[body.find("pio-steps") :]
        assert "tandem" not in steps.split("</section>")[0].lower()
        assert "Matching" not in body.split("pio-cohort-header")[1].split("</nav>")[0]
        main = body[body.index("<main") : body.index("</main>")]
        assert "tandem" not in main.lower()
    for state in Cohort.State:
        cohort.state = state
        assert "tandem" not in missing_step(cohort, participant_count=3).lower()


def test_the_status_is_called_the_same_in_german(client):
    cohort = CohortFactory(programme__format="tandem", state=Cohort.State.MATCHING)
    client.force_login(office_user(cohort.programme.organisation))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    body = client.get(_tab_url("cohort_detail", cohort)).content
    body = body.decode()
    assert 'lang="de"' in body
    assert "Matching" not in body
    # "Phase" is kept for the hospitation phases: only the tandems' figure says it.
    assert "Phase" not in body.replace("In Phase 1", "").replace("In Phase 2", "")
    assert body.count("Tandembildung") >= 2  # the header's badge and the step indicator


@pytest.mark.parametrize(
    ("fields", "people", "expected"),
    [
        ({"state": "draft", "start_date": None}, 0, "Set the dates"),
        ({"state": "draft", "interest_opens": None}, 0, "Set the interest window"),
        ({"state": "draft"}, 0, "Open the cohort for interest"),
        ({"state": "open", "interest_closes": None}, 0, "Set the interest window"),
        ({"state": "open"}, 0, "Review the registrations of interest"),
        ({"state": "matching"}, 0, "Add the people"),
        ({"state": "running"}, 0, "Add the people"),
        ({"state": "running", "end_date": None}, 2, "Set the dates"),
        ({"state": "running"}, 2, "Follow the tandems"),
        ({"state": "evaluation"}, 0, "Send the surveys"),
    ],
)
def test_the_next_step_is_the_first_missing_thing(fields, people, expected):
    cohort = CohortFactory(**fields)
    for _ in range(people):
        ParticipationFactory(cohort=cohort)
    ParticipationFactory(
        cohort=cohort, state=Participation.State.WITHDRAWN, withdrawn_reason="krank"
    )
    assert missing_step(cohort).startswith(expected)
    assert missing_step(cohort, participant_count=people).startswith(expected)


def test_the_overview_shows_the_missing_thing(client):
    cohort = CohortFactory(state=Cohort.State.OPEN, interest_opens=None)
    client.force_login(office_user(cohort.programme.organisation))
    body = client.get(_tab_url("cohort_detail", cohort)).content.decode()
    assert "Set the interest window" in body


def test_changing_the_status_says_status(client):
    cohort = CohortFactory(
        state=Cohort.State.DRAFT,
        interest_opens=date(2031, 1, 1),
        interest_closes=date(2031, 2, 28),
        start_date=date(2031, 4, 1),
        end_date=date(2031, 9, 30),
    )
    client.force_login(office_user(cohort.programme.organisation))
    response = client.post(
        reverse("cohorts:cohort_transition", args=[cohort.pk]),
        {"to_state": "open", "note": "", "confirmed": "1"},
        follow=True,
    )
    body = response.content.decode()
    assert response.redirect_chain, body[body.find("kern-alert") :][:600]
    assert "status is now “Open for interest”" in body
    # The address /cohorts/<id>/stage/ stays (bookmarks, forms); no text says "stage".
    assert "stage" not in body.lower().replace("/stage/", "")
