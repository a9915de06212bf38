"""What the companion app adds to the cohorts app's and the core's pages through their
signals: the figures, attention items and dates of the cohort overview, the copy of the
event plan into the next cohort, the navigation."""

from datetime import date, timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone, translation

from cohorts import selectors as cohort_selectors
from cohorts import services as cohort_services
from companion.models import Event, EventRegistration
from pioneer.access import SYSTEM
from pioneer.context_processors import navigation
from tests.factories.cohorts import CohortFactory
from tests.factories.companion import EventFactory, SeriesFactory, participant_in, register
from tests.factories.core import partner_user

pytestmark = pytest.mark.django_db


def test_overview_figures_attention_and_dates():
    cohort = CohortFactory()
    now = timezone.now()
    full = EventFactory(cohort=cohort, capacity=1)
    register(full, participant_in(cohort))
    register(full, participant_in(cohort))  # waiting
    past = EventFactory(cohort=cohort, starts_at=now - timedelta(days=3))
    past.ends_at = past.starts_at + timedelta(hours=2)
    past.save()
    EventRegistration.objects.create(event=past, participation=participant_in(cohort))
    EventFactory(cohort=cohort, state=Event.State.CANCELLED)
    with translation.override("en"):
        dashboard = cohort_selectors.cohort_dashboard(cohort, today=timezone.localdate())
    figures = {f.key: {r.label: r.count for r in f.rows} for f in dashboard["figures"]}
    assert figures["companion.events"] == {"Coming": 1, "Held": 1, "Cancelled": 1}
    assert figures["companion.registrations"]["On a waiting list"] == 1
    attention = {a.key: a.count for a in dashboard["attention"]}
    assert attention["companion.waiting"] == 1 and attention["companion.unrecorded"] == 1
    assert full.title in [d.label for d in dashboard["upcoming"]]


def test_copying_a_cohort_copies_its_event_plan_shifted():
    cohort = CohortFactory(start_date=date(2030, 4, 1), end_date=date(2030, 9, 30))
    series = SeriesFactory(cohort=cohort)
    event = EventFactory(cohort=cohort, series=series)
    register(event, participant_in(cohort))
    new = cohort_services.cohort_copy_next(
        cohort=cohort, title="Nächster", start_date=date(2031, 4, 1), by=SYSTEM
    )
    copy = Event.objects.get(cohort=new)
    assert copy.starts_at - event.starts_at == timedelta(days=365)
    assert copy.series.cohort == new and not copy.registrations.exists()


def test_navigation_for_participants_and_partners():
    request = RequestFactory().get("/")
    request.user = participant_in(CohortFactory()).user
    urls = [item["url"] for item in navigation(request)["nav_items"]]
    assert "/events/" in urls
    request.user = partner_user()
    urls = [item["url"] for item in navigation(request)["nav_items"]]
    assert "/events/partner/" in urls


@pytest.mark.parametrize("count", [1, 5])
def test_event_audiences_name_each_begun_events_attendees_in_one_query(
    count, django_assert_num_queries
):
    from cohorts import hooks as cohort_hooks
    from cohorts.models import Cohort

    cohort = CohortFactory()
    past = timezone.now() - timedelta(days=3)
    events = [
        EventFactory(cohort=cohort, starts_at=past, ends_at=past + timedelta(hours=2))
        for _ in range(count)
    ]
    EventFactory(cohort=cohort)  # still to come: nobody has attended it yet
    came, absent = participant_in(cohort), participant_in(cohort)
    Reg = EventRegistration
    Reg.objects.create(event=events[0], participation=came, attendance=Reg.Attendance.ATTENDED)
    Reg.objects.create(event=events[0], participation=absent, attendance=Reg.Attendance.NO_SHOW)
    with translation.override("en"), django_assert_num_queries(1):
        audiences = cohort_hooks.answers(cohort_hooks.event_audiences, sender=Cohort, cohort=cohort)
    assert sorted(a.key for a in audiences) == sorted(f"event:{e.pk}" for e in events)
    first = next(a for a in audiences if a.key == f"event:{events[0].pk}")
    assert first.label.startswith(f"Attendees of {events[0].title}")
    assert list(first.participations.values_list("participation_id", flat=True)) == [came.pk]
