"""The long lists write their rows in Python (`pioneer.row_html`, `cohorts.views.rows`,
`companion.rows`) rather than through templates, so nothing escapes a value by itself
there. Every text a person or an organisation can enter is markup here; each list must
show it as text and never as markup."""

import pytest
from django.conf import settings

from cohorts.models import Cohort
from pioneer.access import SYSTEM
from tandems.services import tandem_create
from tests.factories.cohorts import (
    CohortFactory,
    InterestRegistrationFactory,
    ParticipationFactory,
    ProgrammeFactory,
)
from tests.factories.companion import EventFactory, register
from tests.factories.core import (
    NotificationFactory,
    OrganisationFactory,
    UserFactory,
    office_user,
    partner_of,
    partner_user,
)

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert(1)</script><b onmouseover="x">'
SHORT = "<script>x</script>"  # for the short names (40 characters at most)


def _mark(label):
    return f"{label}{MARKUP}"


@pytest.fixture
def lists(client):
    ministry = OrganisationFactory(name=_mark("Ministerium"), short_name=f"M{SHORT}")
    office = office_user(org=ministry, name=_mark("Büro"))
    programme = ProgrammeFactory(organisation=ministry, name=_mark("Programm"))
    cohort = CohortFactory(
        programme=programme, state=Cohort.State.RUNNING, title=_mark("Durchgang")
    )
    partner = partner_of(ministry, name=_mark("Partner GmbH"), short_name=f"P{SHORT}")
    person = ParticipationFactory(
        cohort=cohort,
        user=UserFactory(name=_mark("Anna"), password=False),
        position=_mark("Referentin"),
    )
    ben = ParticipationFactory(
        cohort=cohort,
        user=UserFactory(name=_mark("Ben")),
        organisation=partner,
        side="external",
    )
    tandem = tandem_create(first=person, second=ben, by=SYSTEM, topic=_mark("Thema"))
    tandem.phases.update(host_contact_name=_mark("Gastgeberin"))
    # Two people without a tandem, for the matching page's suggestions.
    ParticipationFactory(cohort=cohort, user=UserFactory(name=_mark("Clara")), topics="Energie")
    ParticipationFactory(
        cohort=cohort,
        user=UserFactory(name=_mark("David")),
        organisation=partner,
        side="external",
        topics="Energie",
    )
    for state in ("confirmed", "unconfirmed", "accepted"):
        InterestRegistrationFactory(
            cohort=cohort,
            state=state,
            organisation_name=_mark(f"Firma {state}"),
            contact_name=_mark("Kontakt"),
        )
    # The partner's own, which its contact's list shows.
    InterestRegistrationFactory(
        cohort=cohort,
        state="declined",
        organisation=partner,
        organisation_name=_mark("Partner-Anmeldung"),
    )
    event = EventFactory(cohort=cohort, title=_mark("Werkstatt"))
    register(event, person)
    register(event, ben)
    NotificationFactory(recipient=office)
    client.force_login(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return {"cohort": cohort, "programme": programme, "event": event, "partner": partner}


def _month(event):
    from django.utils import timezone

    return timezone.localtime(event.starts_at).strftime("%Y-%m")


def test_no_list_writes_an_entered_text_as_markup(client, lists):
    cohort = lists["cohort"]
    urls = [
        # The overview's figures (organisations by name among them) are written in Python.
        f"/cohorts/{cohort.pk}/",
        f"/cohorts/{cohort.pk}/participants/",
        f"/cohorts/{cohort.pk}/registrations/",
        "/registrations/",
        f"/cohorts/{cohort.pk}/certificates/",
        f"/events/{lists['event'].pk}/attendance/",
        f"/cohorts/{cohort.pk}/events/",
        # The month's weeks are written in Python too (companion.rows.month_rows).
        f"/cohorts/{cohort.pk}/events/?view=month&month={_month(lists['event'])}",
        f"/programmes/{lists['programme'].slug}/",
        "/organisations/",
        "/notifications/",
        f"/cohorts/{cohort.pk}/tandems/",
        f"/cohorts/{cohort.pk}/matching/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert(1)" not in html and "<script>x<" not in html, url
        assert '<b onmouseover="x">' not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_the_partners_lists_write_no_entered_text_as_markup(client, lists):
    client.force_login(partner_user(org=lists["partner"]))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (
        "/home/",
        "/events/partner/",
        "/partner/people/",
        "/partner/offices/",
        "/registrations/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert(1)" not in html and "<script>x<" not in html, url
        assert '<b onmouseover="x">' not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "&lt;script&gt;" in html, url
    assert "Partner-Anmeldung&lt;script&gt;" in html


def test_the_evaluators_lists_write_no_entered_text_as_markup(client, lists):
    from evaluation.models import EvaluatorAssignment
    from tests.factories.core import evaluator_user
    from tests.factories.evaluation import SurveyFactory

    evaluator = evaluator_user()
    EvaluatorAssignment.objects.create(cohort=lists["cohort"], user=evaluator)
    SurveyFactory(cohort=lists["cohort"], title=_mark("Befragung"))
    client.force_login(evaluator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in ("/home/", "/evaluation/cohorts/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert(1)" not in html and "<script>x<" not in html, url
        assert '<b onmouseover="x">' not in html, url
        for name in ("Befragung", "Durchgang", "Programm"):
            assert f"{name}&lt;script&gt;alert(1)&lt;/script&gt;" in html, (url, name)


def test_a_registrations_notes_and_similar_organisations_write_no_entered_text_as_markup(
    client, lists
):
    """A registration's page writes its notes and its organisations with a similar name
    (with their partner contacts) in Python (cohorts.views.rows)."""
    from cohorts.models import RegistrationNote

    registration = InterestRegistrationFactory(
        cohort=lists["cohort"], state="confirmed", organisation_name=_mark("Partner GmbH")
    )
    partner_user(org=lists["partner"], name=_mark("Kontaktperson"))
    RegistrationNote.objects.create(
        registration=registration, author=UserFactory(name=_mark("Autorin")), text=_mark("Notiz")
    )
    response = client.get(f"/registrations/{registration.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)" not in html and "<script>x<" not in html
    assert '<b onmouseover="x">' not in html
    for name in ("Notiz", "Autorin", "Kontaktperson", "Partner GmbH"):
        assert f"{name}&lt;script&gt;alert(1)&lt;/script&gt;" in html, name
    assert len(response.context["candidates"]) == 1


def test_the_participants_home_writes_no_entered_text_as_markup(client, lists):
    from cohorts.models import Participation

    person = Participation.objects.get(cohort=lists["cohort"], user__name__startswith="Anna")
    client.force_login(person.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # The home's next events, cohorts and tandem; My tandem's phases (written in Python).
    for url, names in (
        ("/home/", ("Werkstatt", "Durchgang", "Programm")),
        ("/tandem/", ("Anna", "Ben", "Gastgeberin", "Durchgang", "Programm")),
    ):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert(1)" not in html and "<script>x<" not in html, url
        assert '<b onmouseover="x">' not in html, url
        for name in names:
            assert f"{name}&lt;script&gt;alert(1)&lt;/script&gt;" in html, (url, name)
