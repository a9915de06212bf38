"""Whether the person ever signed in, kept on each participation (`Participation.signed_in`),
the participant list's first view (who needs action): written when a participation is made
(one at a time or in bulk, with the person in hand or only their id: then read with the
name in one query), copied to every participation of a person at their first sign-in (and
if last_login is ever cleared), and left alone (no query) by later sign-ins and by saves
that do not change it. The view keeps the people the account's last_login kept, and a
sign-in shows on the list's next visit."""

import pytest
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts import selectors
from cohorts.models import Cohort, Participation
from tests.factories.cohorts import CohortFactory, ParticipationFactory, ProgrammeFactory
from tests.factories.core import OrganisationFactory, UserFactory, office_user

pytestmark = pytest.mark.django_db

NAME = "Zora <&\"'>"


def _kept(*participations):
    return [
        Participation.objects.values_list("signed_in", flat=True).get(pk=p.pk)
        for p in participations
    ]


def _sign_in(user):
    # What a sign-in does: Django's update_last_login saves last_login.
    user_logged_in.send(sender=type(user), request=None, user=user)


@pytest.fixture
def cohort():
    ministry = OrganisationFactory(name="Ministerium <&\"'>")
    return CohortFactory(programme=ProgrammeFactory(organisation=ministry), state=Cohort.State.OPEN)


def test_a_new_participation_copies_whether_its_person_signed_in(cohort):
    organisation = cohort.programme.organisation
    signed_in = UserFactory(name=NAME, last_login=timezone.now())
    never = UserFactory(name="Anton")
    in_hand = [ParticipationFactory(cohort=cohort, user=user) for user in (signed_in, never)]
    assert [p.signed_in for p in in_hand] == [True, False]
    # Only the ids given: the name and the sign-in are read in one query.
    other = CohortFactory(programme=cohort.programme)
    by_id = []
    for user in (signed_in, never):
        participation = Participation(
            cohort=other, user_id=user.pk, organisation=organisation, side="external"
        )
        with CaptureQueriesContext(connection) as queries:
            participation.save()
        assert len([q for q in queries if '"pioneer_user"' in q["sql"]]) == 1
        by_id.append(participation)
    assert _kept(*in_hand, *by_id) == [True, False, True, False]
    assert Participation.objects.get(pk=by_id[0].pk).sort_name == NAME
    # In bulk (the import's way), with the people in hand.
    third = CohortFactory(programme=cohort.programme)
    made = Participation.objects.bulk_create(
        [
            Participation(cohort=third, user=user, organisation=organisation, side="external")
            for user in (never, signed_in)
        ]
    )
    assert _kept(*made) == [False, True]


def test_the_first_sign_in_marks_every_participation_of_the_person(cohort):
    user = UserFactory(name=NAME, password=False)
    one = ParticipationFactory(cohort=cohort, user=user)
    other = ParticipationFactory(
        cohort=CohortFactory(programme=cohort.programme), user=user, role=False
    )
    stranger = ParticipationFactory(cohort=cohort, user=UserFactory(password=False))
    assert _kept(one, other, stranger) == [False, False, False]
    _sign_in(type(user).objects.get(pk=user.pk))
    assert _kept(one, other, stranger) == [True, True, False]
    # Later sign-ins, and saves that leave last_login, ask nothing of the participations.
    fresh = type(user).objects.get(pk=user.pk)
    for save in (
        lambda: _sign_in(fresh),
        lambda: fresh.save(),
        lambda: fresh.save(update_fields=["name"]),
        lambda: type(user).objects.only("email").get(pk=user.pk).save(),
    ):
        with CaptureQueriesContext(connection) as queries:
            save()
        assert not [q for q in queries if "cohorts_participation" in q["sql"]]
    # Cleared (by hand, say): never signed in again; a change left out of update_fields
    # is not saved, nor copied.
    fresh.last_login = None
    fresh.save(update_fields=["name"])
    assert _kept(one, other) == [True, True]
    fresh.save()
    assert _kept(one, other) == [False, False]


def _by_account(cohort):
    """The first view's people as the account's last_login told them (the condition
    before the copy)."""
    waiting = Q(user__last_login__isnull=True) | Q(invitation_held=True)
    if cohort.state in {Cohort.State.MATCHING, Cohort.State.RUNNING}:
        waiting |= Q(state="nominated")
    return set(
        Participation.objects.filter(cohort=cohort)
        .exclude(state__in=["withdrawn", "completed"])
        .filter(waiting)
        .values_list("pk", flat=True)
    )


@pytest.mark.parametrize("state", [Cohort.State.OPEN, Cohort.State.RUNNING])
def test_the_first_view_keeps_whom_the_accounts_kept(client, cohort, state, settings):
    Cohort.objects.filter(pk=cohort.pk).update(state=state)
    cohort.refresh_from_db()
    people = {}
    for name, participation_state, signed_in, held in [
        (NAME, "nominated", False, False),
        ("anton", "nominated", True, False),
        ("Berta", "confirmed", True, False),
        ("Carl", "confirmed", False, False),
        ("Dora", "active", True, True),
        ("Emil", "withdrawn", False, False),
        ("Frieda", "completed", False, True),
        ("", "active", False, False),
    ]:
        user = UserFactory(name=name, password=False)
        people[name] = ParticipationFactory(
            cohort=cohort,
            user=user,
            state=participation_state,
            invitation_held=held,
            withdrawn_reason="Wechsel" if participation_state == "withdrawn" else "",
        )
        if signed_in:
            _sign_in(user)
    office = office_user(org=cohort.programme.organisation)
    client.force_login(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("cohorts:participation_list", args=[cohort.pk])

    def shown():
        response = client.get(url)
        return {p.pk for p in response.context["page"].object_list}, response.context[
            "page"
        ].paginator.count

    expected = _by_account(cohort)
    queryset = selectors.participations_needing_action(
        cohort, Participation.objects.filter(cohort=cohort)
    )
    assert set(queryset.values_list("pk", flat=True)) == expected
    assert shown() == (expected, len(expected))
    assert people[NAME].pk in expected and people["Berta"].pk not in expected
    # A sign-in shows on the next visit: the person no longer waits (unless nominated
    # in a running cohort), the count with them.
    _sign_in(people["Carl"].user)
    _sign_in(people[NAME].user)
    expected = _by_account(cohort)
    assert people["Carl"].pk not in expected
    assert (people[NAME].pk in expected) == (state == Cohort.State.RUNNING)
    assert shown() == (expected, len(expected))
