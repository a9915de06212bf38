"""The long lists write their rows in Python (`pioneer.row_html`, `cohorts.views.rows`,
`companion.rows`) rather than through templates, so nothing escapes a value by itself
there. Every text a person or an organisation can enter is markup here; each list must
show it as text and never as markup."""

import pytest
from django.conf import settings

from cohorts.models import Cohort
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
    ParticipationFactory(
        cohort=cohort,
        user=UserFactory(name=_mark("Ben")),
        organisation=partner,
        side="external",
    )
    for state in ("confirmed", "unconfirmed", "accepted"):
        InterestRegistrationFactory(
            cohort=cohort,
            state=state,
            organisation_name=_mark(f"Firma {state}"),
            contact_name=_mark("Kontakt"),
        )
    event = EventFactory(cohort=cohort, title=_mark("Werkstatt"))
    register(event, person)
    NotificationFactory(recipient=office)
    client.force_login(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return {"cohort": cohort, "programme": programme, "event": event}


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
        f"/programmes/{lists['programme'].slug}/",
        "/organisations/",
        "/notifications/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert(1)" not in html and "<script>x<" not in html, url
        assert '<b onmouseover="x">' not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
