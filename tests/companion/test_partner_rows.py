"""A partner contact's people's event registrations, read by one written query
(`companion.selectors.partner_registration_rows`), give the rows and the number the ORM's
`partner_registrations` gives, page by page; the page reads them in one query."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts import figures
from cohorts.models import Participation
from companion import selectors
from companion.models import Event, EventRegistration
from companion.views import PARTNER_PAGE_SIZE
from pioneer.paging import CountedRows
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.companion import EventFactory, participant_in
from tests.factories.core import OrganisationFactory, partner_of, partner_user

pytestmark = pytest.mark.django_db


def as_row(r):
    """What the written query gives of a registration of the ORM's list."""
    return selectors.PartnerRegistrationRow(
        r.pk,
        r.state,
        r.attendance,
        r.event.title,
        r.event.state,
        r.event.starts_at,
        r.event.ends_at,
        r.event.cohort.title,
        r.participation.user.name,
        r.participation.user.email,
        r.participation.organisation.name,
    )


def person(cohort, organisation, **user_fields):
    people = participant_in(cohort, **user_fields)
    Participation.objects.filter(pk=people.pk).update(organisation=organisation)
    people.refresh_from_db()
    return people


@pytest.fixture
def world():
    """A partner linked by one office, its people in two of that office's cohorts and in
    a cohort of an office that did not link it; others' people at the same events; every
    state of a registration; events at the same moment, one cancelled; names alike."""
    programme = ProgrammeFactory()
    company = partner_of(programme.organisation, name="Partner & Co")
    other = OrganisationFactory(name="Andere GmbH")
    cohorts = [CohortFactory(programme=programme) for _ in range(2)]
    unlinked = CohortFactory(programme=ProgrammeFactory())
    now = timezone.now().replace(microsecond=0)
    events = []
    for cohort in (*cohorts, unlinked):
        for days in (3, 3, -2, 10):
            events.append(
                EventFactory(
                    cohort=cohort,
                    starts_at=now + timedelta(days=days),
                    ends_at=now + timedelta(days=days, hours=2),
                )
            )
    Event.objects.filter(pk=events[1].pk).update(state=Event.State.CANCELLED)
    # Over a week, begun before the others: the coming ones' walk starts at its start.
    EventFactory(
        cohort=cohorts[0], starts_at=now - timedelta(days=6), ends_at=now + timedelta(days=2)
    )
    states = ["registered", "waiting", "cancelled", "registered"]
    for n, cohort in enumerate((*cohorts, unlinked)):
        people = [person(cohort, company, name=name) for name in ("Zoe", "Anna", "Anna", "")]
        people.append(person(cohort, other, name="Fremd"))
        for event in Event.objects.filter(cohort=cohort):
            for index, who in enumerate(people):
                state = states[(index + n) % len(states)]
                EventRegistration.objects.create(
                    event=event,
                    participation=who,
                    state=state,
                    waiting_position=1 if state == "waiting" else None,
                    attendance="attended" if index == 0 else "not_recorded",
                )
    return partner_user(company), company


def test_the_written_rows_are_the_orms_page_by_page(world):
    user, _company = world
    ordered = list(selectors.partner_registrations(user))
    assert len(ordered) > 12  # several pages of 5
    for offset in range(0, len(ordered) + 5, 5):
        rows, total = selectors.partner_registration_rows(user, offset, 5)
        assert rows == [as_row(r) for r in ordered[offset : offset + 5]]
        assert total == (len(ordered) if rows else None)
    # Aware dates, as the ORM gives them (SQLite answers without a zone).
    first, _total = selectors.partner_registration_rows(user, 0, 5)
    assert all(timezone.is_aware(row.starts_at) and timezone.is_aware(row.ends_at) for row in first)


def test_the_written_rows_follow_the_links_and_the_roles(world):
    user, company = world
    from pioneer.models import PartnerLink

    PartnerLink.objects.filter(partner=company).delete()
    assert selectors.partner_registration_rows(user, 0, 25) == ([], None)
    assert selectors.partner_registration_rows(partner_user(), 0, 25) == ([], None)
    from tests.factories.core import UserFactory

    assert selectors.partner_registration_rows(UserFactory(), 0, 25) == ([], None)


