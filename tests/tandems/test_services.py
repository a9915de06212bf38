"""The tandems services: who can pair whom, the phases' date rules, confirmation, early
end, swap, the dates moving along, a withdrawal ending the tandem."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cohorts.models import Cohort, Participation, Programme
from cohorts.services import participation_set_state
from pioneer.access import SYSTEM
from tandems import agreements, services
from tandems.models import HospitationPhase, MatchPreference, Milestone, Tandem
from tests.factories.cohorts import CohortFactory, ParticipationFactory, external_participation
from tests.factories.core import OrganisationFactory, office_user
from tests.factories.tandems import pair, tandem

pytestmark = pytest.mark.django_db


def test_create_makes_two_mirrored_phases_with_default_dates_and_milestones():
    t = tandem()
    first, second = t.phases.order_by("number")
    assert t.state == Tandem.State.PROPOSED
    assert (first.start, first.end) == (date(2023, 4, 1), date(2023, 6, 30))
    assert (second.start, second.end) == (date(2023, 7, 1), date(2023, 9, 30))
    assert first.guest == t.administration
    assert first.host_organisation == t.external.organisation
    assert second.guest == t.external
    assert second.host_organisation == t.administration.organisation
    kinds = set(Milestone.objects.filter(tandem=t).values_list("kind", flat=True))
    assert kinds == set(Milestone.Kind.values)
    switch = Milestone.objects.get(tandem=t, kind=Milestone.Kind.PHASE_SWITCH)
    assert switch.due_date == date(2023, 7, 1)


def test_create_takes_the_two_in_any_order_and_the_external_first_if_asked():
    administration, external = pair()
    t = services.tandem_create(
        first=external, second=administration, by=SYSTEM, administration_first=False
    )
    assert (t.administration, t.external) == (administration, external)
    assert t.phases.get(number=1).guest == external


def test_phase_length_comes_from_the_programme():
    cohort = CohortFactory(programme__default_phase_months=2)
    t = tandem(cohort)
    assert t.phases.get(number=1).end == date(2023, 5, 31)
    assert t.phases.get(number=2).start == date(2023, 6, 1)
    assert t.phases.get(number=2).end == date(2023, 7, 31)


def test_same_organisation_is_refused():
    cohort = CohortFactory()
    administration = ParticipationFactory(cohort=cohort)
    external = external_participation(cohort)
    external.organisation = administration.organisation
    with pytest.raises(ValidationError, match="same organisation"):
        services.tandem_create(first=administration, second=external, by=SYSTEM)
    assert not Tandem.objects.exists()


def test_same_side_is_refused():
    cohort = CohortFactory()
    a, b = ParticipationFactory(cohort=cohort), ParticipationFactory(cohort=cohort)
    b.organisation = OrganisationFactory()
    b.save()
    with pytest.raises(ValidationError, match="one person of the administration"):
        services.tandem_create(first=a, second=b, by=SYSTEM)


def test_different_cohorts_are_refused():
    administration = ParticipationFactory()
    external = external_participation(CohortFactory(programme=administration.cohort.programme))
    with pytest.raises(ValidationError, match="same cohort"):
        services.tandem_create(first=administration, second=external, by=SYSTEM)


def test_withdrawn_people_and_journeys_and_closed_cohorts_are_refused():
    administration, external = pair()
    external.state = Participation.State.WITHDRAWN
    with pytest.raises(ValidationError, match="withdrawn"):
        services.tandem_create(first=administration, second=external, by=SYSTEM)
    journey = CohortFactory(programme__format=Programme.Format.JOURNEY)
    with pytest.raises(ValidationError, match="no tandems"):
        tandem(journey)
    with pytest.raises(ValidationError, match="over"):
        tandem(CohortFactory(state=Cohort.State.CLOSED))


def test_a_cohort_without_dates_has_no_phase_dates():
    with pytest.raises(ValidationError, match="start and end"):
        tandem(CohortFactory(start_date=None, end_date=None))


def test_one_live_tandem_per_person():
    t = tandem()
    other_external = external_participation(t.cohort)
    with pytest.raises(ValidationError, match="tandem already"):
        services.tandem_create(first=t.administration, second=other_external, by=SYSTEM)
    services.tandem_end_early(tandem=t, reason="Konflikt", by=SYSTEM)
    again = services.tandem_create(first=t.administration, second=other_external, by=SYSTEM)
    assert again.state == Tandem.State.PROPOSED


def test_the_database_refuses_a_second_live_tandem_and_a_third_phase():
    t = tandem()
    other = external_participation(t.cohort)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tandem.objects.create(cohort=t.cohort, administration=t.administration, external=other)
    phase = t.phases.get(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        HospitationPhase.objects.create(
            tandem=t,
            number=1,
            guest=phase.guest,
            host_organisation=phase.host_organisation,
            start=phase.start,
            end=phase.end,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Tandem.objects.filter(pk=t.pk).update(state=Tandem.State.ENDED_EARLY)


def test_only_the_office_that_runs_the_cohort_pairs():
    administration, external = pair()
    stranger = office_user()
    with pytest.raises(ValidationError):
        services.tandem_create(first=administration, second=external, by=stranger)
    own = office_user(administration.cohort.programme.organisation)
    assert services.tandem_create(first=administration, second=external, by=own).pk
    with pytest.raises(TypeError):
        services.tandem_create(first=administration, second=external, by=None)


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        # inside the cohort (2023-04-01 – 2023-09-30)
        (("2023-03-01", "2023-06-30", "2023-07-01", "2023-09-30"), "before the cohort"),
        (("2023-04-01", "2023-06-30", "2023-07-01", "2023-10-31"), "after the cohort"),
        # no overlap
        (("2023-04-01", "2023-07-15", "2023-07-01", "2023-09-30"), "overlap"),
        # a minimum length
        (("2023-04-01", "2023-04-20", "2023-07-01", "2023-09-30"), "at least 28 days"),
        # end after start
        (("2023-06-30", "2023-04-01", "2023-07-01", "2023-09-30"), "end after it starts"),
    ],
)
def test_date_rules(dates, message):
    t = tandem()
    office = office_user(t.cohort.programme.organisation)
    first_start, first_end, second_start, second_end = map(date.fromisoformat, dates)
    with pytest.raises(ValidationError, match=message):
        services.tandem_set_dates(
            tandem=t,
            first_start=first_start,
            first_end=first_end,
            second_start=second_start,
            second_end=second_end,
            by=office,
        )
    assert t.phases.get(number=1).start == date(2023, 4, 1)


def test_set_dates_moves_the_milestones_and_keeps_done_marks():
    t = tandem()
    office = office_user(t.cohort.programme.organisation)
    kick_off = Milestone.objects.get(tandem=t, kind=Milestone.Kind.KICK_OFF)
    services.milestone_set_done(milestone=kick_off, done=True, by=office)
    services.tandem_set_dates(
        tandem=t,
        first_start=date(2023, 4, 15),
        first_end=date(2023, 6, 30),
        second_start=date(2023, 7, 3),
        second_end=date(2023, 9, 29),
        by=office,
    )
    assert Milestone.objects.get(tandem=t, kind=Milestone.Kind.PHASE_SWITCH).due_date == date(
        2023, 7, 3
    )
    assert Milestone.objects.get(tandem=t, kind=Milestone.Kind.KICK_OFF).done_at is not None


def test_phase_2_shorter_when_the_cohort_ends_early_but_not_under_the_minimum():
    cohort = CohortFactory(end_date=date(2023, 7, 20))
    with pytest.raises(ValidationError, match="at least 28 days"):
        tandem(cohort)
    cohort = CohortFactory(end_date=date(2023, 8, 15))
    t = tandem(cohort)
    assert t.phases.get(number=2).end == date(2023, 8, 15)


def test_both_partners_confirm_then_it_is_agreed():
    t = tandem()
    with pytest.raises(ValidationError, match="Only the two partners"):
        services.tandem_confirm(tandem=t, by=office_user(t.cohort.programme.organisation))
    t = services.tandem_confirm(tandem=t, by=t.administration.user)
    assert t.state == Tandem.State.PROPOSED
    assert t.administration_confirmed_at and not t.external_confirmed_at
    t = services.tandem_confirm(tandem=t, by=t.administration.user)  # twice: no change
    assert t.state == Tandem.State.PROPOSED
    t = services.tandem_confirm(tandem=t, by=t.external.user)
    assert t.state == Tandem.State.AGREED
    with pytest.raises(ValidationError, match="no longer waiting"):
        services.tandem_confirm(tandem=t, by=t.external.user)


def test_end_early_needs_a_reason_and_happens_once():
    t = tandem()
    office = office_user(t.cohort.programme.organisation)
    with pytest.raises(ValidationError, match="reason"):
        services.tandem_end_early(tandem=t, reason="  ", by=office)
    with pytest.raises(ValidationError):
        services.tandem_end_early(tandem=t, reason="x", by=office_user())
    t = services.tandem_end_early(tandem=t, reason="Stellenwechsel", by=office)
    assert (t.state, t.ended_reason) == (Tandem.State.ENDED_EARLY, "Stellenwechsel")
    with pytest.raises(ValidationError, match="ended already"):
        services.tandem_end_early(tandem=t, reason="again", by=office)


def test_swap_order_swaps_guests_and_hosts_before_the_start_only():
    t = tandem()
    office = office_user(t.cohort.programme.organisation)
    services.tandem_swap_order(tandem=t, by=office)
    first = t.phases.get(number=1)
    assert first.guest == t.external
    assert first.host_organisation == t.administration.organisation
    assert first.start == date(2023, 4, 1)
    Tandem.objects.filter(pk=t.pk).update(state=Tandem.State.PHASE_1)
    with pytest.raises(ValidationError, match="has begun"):
        services.tandem_swap_order(tandem=t, by=office)


def test_advance_moves_along_the_dates_and_marks_milestones():
    t = tandem()
    for user in (t.administration.user, t.external.user):
        services.tandem_confirm(tandem=t, by=user)
    # Both agreements signed on paper (without them no phase starts: test_agreements).
    office = office_user(t.cohort.programme.organisation)
    for phase in t.phases.all():
        agreements.agreement_record_paper(phase=phase, by=office)
    assert services.tandems_advance(today=date(2023, 3, 31)) == 0
    assert services.tandems_advance(today=date(2023, 4, 1)) == 1
    t.refresh_from_db()
    assert t.state == Tandem.State.PHASE_1
    assert Milestone.objects.get(tandem=t, kind=Milestone.Kind.PHASE_1_START).done_at
    services.tandems_advance(today=date(2023, 8, 1))
    services.tandems_advance(today=date(2023, 8, 1))  # twice: the same
    t.refresh_from_db()
    assert t.state == Tandem.State.PHASE_2
    services.tandems_advance(today=date(2023, 10, 1))
    t.refresh_from_db()
    assert t.state == Tandem.State.COMPLETED


def test_a_proposed_tandem_does_not_start_by_date():
    t = tandem()
    services.tandems_advance(today=date(2023, 5, 1))
    t.refresh_from_db()
    assert t.state == Tandem.State.PROPOSED


def test_withdrawal_ends_the_tandem():
    t = tandem()
    participation_set_state(
        participation=t.external, state="withdrawn", reason="Elternzeit", by=SYSTEM
    )
    t.refresh_from_db()
    assert t.state == Tandem.State.ENDED_EARLY
    assert "Elternzeit" in t.ended_reason


def test_withdrawal_keeps_a_completed_tandem():
    t = tandem()
    Tandem.objects.filter(pk=t.pk).update(state=Tandem.State.COMPLETED)
    Participation.objects.filter(pk=t.external.pk).update(state="active")
    t.external.refresh_from_db()
    participation_set_state(participation=t.external, state="withdrawn", reason="später", by=SYSTEM)
    t.refresh_from_db()
    assert t.state == Tandem.State.COMPLETED


def test_preferences_only_for_oneself_and_about_the_other_side():
    administration, external = pair()
    colleague = ParticipationFactory(cohort=administration.cohort)
    services.preference_set(
        participation=administration, other=external, kind="like", by=administration.user
    )
    assert MatchPreference.objects.get().kind == "like"
    services.preference_set(
        participation=administration, other=external, kind="dislike", by=administration.user
    )
    assert MatchPreference.objects.get().kind == "dislike"
    with pytest.raises(ValidationError):
        services.preference_set(
            participation=administration, other=external, kind="like", by=external.user
        )
    with pytest.raises(ValidationError, match="other side"):
        services.preference_set(
            participation=administration, other=colleague, kind="like", by=administration.user
        )
    services.preference_set(
        participation=administration, other=external, kind="", by=administration.user
    )
    assert not MatchPreference.objects.exists()


def test_default_dates_clip_month_ends():
    cohort = CohortFactory(start_date=date(2023, 11, 30), end_date=date(2024, 5, 29))
    (s1, e1), (s2, e2) = services.default_phase_dates(cohort)
    assert (s1, e1, s2) == (date(2023, 11, 30), date(2024, 2, 28), date(2024, 2, 29))
    assert e2 == date(2024, 5, 28)
    assert e1 - s1 > timedelta(days=80)
