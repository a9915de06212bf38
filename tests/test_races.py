"""Two identical submissions at the same moment answer like one: the second sees the
first's result or a clear message, never an IntegrityError.

Each test holds a rival transaction open in a second PostgreSQL connection (a thread),
lets our call run into its lock, and commits the rival only once ours waits on it: the
exact interleaving of two requests at once. They need PostgreSQL (DATABASE_URL) and
skip only without it.
"""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from cohorts import services
from cohorts.models import (
    Cohort,
    CohortTransition,
    InterestRegistration,
    Participation,
    Programme,
    RegistrationNote,
)
from cohorts.services.participations import participation_add
from pioneer import services as core_services
from pioneer.access import SYSTEM
from pioneer.models import Organisation, User
from tests.factories.cohorts import CohortFactory, InterestRegistrationFactory, ProgrammeFactory
from tests.factories.core import OrganisationFactory, office_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): two connections writing at once")


def race(rival, ours):
    """Run `rival` in another connection's transaction and `ours` here; the rival commits
    only once our statement waits on its lock. Returns (our result or exception, rival's)."""
    done = threading.Event()
    result = {}

    def other():
        try:
            with transaction.atomic():
                result["rival"] = rival()
                done.set()
                with connection.cursor() as cursor:
                    for _ in range(200):
                        # pg_stat_activity is read once per transaction unless cleared.
                        cursor.execute("SELECT pg_stat_clear_snapshot()")
                        # Someone waits on this very transaction (not any lock anywhere).
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
                        )
                        if cursor.fetchone()[0]:
                            result["waited"] = True
                            break
                        threading.Event().wait(0.05)
        except Exception as error:  # pragma: no cover - shown by the assertion below
            result["rival_error"] = error
            done.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=other)
    thread.start()
    assert done.wait(10)
    assert "rival_error" not in result, result.get("rival_error")
    try:
        ours_result = ours()
    except Exception as error:
        ours_result = error
    thread.join(10)
    assert result.get("waited"), f"ours never waited on the rival: {ours_result!r}"
    return ours_result, result["rival"]


def _programme_args(organisation):
    return {"organisation": organisation, "name": "Zwilling", "slug": "zwilling", "by": SYSTEM}


def test_the_same_programme_created_twice_at_once():
    ministry = OrganisationFactory()
    ours, rival = race(
        lambda: services.programme_create(**_programme_args(ministry)),
        lambda: services.programme_create(**_programme_args(ministry)),
    )
    assert isinstance(ours, ValidationError)
    assert "slug" in ours.message_dict
    assert list(Programme.objects.values_list("pk", flat=True)) == [rival.pk]


def test_the_same_cohort_created_twice_at_once():
    programme = ProgrammeFactory()

    def create():
        return services.cohort_create(
            by=SYSTEM,
            programme=programme,
            title="Zweiter",
            slug="zweiter",
            start_date=date(2030, 1, 1),
        )

    ours, rival = race(create, create)
    assert isinstance(ours, ValidationError)
    assert "slug" in ours.message_dict
    assert Cohort.objects.filter(programme=programme).count() == 1


def test_the_same_person_added_twice_at_once():
    cohort = CohortFactory(state=Cohort.State.OPEN)
    organisation = cohort.programme.organisation

    def add():
        return participation_add(
            cohort=cohort,
            email="neu@ministerium.example",
            name="Neu",
            organisation=organisation,
            side="administration",
            by=SYSTEM,
        )

    ours, rival = race(add, add)
    assert isinstance(ours, ValidationError)
    assert "email" in ours.message_dict  # "This person is already in the cohort."
    assert Participation.objects.filter(cohort=cohort).count() == 1
    assert User.objects.filter(email="neu@ministerium.example").count() == 1


def test_the_same_person_invited_twice_at_once():
    def invite():
        return core_services.user_invite(
            email="zwei@ministerium.example",
            name="Zwei",
            language="de",
            kind="evaluator",
            by=SYSTEM,
        )

    ours, rival = race(invite, invite)
    assert not isinstance(ours, Exception), repr(ours)
    assert ours[0].pk == rival[0].pk
    assert ours[1] is False  # the rival created the account; we found it
    assert User.objects.filter(email="zwei@ministerium.example").count() == 1


