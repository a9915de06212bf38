"""The companion pages keep their queries flat from 1 to 50 rows (tests/queries.py):
the planner (list and month), the attendance list, the event page, a participant's
events and home, a partner contact's people's registrations, the cohort's overview."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from companion.models import EventRegistration
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.companion import EventFactory, participant_in
from tests.factories.core import office_user, partner_of, partner_user
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory(programme=ProgrammeFactory())


def _events(cohort, **fields):
    def make(count):
        for _ in range(count):
            event = EventFactory(cohort=cohort, capacity=1, **fields)
            # A place taken and one waiting, so the counts have something to count.
            for state, position in (("registered", None), ("waiting", 1)):
                EventRegistration.objects.create(
                    event=event,
                    participation=participant_in(cohort),
                    state=state,
                    waiting_position=position,
                )

    return make


def test_planner_list_and_month(client, cohort):
    client.force_login(office_user(cohort.programme.organisation))
    url = reverse("companion:planner", kwargs={"cohort_pk": cohort.pk})
    assert_flat_queries(client, url, _events(cohort))
    month = timezone.localtime(timezone.now() + timedelta(days=14)).strftime("%Y-%m")
    assert_flat_queries(client, f"{url}?view=month&month={month}", _events(cohort))
    assert_flat_queries(client, f"{url}?show=waiting", _events(cohort))


def test_cohort_overview_with_events(client, cohort):
    client.force_login(office_user(cohort.programme.organisation))
    url = reverse("cohorts:cohort_detail", kwargs={"pk": cohort.pk})
    assert_flat_queries(client, url, _events(cohort))


def test_attendance_list_and_event_page(client, cohort):
    client.force_login(office_user(cohort.programme.organisation))
    event = EventFactory(cohort=cohort)

    def people(count):
        for _ in range(count):
            EventRegistration.objects.create(event=event, participation=participant_in(cohort))

    assert_flat_queries(client, reverse("companion:attendance", kwargs={"pk": event.pk}), people)
    assert_flat_queries(client, reverse("companion:event_detail", kwargs={"pk": event.pk}), people)


def test_attendance_list_with_many_people_who_could_still_be_added(client, cohort):
    """The form's choice of the cohort's people not yet registered names each person
    without reading their cohort and programme again (it did: two queries a person)."""
    client.force_login(office_user(cohort.programme.organisation))
    event = EventFactory(cohort=cohort)

    def addable(count):
        for _ in range(count):
            participant_in(cohort)

    assert_flat_queries(client, reverse("companion:attendance", kwargs={"pk": event.pk}), addable)


def test_participant_events_and_home(client, cohort):
    anna = participant_in(cohort)
    client.force_login(anna.user)
    make = _events(cohort)
    assert_flat_queries(client, reverse("companion:my_events"), make)
    assert_flat_queries(client, reverse("home"), make)


def test_partner_registrations(client, cohort):
    company = partner_of(cohort.programme.organisation)
    client.force_login(partner_user(company))
    event = EventFactory(cohort=cohort)

    def people(count):
        for _ in range(count):
            person = participant_in(cohort)
            person.organisation = company
            person.save()
            EventRegistration.objects.create(event=event, participation=person)

    assert_flat_queries(client, reverse("companion:partner_registrations"), people)
    assert_flat_queries(client, reverse("home"), people)


def test_certificates_tab_and_own_certificates(client, cohort):
    from cohorts.models import Cohort
    from companion.models import Certificate

    Cohort.objects.filter(pk=cohort.pk).update(state=Cohort.State.EVALUATION)
    client.force_login(office_user(cohort.programme.organisation))
    url = reverse("companion:certificates", kwargs={"cohort_pk": cohort.pk})

    def people(count):
        for _ in range(count):
            person = participant_in(cohort)
            Certificate.objects.create(
                participation=person, code=f"C{person.pk:019d}", holder_name="X", language="de"
            )

    assert_flat_queries(client, url, people)
    anna = participant_in(cohort)
    client.force_login(anna.user)

    def own(count):
        from companion.models import Certificate

        for n in range(count):
            other = CohortFactory(programme=cohort.programme)
            mine = participant_in(other)
            mine.user = anna.user
            mine.save()
            Certificate.objects.create(
                participation=mine, code=f"D{mine.pk:019d}{n}"[:20], holder_name="A", language="de"
            )

    assert_flat_queries(client, reverse("companion:my_certificates"), own)


def test_partner_registrations_show_a_page_at_a_time(client, cohort):
    from companion.views import PARTNER_PAGE_SIZE

    company = partner_of(cohort.programme.organisation)
    client.force_login(partner_user(company))
    event = EventFactory(cohort=cohort)
    for _ in range(PARTNER_PAGE_SIZE + 3):
        person = participant_in(cohort)
        person.organisation = company
        person.save()
        EventRegistration.objects.create(event=event, participation=person)
    url = reverse("companion:partner_registrations")
    rows = '<tr class="kern-table__row">'
    html = client.get(url).content.decode()
    assert html.count(rows) == 1 + PARTNER_PAGE_SIZE  # the header and one page
    assert "Next page" in html or "Nächste Seite" in html
    assert client.get(url, {"page": 2}).content.decode().count(rows) == 1 + 3
