"""The counts the office's home and a cohort's overview keep under a change token
(cohorts.figures): read once, and read again after every write that changes them."""

from datetime import timedelta

import pytest
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts import figures
from cohorts.models import Cohort, InterestRegistration, Participation
from cohorts.selectors import cohort_dashboard, office_home, office_waiting_registrations
from cohorts.services.registrations import registration_expire_stale
from tests.factories.cohorts import (
    CohortFactory,
    InterestRegistrationFactory,
    ParticipationFactory,
)
from tests.factories.core import OrganisationFactory, office_user

pytestmark = pytest.mark.django_db

State = InterestRegistration.State


@pytest.fixture
def cohort():
    return CohortFactory(state=Cohort.State.MATCHING)


@pytest.fixture
def office(cohort):
    return office_user(org=cohort.programme.organisation)


def _attention(cohort):
    return {a.key: a.count for a in cohort_dashboard(cohort)["attention"]}


def _home(office):
    (entry,) = office_home(office)["cohorts"]
    return {a.key: a.count for a in entry["attention"]}


def test_kept_counts_are_read_once_until_the_token_is_replaced(cohort, office):
    InterestRegistrationFactory(cohort=cohort)
    cohort_dashboard(cohort)
    office_home(office)
    office_waiting_registrations(office)
    with CaptureQueriesContext(connection) as kept:
        cohort_dashboard(cohort)
        office_home(office)
        office_waiting_registrations(office)
    figures.changed()
    with CaptureQueriesContext(connection) as fresh:
        cohort_dashboard(cohort)
        office_home(office)
        office_waiting_registrations(office)
    # The dashboard's three counts (registrations, people, people without a tandem), the
    # home's cohorts and the office's waiting ones.
    assert len(fresh) - len(kept) == 5, [q["sql"][:90] for q in fresh.captured_queries]


def test_a_registration_saved_or_deleted_is_counted_at_once(cohort, office):
    registration = InterestRegistrationFactory(cohort=cohort)
    assert _attention(cohort)["registrations_unreviewed"] == 1
    assert office_waiting_registrations(office) == {State.CONFIRMED: 1}
    assert _home(office)["registrations_unreviewed"] == 1
    registration.state = State.ACCEPTED
    registration.save()
    assert "registrations_unreviewed" not in _attention(cohort)
    assert office_waiting_registrations(office) == {}
    assert "registrations_unreviewed" not in _home(office)
    other = InterestRegistrationFactory(cohort=cohort, state=State.UNCONFIRMED)
    assert office_waiting_registrations(office) == {State.UNCONFIRMED: 1}
    other.delete()
    assert office_waiting_registrations(office) == {}


def test_expired_links_written_without_signals_replace_the_token(cohort, office):
    InterestRegistrationFactory(
        cohort=cohort,
        state=State.UNCONFIRMED,
        confirm_expires_at=timezone.now() - timedelta(days=1),
    )
    assert _attention(cohort)["registrations_unconfirmed"] == 1
    assert office_waiting_registrations(office) == {State.UNCONFIRMED: 1}
    assert registration_expire_stale() == 1
    assert "registrations_unconfirmed" not in _attention(cohort)
    assert office_waiting_registrations(office) == {}


def test_people_their_state_their_organisation_and_their_sign_in_are_counted_at_once(
    cohort, office
):
    person = ParticipationFactory(cohort=cohort, state=Participation.State.NOMINATED)
    assert _attention(cohort)["participants_nominated"] == 1
    assert _home(office)["participants_nominated"] == 1
    assert _attention(cohort)["participants_not_signed_in"] == 1
    assert _home(office)["participants_not_signed_in"] == 1
    person.state = Participation.State.CONFIRMED
    person.save()
    assert "participants_nominated" not in _attention(cohort)
    assert "participants_nominated" not in _home(office)
    # Signing in saves last_login (Django's update_last_login).
    user_logged_in.send(sender=type(person.user), request=None, user=person.user)
    assert "participants_not_signed_in" not in _attention(cohort)
    assert "participants_not_signed_in" not in _home(office)
    organisation = person.organisation
    organisation.short_name = "Umbenannt"
    organisation.save()
    rows = next(
        f for f in cohort_dashboard(cohort)["figures"] if f.key == "participants_organisation"
    )
    assert [row.label for row in rows.rows] == ["Umbenannt"]
    ParticipationFactory(cohort=cohort, organisation=OrganisationFactory(short_name="Neu"))
    assert cohort_dashboard(cohort)["participant_count"] == 2


def test_a_cohort_saved_is_shown_at_once_on_the_home(cohort, office):
    assert office_home(office)["cohorts"][0]["cohort"].title == cohort.title
    cohort.title = "Neuer Titel"
    cohort.save()
    assert office_home(office)["cohorts"][0]["cohort"].title == "Neuer Titel"
    cohort.state = Cohort.State.CLOSED
    cohort.save()
    assert office_home(office)["cohorts"] == []


def test_a_lost_token_is_replaced_by_a_new_one_not_by_nothing(cohort, settings):
    from django.core.cache import cache

    InterestRegistrationFactory(cohort=cohort)
    assert _attention(cohort)["registrations_unreviewed"] == 1
    first = cache.get(figures.TOKEN_KEY)
    cache.delete(figures.TOKEN_KEY)
    InterestRegistrationFactory(cohort=cohort)
    cache.delete(figures.TOKEN_KEY)
    assert _attention(cohort)["registrations_unreviewed"] == 2
    assert cache.get(figures.TOKEN_KEY) not in (None, first)