def test_the_same_registration_submitted_twice_at_once():
    cohort = CohortFactory(state=Cohort.State.OPEN, interest_opens=None, interest_closes=None)
    data = {
        "organisation_name": "Zwilling GmbH",
        "organisation_kind": Organisation.Kind.COMPANY,
        "parent_ministry": None,
        "street": "Weg 1",
        "postcode": "14467",
        "city": "Potsdam",
        "contact_name": "Anna",
        "contact_email": "anna@zwilling.example",
        "contact_phone": "",
        "places_send": 1,
        "places_host": 0,
        "topics_offered": "",
        "topics_sought": "",
        "preferred_timing": "",
        "message": "",
    }

    def submit():
        return services.registration_submit(cohort=cohort, data=data, language="de")

    ours, rival = race(submit, submit)
    assert isinstance(ours, services.DuplicateRegistration)
    assert InterestRegistration.objects.filter(cohort=cohort).count() == 1


def test_a_cohort_moved_twice_at_once_moves_once():
    cohort = CohortFactory(state=Cohort.State.DRAFT, interest_closes=None)
    office = office_user(org=cohort.programme.organisation)

    def move():
        return services.cohort_transition(cohort=cohort, to_state="open", by=office)

    ours, rival = race(move, move)
    assert not isinstance(ours, Exception), ours
    assert ours.state == "open"
    assert CohortTransition.objects.filter(cohort=cohort).count() == 1


def test_a_registration_accepted_twice_at_once_is_accepted_once():
    registration = InterestRegistrationFactory()
    office = office_user(org=registration.cohort.programme.organisation)

    def accept():
        return services.registration_accept(
            registration=registration, by=office, create=True, make_contact=True
        )

    ours, rival = race(accept, accept)
    assert not isinstance(ours, Exception), ours
    assert ours.state == InterestRegistration.State.ACCEPTED
    assert ours.organisation_id == rival.organisation_id
    assert Organisation.objects.filter(name=registration.organisation_name).count() == 1


def test_a_registration_declined_twice_at_once_is_declined_once():
    registration = InterestRegistrationFactory()
    office = office_user(org=registration.cohort.programme.organisation)

    def decline():
        return services.registration_decline(registration=registration, by=office, reason="Nein")

    ours, rival = race(decline, decline)
    assert not isinstance(ours, Exception), ours
    assert ours.state == InterestRegistration.State.DECLINED


def test_a_note_posted_twice_at_once_is_kept_once():
    registration = InterestRegistrationFactory()
    office = office_user(org=registration.cohort.programme.organisation)

    def note():
        return services.registration_note_add(
            registration=registration, author=office, text="Bitte anrufen"
        )

    ours, rival = race(note, note)
    assert not isinstance(ours, Exception), ours
    assert ours.pk == rival.pk
    assert RegistrationNote.objects.filter(registration=registration).count() == 1


def test_a_participation_confirmed_twice_at_once_changes_once():
    from cohorts.services.participations import participation_set_state
    from tests.factories.cohorts import ParticipationFactory

    participation = ParticipationFactory(state=Participation.State.NOMINATED)

    def confirm():
        return participation_set_state(
            by=SYSTEM,
            participation=Participation.objects.get(pk=participation.pk),
            state="confirmed",
        )

    ours, rival = race(confirm, confirm)
    assert not isinstance(ours, Exception), ours
    assert ours.state == "confirmed"
    # One history row for the creation, one for the change: not two changes.
    assert participation.history.count() == 2


def test_the_same_role_granted_twice_at_once():
    from pioneer.models import Role
    from tests.factories.core import UserFactory

    user = UserFactory()
    organisation = OrganisationFactory()

    def grant():
        return core_services.role_grant(
            user=user, kind="office", organisation=organisation, by=SYSTEM
        )

    ours, rival = race(grant, grant)
    assert not isinstance(ours, Exception), ours
    assert ours.pk == rival.pk
    assert Role.objects.filter(user=user).count() == 1