def test_counted_rows_give_what_the_paginator_gave():
    """`CountedRows` under `Paginator.get_page` gives the pages a list gave, for every
    number a visitor might send; one read for a page that exists."""
    from django.core.paginator import Paginator

    items = list(range(53))
    reads = []

    def fetch(offset, limit):
        reads.append((offset, limit))
        rows = items[offset : offset + limit]
        return rows, (len(items) if rows else None)

    def count():
        reads.append("count")
        return len(items)

    for number in (None, "1", "2", "3", "4", "0", "-1", "x", "2.0", "99", 3):
        reads.clear()
        expected = Paginator(items, 25).get_page(number)
        page = Paginator(CountedRows(fetch, count, number, 25), 25).get_page(number)
        assert list(page.object_list) == list(expected.object_list), number
        assert (page.number, page.paginator.num_pages) == (expected.number, 3)
        if number in (None, "1", "2", "3", "x", "2.0", 3):
            assert len(reads) == 1, (number, reads)
    empty = Paginator(CountedRows(lambda o, limit: ([], None), lambda: 0, "1", 25), 25)
    assert list(empty.get_page("1").object_list) == []
    assert empty.count == 0


def test_the_page_reads_its_rows_and_their_number_at_once(client, world):
    user, _company = world
    client.force_login(user)
    url = reverse("companion:partner_registrations")
    client.get(url)
    figures.changed()  # the page read afresh (it is kept under the change token)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    listed = [
        q["sql"] for q in queries.captured_queries if "companion_eventregistration" in q["sql"]
    ]
    assert len(listed) == 1, listed


def test_a_page_past_the_last_shows_the_last(client, world):
    user, _company = world
    client.force_login(user)
    total = selectors.partner_registrations(user).count()
    assert total > PARTNER_PAGE_SIZE  # two pages
    url = reverse("companion:partner_registrations")
    rows = '<tr class="kern-table__row">'
    for number in (7, 2):
        html = client.get(url, {"page": number}).content.decode()
        assert html.count(rows) == 1 + total - PARTNER_PAGE_SIZE, number


@pytest.mark.parametrize("limit", [1, 3, 10, 100])
def test_the_homes_coming_registrations_are_the_orms(world, limit):
    user, _company = world
    now = timezone.now()
    for since in (now - timedelta(days=30), now - timedelta(days=1), now + timedelta(days=5)):
        expected = [
            selectors.PartnerComingRow(
                r.state,
                r.event.title,
                r.event.starts_at,
                r.participation.user.name,
                r.participation.user.email,
            )
            for r in selectors.partner_registrations_since(user, since)[:limit]
        ]
        assert selectors.partner_registrations_since_rows(user, since, limit) == expected
    assert expected  # the last has some, the first more than the last
    assert selectors.partner_registrations_since_rows(partner_user(), now, limit) == []


@pytest.mark.parametrize("limit", [1, 4, 11, 100])
def test_the_homes_people_are_the_orms(world, limit):
    from cohorts import selectors as cohort_selectors
    from cohorts.models import Cohort

    user, _company = world
    # Cohorts starting on one day, one without a date (first, as PostgreSQL sorts it).
    Cohort.objects.update(start_date=date(2000, 1, 3))
    Cohort.objects.filter(pk=Cohort.objects.order_by("pk").last().pk).update(start_date=None)
    expected = [
        cohort_selectors.PartnerPersonRow(
            p.user.name,
            p.user.email,
            p.organisation.short_name,
            p.organisation.name,
            p.cohort.title,
            p.side,
            p.state,
        )
        for p in cohort_selectors.partner_people_brief(user)[:limit]
    ]
    assert len(expected) == min(limit, 8)  # four people in each of the two linked cohorts
    assert cohort_selectors.partner_people_brief_rows(user, limit) == expected
    assert cohort_selectors.partner_people_brief_rows(partner_user(), limit) == []
