"""A participant's timeline on My tandem: where they are today in their six months, in
words and as a picture that repeats them, the next milestones and events (from the
person's dates, `pioneer.hooks.personal_dates`), and flat queries."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort
from tandems import timeline
from tandems.models import HospitationPhase, Milestone
from tests.factories.cohorts import CohortFactory
from tests.factories.companion import EventFactory, register
from tests.factories.tandems import tandem
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


def _client(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def running():
    """A tandem in its second phase today: 20 days left, the administration partner is
    the guest in phase 2."""
    today = timezone.localdate()
    cohort = CohortFactory(
        state=Cohort.State.RUNNING,
        start_date=today - timedelta(days=200),
        end_date=today + timedelta(days=100),
    )
    t = tandem(cohort)
    first_start = today - timedelta(days=160)
    HospitationPhase.objects.filter(tandem=t, number=1).update(
        start=first_start, end=first_start + timedelta(days=89)
    )
    HospitationPhase.objects.filter(tandem=t, number=2).update(
        start=first_start + timedelta(days=90), end=today + timedelta(days=20)
    )
    Milestone.objects.filter(tandem=t, kind=Milestone.Kind.FINAL_REFLECTION).update(
        due_date=today + timedelta(days=34)
    )
    return t


def _phases(t):
    return list(HospitationPhase.objects.filter(tandem=t).select_related("guest"))


def test_the_timeline_knows_where_the_person_is(running):
    today = timezone.localdate()
    first, second = sorted(_phases(running), key=lambda p: p.number)
    guest_two = second.guest.user
    line = timeline.timeline(_phases(running), guest_two, today=today)
    assert line.moment == "during"
    assert line.current == second
    assert line.days_left == 20
    assert line.is_guest
    assert 0 < line.today_left < 100
    assert [s["phase"].number for s in line.segments] == [1, 2]
    assert line.segments[0]["left"] == 0
    assert round(line.segments[0]["width"] + line.segments[1]["width"]) == 100
    assert all(m["day"].day == 1 for m in line.months) and len(line.months) >= 5
    # The partner sees the same phase as host.
    assert not timeline.timeline(_phases(running), first.guest.user, today=today).is_guest
    before = timeline.timeline(_phases(running), guest_two, today=first.start - timedelta(days=3))
    assert (before.moment, before.days_to_next, before.today_left) == ("before", 3, None)
    after = timeline.timeline(_phases(running), guest_two, today=second.end + timedelta(days=1))
    assert after.moment == "after"


def test_my_tandem_shows_today_the_phase_the_contact_and_whats_next(running):
    second = HospitationPhase.objects.get(tandem=running, number=2)
    second.host_contact_name, second.host_contact_email = "Hanna Host", "hanna@host.example"
    second.save()
    person = second.guest
    event = EventFactory(cohort=running.cohort, title="Kollegiale Fallberatung")
    register(event, person)
    html = _client(person.user).get(reverse("tandems:mine")).content.decode()
    assert "Where you are now" in html
    assert f"Phase 2: you are the guest at {second.host_organisation.name}." in html
    assert "20 days left in this phase." in html
    assert "Hanna Host" in html and "mailto:hanna@host.example" in html
    assert str(running.partner_of(person.user).user) in html
    # The picture is hidden from screen readers; its content is in the text.
    assert '<svg class="pio-timeline__picture" width="100%" height="88" aria-hidden="true"' in html
    # The text form: an ordered list of all dates with today in its place.
    dates = html.split('<ol class="pio-dates__list">')[1].split("</ol>")[0]
    assert dates.count('class="pio-dates__today"') == 1
    assert (
        dates.index("Phase switch")
        < dates.index("pio-dates__today")
        < dates.index("Kollegiale Fallberatung")
    )
    coming = html.split('id="coming-heading"')[1].split("</section>")[0]
    assert "Kollegiale Fallberatung" in coming and "Final reflection" in coming
    assert "Phase switch" not in coming  # done or past: not "coming up"


def test_my_tandem_in_german(running):
    person = HospitationPhase.objects.get(tandem=running, number=2).guest
    html = _client(person.user, "de").get(reverse("tandems:mine")).content.decode()
    assert 'lang="de"' in html
    assert "Tage" in html


def test_the_timeline_page_queries_are_flat(running):
    person = HospitationPhase.objects.get(tandem=running, number=2).guest

    def events(count):
        for _ in range(count):
            register(EventFactory(cohort=running.cohort), person)

    assert_flat_queries(_client(person.user), reverse("tandems:mine"), events)


def test_before_the_first_phase_the_page_counts_the_days_to_it():
    t = tandem(CohortFactory(start_date=date(2030, 4, 1), end_date=date(2030, 9, 30)))
    html = _client(t.administration.user).get(reverse("tandems:mine")).content.decode()
    assert "Phase 1 starts on" in html
    assert 'class="pio-dates__today"' in html


def test_own_tandems_with_dates_read_by_kept_sql_are_the_orms():
    """The person's tandems, phases and milestones come from SQL compiled once per
    process (pioneer.compiled): the same rows, in the same order, with the same related
    rows as the querysets they are compiled from, for each person asked about."""
    from pioneer.access import SYSTEM
    from tandems import selectors, services
    from tests.factories.cohorts import ParticipationFactory, external_participation

    earlier = tandem(CohortFactory(start_date=date(2025, 1, 1), end_date=date(2025, 12, 31)))
    user = earlier.administration.user
    services.tandem_end_early(tandem=earlier, reason="Umzug", by=SYSTEM)
    cohort = CohortFactory(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    later = services.tandem_create(
        first=ParticipationFactory(cohort=cohort, user=user, role=False),
        second=external_participation(cohort),
        by=SYSTEM,
    )
    other = tandem(cohort)
    for person, expected in ((user, [later, earlier]), (other.external.user, [other])):
        found = selectors.own_tandems_with_dates(person)
        assert found == expected
        assert found == list(selectors._own_tandems(person))
        phases = list(selectors._own_phases(person))
        milestones = list(selectors._own_milestones(person))
        for t in found:
            assert (
                t.cohort.programme.name
                == t.cohort.programme.__class__.objects.get(pk=t.cohort.programme_id).name
            )
            assert [p.pk for p in t.dated_phases] == [p.pk for p in phases if p.tandem_id == t.pk]
            assert [m.pk for m in t.dated_milestones] == [
                m.pk for m in milestones if m.tandem_id == t.pk
            ]
            assert {t.administration.user.email, t.external.user.email} == {
                t.administration.user.__class__.objects.get(pk=t.administration.user_id).email,
                t.external.user.__class__.objects.get(pk=t.external.user_id).email,
            }
            for phase, orm in zip(t.dated_phases, phases, strict=False):
                if phase.pk == orm.pk:
                    assert phase.host_organisation.name == orm.host_organisation.name
                    assert phase.guest.organisation.name == orm.guest.organisation.name


def test_my_tandems_registrations_and_preference_cohorts_by_kept_sql_are_the_orms(running):
    """My tandem's dated registrations and the cohorts to state preferences for are read
    by SQL compiled once per process: the same rows in the same order as the querysets,
    for each person asked about."""
    from companion import selectors as companion_selectors
    from companion.models import EventRegistration
    from tandems import selectors
    from tests.factories.cohorts import ParticipationFactory

    cohort = running.cohort
    late = EventFactory(cohort=cohort, starts_at=timezone.now() + timedelta(days=9))
    early = EventFactory(cohort=cohort, starts_at=timezone.now() + timedelta(days=2))
    for participation in (running.administration, running.external):
        register(late, participation)
        register(early, participation)
    matching = CohortFactory(state=Cohort.State.MATCHING, programme=cohort.programme)
    ParticipationFactory(cohort=matching, user=running.administration.user, role=False)
    for person in (running.administration.user, running.external.user):
        found = companion_selectors.dated_registrations(person)
        orm = EventRegistration.objects.filter(
            participation__user=person, state__in=companion_selectors.LIVE
        ).order_by("event__starts_at", "event_id")
        assert [r.pk for r in found] == [r.pk for r in orm]
        assert [r.event.title for r in found] == [early.title, late.title]
        shown = selectors.preference_cohorts_shown(person)
        assert [p.pk for p in shown] == [p.pk for p in selectors.preference_cohorts(person)[:5]]
        assert all(p.cohort.programme.name == cohort.programme.name for p in shown)
    assert len(selectors.preference_cohorts_shown(running.administration.user)) == 1
    assert selectors.preference_cohorts_shown(running.external.user) == []
