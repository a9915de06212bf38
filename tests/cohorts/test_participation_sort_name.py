"""The person's name kept on each participation (`Participation.sort_name`), the participant
list's order: written when a participation is made (one at a time or in bulk, with the
person in hand or only their id), copied to every participation of a person whose name
changes, and left alone (no query) when a save does not change it. The list sorted by
name, side, organisation or state gives the same order as the account's name would."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Cohort, Participation
from tests.factories.cohorts import CohortFactory, ParticipationFactory, ProgrammeFactory
from tests.factories.core import OrganisationFactory, UserFactory, office_user

pytestmark = pytest.mark.django_db


def _kept(*participations):
    return [
        Participation.objects.values_list("sort_name", flat=True).get(pk=p.pk)
        for p in participations
    ]


@pytest.fixture
def cohort():
    ministry = OrganisationFactory(name="Ministerium für Landwirtschaft")
    return CohortFactory(programme=ProgrammeFactory(organisation=ministry), state=Cohort.State.OPEN)


def test_a_new_participation_keeps_its_persons_name(cohort):
    in_hand = ParticipationFactory(cohort=cohort, user=UserFactory(name="Zora <&\"'>"))
    assert in_hand.sort_name == "Zora <&\"'>"
    # Only the id given: the name is read.
    user = UserFactory(name="Anton")
    by_id = Participation(
        cohort=cohort, user_id=user.pk, organisation=in_hand.organisation, side="external"
    )
    by_id.save()
    assert _kept(in_hand, by_id) == ["Zora <&\"'>", "Anton"]


def test_participations_made_in_bulk_keep_their_names(cohort):
    organisation = cohort.programme.organisation
    users = [UserFactory(name=name) for name in ("Berta", "Ägidius", "")]
    made = Participation.objects.bulk_create(
        [
            Participation(cohort=cohort, user=user, organisation=organisation, side="external")
            for user in users
        ]
    )
    assert _kept(*made) == ["Berta", "Ägidius", ""]


def test_the_import_keeps_the_names(cohort):
    from cohorts.services.imports import _import_batch

    organisation = cohort.programme.organisation
    rows = [
        {
            "line": 2,
            "email": "neu@example.org",
            "name": "Neu Person",
            "language": "de",
            "organisation": organisation.pk,
            "side": "administration",
            "position": "",
            "topics": "",
            "expertise": "",
            "goals": "",
        },
    ]
    _import_batch(
        cohort, rows, {organisation.pk: organisation}, office_user(org=organisation), True
    )
    assert list(
        Participation.objects.filter(cohort=cohort).values_list("sort_name", "user__name")
    ) == [("Neu Person", "Neu Person")]


def test_a_new_name_is_copied_to_every_participation_of_the_person(cohort):
    user = UserFactory(name="Alt")
    one = ParticipationFactory(cohort=cohort, user=user)
    other = ParticipationFactory(
        cohort=CohortFactory(programme=cohort.programme), user=user, role=False
    )
    stranger = ParticipationFactory(cohort=cohort, user=UserFactory(name="Alt"))
    user.name = "Neu"
    user.save()
    assert _kept(one, other, stranger) == ["Neu", "Neu", "Alt"]
    # Read again and renamed with update_fields (as the admin's form or a service would).
    fresh = type(user).objects.get(pk=user.pk)
    fresh.name = "Neuer"
    fresh.save(update_fields=["name"])
    assert _kept(one, other) == ["Neuer", "Neuer"]


def test_a_save_that_leaves_the_name_asks_nothing_of_the_participations(cohort):
    user = UserFactory(name="Gleich")
    participation = ParticipationFactory(cohort=cohort, user=user)
    fresh = type(user).objects.get(pk=user.pk)
    for save in (
        lambda: fresh.save(),
        lambda: fresh.save(update_fields=["last_login"]),
        lambda: type(user).objects.only("email").get(pk=user.pk).save(),
    ):
        with CaptureQueriesContext(connection) as queries:
            save()
        assert not [q for q in queries if "cohorts_participation" in q["sql"]]
    # A name changed with update_fields that leave it out is not saved, nor copied.
    fresh.name = "Anders"
    fresh.save(update_fields=["language"])
    assert _kept(participation) == ["Gleich"]


@pytest.mark.parametrize("sort", ["name", "-name", "side", "-side", "organisation", "state"])
def test_the_list_orders_as_the_accounts_names_would(client, cohort, sort):
    organisation = cohort.programme.organisation
    other = OrganisationFactory(name="Anderes Haus", kind="company")
    people = [
        ("Zora", "administration", organisation, "nominated"),
        ("anton", "external", other, "confirmed"),
        ("Ägidius", "administration", organisation, "confirmed"),
        ("Berta", "external", other, "nominated"),
        ("Berta", "administration", organisation, "active"),
        ("<&\"'>", "external", other, "active"),
        ("", "administration", organisation, "nominated"),
    ]
    made = [
        ParticipationFactory(
            cohort=cohort, user=UserFactory(name=name), side=side, organisation=org, state=state
        )
        for name, side, org, state in people
    ]
    # Renamed after joining: the list follows the new name.
    made[0].user.name = "Aaron"
    made[0].user.save()
    user = office_user(org=organisation)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(
        reverse("cohorts:participation_list", args=[cohort.pk]), {"sort": sort, "show": "all"}
    )
    shown = [p.pk for p in response.context["page"].object_list]
    # The same order read through the accounts' names (what the list sorted by before).
    from cohorts.selectors import PARTICIPATION_STATE_RANK

    by_account = {
        "name": ("user__name", "user__email"),
        "side": ("side", "user__name"),
        "organisation": ("organisation__name", "user__name"),
        "state": (PARTICIPATION_STATE_RANK, "user__name"),
    }[sort.lstrip("-")]
    descending = sort.startswith("-")
    ordering = [
        (f"-{key}" if descending else key)
        if isinstance(key, str)
        else (key.desc() if descending else key.asc())
        for key in (*by_account, "pk")
    ]
    expected = list(
        Participation.objects.filter(cohort=cohort).order_by(*ordering).values_list("pk", flat=True)
    )
    assert shown == expected
    if sort.endswith("name"):  # "Aaron" (was "Zora") now comes before "anton"
        before = shown.index(made[0].pk) < shown.index(made[1].pk)
        assert before != descending
