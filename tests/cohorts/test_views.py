"""Views of programmes, cohorts and the review queue: as the owner, as another ministry's
office (404), anonymously (login), as a participant (403), and their query budgets."""

from datetime import date

import pytest
from django.core import mail

from cohorts import figures
from cohorts.models import Cohort, CohortTransition, InterestRegistration, Programme
from pioneer.models import Role
from tests.access import assert_access
from tests.factories.cohorts import CohortFactory, InterestRegistrationFactory, ProgrammeFactory
from tests.factories.core import (
    OrganisationFactory,
    office_user,
    participant_user,
    partner_of,
    partner_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ministry = OrganisationFactory(name="Ministerium für Landwirtschaft")
    programme = ProgrammeFactory(organisation=ministry, name="pioneer4BB", slug="pioneer4bb")
    cohort = CohortFactory(programme=programme, state=Cohort.State.OPEN, interest_closes=None)
    registration = InterestRegistrationFactory(cohort=cohort)
    other_ministry = OrganisationFactory(name="Ministerium des Innern")
    other_programme = ProgrammeFactory(organisation=other_ministry, slug="other")
    return {
        "ministry": ministry,
        "programme": programme,
        "cohort": cohort,
        "registration": registration,
        "owner": office_user(org=ministry),
        "stranger": office_user(org=other_ministry),
        "other_programme": other_programme,
        "participant": participant_user(),
    }


def _urls(w):
    p, c, r = w["programme"], w["cohort"], w["registration"]
    return [
        ("get", "/programmes/new/"),
        ("get", f"/programmes/{p.slug}/"),
        ("get", f"/programmes/{p.slug}/edit/"),
        ("get", f"/programmes/{p.slug}/cohorts/new/"),
        ("get", f"/cohorts/{c.pk}/"),
        ("get", f"/cohorts/{c.pk}/edit/"),
        ("post", f"/cohorts/{c.pk}/stage/"),
        ("get", f"/registrations/{r.pk}/"),
        ("post", f"/registrations/{r.pk}/decide/"),
        ("post", f"/registrations/{r.pk}/notes/"),
    ]


SCOPED = [
    "/programmes/{p}/",
    "/programmes/{p}/edit/",
    "/programmes/{p}/cohorts/new/",
    "/cohorts/{c}/",
    "/cohorts/{c}/edit/",
    "/registrations/{r}/",
]
SCOPED_POSTS = [
    "/cohorts/{c}/stage/",
    "/registrations/{r}/decide/",
    "/registrations/{r}/notes/",
]


def _fill(url, w):
    return url.format(p=w["programme"].slug, c=w["cohort"].pk, r=w["registration"].pk)


@pytest.mark.parametrize("url", SCOPED)
def test_owner_sees_scoped_pages(client, world, url):
    client.force_login(world["owner"])
    assert client.get(_fill(url, world)).status_code == 200


@pytest.mark.parametrize("url", SCOPED)
def test_who_gets_what_on_the_offices_pages(world, url):
    """The shared rule (tests/access.py): owner 200, another ministry's office 404, a
    partner contact of another organisation 404 on a registration (partners have those
    pages) and 403 elsewhere, anonymous to the login, a participant 403."""
    assert_access(
        _fill(url, world),
        owner=world["owner"],
        stranger=world["stranger"],
        foreign_partner=partner_user(),
        foreign_partner_status=404 if url.startswith("/registrations/") else 403,
        wrong_role=world["participant"],
    )


@pytest.mark.parametrize("url", SCOPED)
def test_another_ministrys_office_gets_404(client, world, url):
    client.force_login(world["stranger"])
    assert client.get(_fill(url, world)).status_code == 404


@pytest.mark.parametrize("url", SCOPED_POSTS)
def test_another_ministrys_office_cannot_post(client, world, url):
    client.force_login(world["stranger"])
    response = client.post(_fill(url, world), {"to_state": "matching", "reason": "x", "text": "x"})
    assert response.status_code == 404
    registration = InterestRegistration.objects.get(pk=world["registration"].pk)
    assert registration.state == "confirmed"
    assert not registration.notes.exists()
    assert Cohort.objects.get(pk=world["cohort"].pk).state == "open"


def test_anonymous_goes_to_login(client, world):
    for method, url in _urls(world) + [("get", "/programmes/"), ("get", "/registrations/")]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/"), url


def test_participant_is_refused(client, world):
    client.force_login(world["participant"])
    for method, url in _urls(world) + [("get", "/programmes/"), ("get", "/registrations/")]:
        assert getattr(client, method)(url).status_code == 403, url


def test_partner_cannot_manage(client, world):
    client.force_login(partner_user())
    for url in ["/programmes/", "/programmes/new/", f"/cohorts/{world['cohort'].pk}/"]:
        assert client.get(url).status_code == 403


# --------------------------------------------------------------------------- programmes


def test_programme_list_shows_only_own(client, world):
    client.force_login(world["owner"])
    response = client.get("/programmes/")
    assert response.status_code == 200
    assert list(response.context["programmes"]) == [world["programme"]]


def test_programme_create(client, world):
    client.force_login(world["owner"])
    response = client.post(
        "/programmes/new/",
        {
            "name": "#digitaljourney",
            "slug": "digitaljourney",
            "description": "Lernreise",
            "format": "journey",
            "default_cohort_months": "6",
            "default_phase_months": "3",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    programme = Programme.objects.get(slug="digitaljourney")
    assert programme.organisation == world["ministry"]
    assert programme.format == "journey"


def test_programme_create_bad_input_saves_nothing(client, world):
    client.force_login(world["owner"])
    response = client.post(
        "/programmes/new/",
        {
            "name": "",
            "slug": "pioneer4bb",
            "format": "tandem",
            "default_cohort_months": "6",
            "default_phase_months": "9",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"name", "slug", "default_phase_months"} <= set(errors)
    assert Programme.objects.count() == 2


def test_programme_update_keeps_organiser(client, world):
    client.force_login(world["owner"])
    response = client.post(
        f"/programmes/{world['programme'].slug}/edit/",
        {
            "name": "pioneer4BB neu",
            "slug": "pioneer4bb",
            "format": "tandem",
            "default_cohort_months": "6",
            "default_phase_months": "3",
        },
    )
    assert response.status_code == 302
    programme = Programme.objects.get(pk=world["programme"].pk)
    assert programme.name == "pioneer4BB neu"
    assert programme.organisation == world["ministry"]
    assert programme.is_public is False


# ------------------------------------------------------------------------------ cohorts


def test_cohort_create_and_bad_dates(client, world):
    client.force_login(world["owner"])
    url = f"/programmes/{world['programme'].slug}/cohorts/new/"
    bad = client.post(
        url,
        {
            "title": "4. Durchgang",
            "slug": "d4",
            "start_date": "2030-06-01",
            "end_date": "2030-01-01",
            "planned_tandems": "8",
        },
    )
    assert bad.status_code == 400
    assert "end_date" in bad.context["form"].errors
    assert not Cohort.objects.filter(slug="d4").exists()
    good = client.post(
        url,
        {
            "title": "4. Durchgang",
            "slug": "d4",
            "start_date": "2030-01-01",
            "end_date": "2030-06-30",
            "planned_tandems": "8",
        },
    )
    assert good.status_code == 302
    cohort = Cohort.objects.get(slug="d4")
    assert (cohort.state, cohort.programme) == ("draft", world["programme"])


def test_cohort_transition_by_owner_is_recorded(client, world):
    client.force_login(world["owner"])
    cohort = world["cohort"]
    response = client.post(
        f"/cohorts/{cohort.pk}/stage/", {"to_state": "matching", "note": "", "confirmed": "1"}
    )
    assert response.status_code == 302
    assert Cohort.objects.get(pk=cohort.pk).state == "matching"
    transition = CohortTransition.objects.get(cohort=cohort)
    assert transition.by == world["owner"]
    page = client.get(f"/cohorts/{cohort.pk}/")
    assert world["owner"].name.encode() in page.content


def test_cohort_transition_refused_shows_why_and_changes_nothing(client, world):
    client.force_login(world["owner"])
    cohort = CohortFactory(
        programme=world["programme"], state=Cohort.State.MATCHING, start_date=None, end_date=None
    )
    response = client.post(f"/cohorts/{cohort.pk}/stage/", {"to_state": "running"})
    assert response.status_code == 400
    assert "pio-error-summary" in response.content.decode()
    assert Cohort.objects.get(pk=cohort.pk).state == "matching"
    assert not CohortTransition.objects.exists()


def test_cohort_update(client, world):
    client.force_login(world["owner"])
    cohort = world["cohort"]
    response = client.post(
        f"/cohorts/{cohort.pk}/edit/",
        {
            "title": "Neu",
            "slug": cohort.slug,
            "start_date": "2031-01-01",
            "end_date": "2031-06-30",
            "planned_tandems": "12",
        },
    )
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert (cohort.title, cohort.start_date, cohort.state) == ("Neu", date(2031, 1, 1), "open")


# --------------------------------------------------------------------------- review queue


def test_accept_invites_the_contact(client, world, django_capture_on_commit_callbacks):
    client.force_login(world["owner"])
    registration = world["registration"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/registrations/{registration.pk}/decide/",
            {"decision": "accept", "confirmed": "1", "choice": "new", "make_contact": "on"},
        )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == "accepted"
    assert registration.decided_by == world["owner"]
    assert Role.objects.filter(
        kind="partner",
        organisation=registration.organisation,
        user__email=registration.contact_email,
    ).exists()
    # The acceptance ("what happens next") and the invitation to set a password.
    assert [m.to for m in mail.outbox] == [[registration.contact_email]] * 2


def test_decline_without_reason_changes_nothing(client, world):
    client.force_login(world["owner"])
    registration = world["registration"]
    response = client.post(
        f"/registrations/{registration.pk}/decide/",
        {"decision": "decline", "confirmed": "1", "reason": ""},
    )
    assert response.status_code == 400
    assert "reason" in response.context["decision_form"].errors
    assert InterestRegistration.objects.get(pk=registration.pk).state == "confirmed"


def test_decline_with_reason(client, world, django_capture_on_commit_callbacks):
    client.force_login(world["owner"])
    registration = world["registration"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/registrations/{registration.pk}/decide/",
            {"decision": "decline", "confirmed": "1", "reason": "Keine Plätze"},
        )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.state, registration.decline_reason) == ("declined", "Keine Plätze")
    assert len(mail.outbox) == 1


def test_note_is_kept_and_shown_to_the_office_only(client, world):
    client.force_login(world["owner"])
    registration = world["registration"]
    assert client.post(f"/registrations/{registration.pk}/notes/", {"text": ""}).status_code == 400
    response = client.post(f"/registrations/{registration.pk}/notes/", {"text": "Rückruf Montag"})
    assert response.status_code == 302
    assert registration.notes.get().author == world["owner"]
    assert "Rückruf Montag" in client.get(f"/registrations/{registration.pk}/").content.decode()
    # The partner contact of the accepted organisation sees the registration, not the notes.
    from cohorts import services

    services.registration_accept(
        registration=registration, by=world["owner"], create=True, make_contact=False
    )
    registration.refresh_from_db()
    contact = partner_user(org=registration.organisation)
    client.force_login(contact)
    page = client.get(f"/registrations/{registration.pk}/")
    assert page.status_code == 200
    assert "Rückruf Montag" not in page.content.decode()
    assert client.post(f"/registrations/{registration.pk}/notes/", {"text": "x"}).status_code == 403


def test_partner_sees_only_own_registrations(client, world):
    own_org = partner_of(world["ministry"], name="Firma Eigen GmbH")
    own = InterestRegistrationFactory(
        cohort=world["cohort"], organisation=own_org, state="accepted"
    )
    client.force_login(partner_user(org=own_org))
    response = client.get("/registrations/")
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [own]
    assert client.get(f"/registrations/{world['registration'].pk}/").status_code == 404
    assert client.get(f"/registrations/{own.pk}/").status_code == 200


def test_queue_filters_and_search(client, world):
    client.force_login(world["owner"])
    cohort = world["cohort"]
    InterestRegistrationFactory(
        cohort=cohort,
        organisation_name="Gemeinwohl e. V.",
        organisation_kind="nonprofit",
        state="unconfirmed",
    )
    response = client.get("/registrations/", {"organisation_kind": "nonprofit"})
    assert [r.organisation_name for r in response.context["page"].object_list] == [
        "Gemeinwohl e. V."
    ]
    response = client.get("/registrations/", {"state": "confirmed", "cohort": cohort.pk})
    assert list(response.context["page"].object_list) == [world["registration"]]
    response = client.get("/registrations/", {"q": "gemeinwohl"})
    assert len(response.context["page"].object_list) == 1
    # Someone else's cohort is no valid choice: the filter is ignored, nothing leaks.
    foreign = CohortFactory(programme=world["other_programme"])
    InterestRegistrationFactory(cohort=foreign)
    response = client.get("/registrations/", {"cohort": foreign.pk})
    names = {r.cohort_id for r in response.context["page"].object_list}
    assert foreign.pk not in names


def test_stranger_queue_is_empty(client, world):
    client.force_login(world["stranger"])
    response = client.get("/registrations/")
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


# -------------------------------------------------------------------------- query budgets


def _rows(world, n):
    for _ in range(n):
        InterestRegistrationFactory(cohort=world["cohort"])
        CohortFactory(programme=world["programme"])


@pytest.mark.parametrize(
    "url",
    ["/registrations/", "/programmes/", "/programmes/pioneer4bb/", "/home/", "/cohorts/{c}/"],
)
def test_office_lists_keep_a_flat_query_count(client, world, url):
    client.force_login(world["owner"])
    url = _fill(url, world)
    client.get(url)  # warm up per-process caches (content types ...)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cohorts import figures

    # Counts kept under the change token of cohorts.figures: compared counted afresh (the
    # rows written replace the token) and kept (the next visit), at both sizes.
    figures.changed()
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as one_kept:
        assert client.get(url).status_code == 200
    _rows(world, 49)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as many_kept:
        assert client.get(url).status_code == 200
    assert len(one) <= 10
    assert len(many) == len(one)
    assert len(many_kept) == len(one_kept) <= len(one)


def test_partner_list_keeps_a_flat_query_count(client, world):
    org = partner_of(world["ministry"], name="Firma Viel GmbH")
    InterestRegistrationFactory(cohort=world["cohort"], organisation=org, state="accepted")
    client.force_login(partner_user(org=org))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/registrations/")
    figures.changed()  # the page read afresh (it is kept under the change token)
    with CaptureQueriesContext(connection) as one:
        client.get("/registrations/")
    for _ in range(49):
        cohort = CohortFactory(programme=world["programme"])
        InterestRegistrationFactory(cohort=cohort, organisation=org, state="accepted")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/registrations/")
    assert len(response.context["page"].object_list) == 25
    assert len(one) <= 10
    assert len(many) == len(one)


def test_public_pages_keep_a_flat_query_count(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in ["/", "/interest/"]:
        client.get(url)
        with CaptureQueriesContext(connection) as one:
            client.get(url)
        for n in range(10):
            CohortFactory(
                programme=world["programme"],
                state="open",
                interest_closes=None,
                slug=f"open-{url.strip('/')}-{n}",
            )
        # The landing's first visit after a change renders its sections anew
        # (pioneer.landing); the interest form has no cache: the same either way.
        with CaptureQueriesContext(connection) as renewed:
            client.get(url)
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(one) <= 10, url
        assert len(renewed) <= 10, url
        assert len(many) == len(one), url


def test_a_programme_lists_its_cohorts_newest_first_a_page_at_a_time(client, world):
    from cohorts.views.programmes import PAGE_SIZE

    programme = world["programme"]
    for day in range(1, PAGE_SIZE + 2):  # with the world's cohort: two pages
        CohortFactory(
            programme=programme,
            title=f"Durchgang {day:02d}",
            start_date=date(2030, 1, day),
            end_date=date(2030, 7, day),
        )
    InterestRegistrationFactory.create_batch(2, cohort=Cohort.objects.get(title="Durchgang 26"))
    client.force_login(world["owner"])
    client.cookies["django_language"] = "en"
    first = client.get(f"/programmes/{programme.slug}/")
    rows = list(first.context["cohorts"])
    assert len(rows) == PAGE_SIZE
    assert rows[0].title == "Durchgang 26" and rows[0].registration_count == 2
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(f"/programmes/{programme.slug}/?page=2")
    assert [c.pk for c in second.context["cohorts"]][-1] == world["cohort"].pk
