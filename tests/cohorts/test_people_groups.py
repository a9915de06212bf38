"""A cohort's people counted per group and kept under the change token
(`selectors.participation_groups`): the participant list's count without a filter, its
organisation filter's options and its held invitations, and the certificates' count, read
from the groups, are what the queries they replace give, and change after every write."""

from itertools import cycle

import pytest
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone

from cohorts import selectors
from cohorts.models import Cohort, Participation
from cohorts.services import bulk, imports
from cohorts.services.participations import participation_invite_again
from companion import certificates
from pioneer.models import Organisation
from tests.factories.cohorts import CohortFactory, ParticipationFactory
from tests.factories.core import OrganisationFactory, UserFactory, office_user

pytestmark = pytest.mark.django_db

State = Participation.State


def _people(cohort):
    """Every state, signed in or not, held or not, on both sides, from organisations whose
    names tie, differ in case and have short names or not."""
    organisations = [
        OrganisationFactory(name="Zeta", short_name=""),
        OrganisationFactory(name="alpha", short_name="A"),
        OrganisationFactory(name="Alpha", short_name=""),
        OrganisationFactory(name="Alpha", short_name="ZZ", kind=Organisation.Kind.COMPANY),
        OrganisationFactory(name="Ämter", short_name=""),
        cohort.programme.organisation,
    ]
    shapes = cycle([(signed_in, held) for signed_in in (False, True) for held in (False, True)])
    sides = cycle(Participation.Side.values)
    places = cycle(organisations)
    for state in State.values:
        for _n in range(4):
            signed_in, held = next(shapes)
            ParticipationFactory(
                cohort=cohort,
                user=UserFactory(last_login=timezone.now() if signed_in else None),
                organisation=next(places),
                side=next(sides),
                state=state,
                withdrawn_reason="krank" if state == State.WITHDRAWN else "",
                invitation_held=held,
            )


@pytest.mark.parametrize("state", Cohort.State.values)
def test_the_lists_count_without_a_filter_is_the_querys(state):
    cohort = CohortFactory(state=state)
    _people(cohort)
    groups = selectors.participation_groups(cohort)
    everyone = selectors.participations_of(cohort)
    assert selectors.participation_count(cohort, groups, needing_action=False) == (everyone.count())
    assert selectors.participation_count(cohort, groups, needing_action=True) == (
        selectors.participations_needing_action(cohort, everyone).count()
    )
    assert selectors.held_invitations(groups) == everyone.filter(invitation_held=True).count()
    holders = sum(g["n"] for g in groups if g["state"] in certificates.HOLDERS)
    assert holders == certificates.holders(cohort).count()


@pytest.mark.parametrize("state", Cohort.State.values)
def test_the_first_pages_kept_facts_are_the_groups(state):
    """What the list as first shown keeps (`participation_list_facts`) is what it read of
    the groups, and the digest of the options is the filter's own."""
    from cohorts.forms import ParticipationFilter

    cohort = CohortFactory(state=state)
    _people(cohort)
    OrganisationFactory(name="<&\"'> Elsewhere")  # nobody of this cohort's
    Organisation.objects.filter(pk=cohort.programme.organisation_id).update(name="<&\"'> Amt")
    cohort = Cohort.objects.select_related("programme").get(pk=cohort.pk)
    groups = selectors.participation_groups(cohort)
    everyone = selectors.participations_of(cohort)
    facts = selectors.participation_list_facts(cohort)
    assert facts == {
        "count_all": everyone.count(),
        "count_action": selectors.participations_needing_action(cohort, everyone).count(),
        "held": everyone.filter(invitation_held=True).count(),
        "organisations": selectors.organisations_digest(selectors.cohort_organisations(groups)),
    }
    assert facts["count_action"] == selectors.participation_count(
        cohort, groups, needing_action=True
    )
    blank = ParticipationFilter(
        None, queryset=Participation.objects.none(), cohort=cohort, groups=groups
    )
    kept = ParticipationFilter(
        None,
        queryset=Participation.objects.none(),
        cohort=cohort,
        groups=lambda: pytest.fail("the groups are read only to make the form"),
        organisations_digest=facts["organisations"],
    )
    assert kept.blank_form_facts() == blank.blank_form_facts()


def test_the_first_page_shows_a_renamed_organisation_at_once(client):
    cohort = CohortFactory(state=Cohort.State.OPEN)
    client.force_login(office_user(cohort.programme.organisation))
    company = OrganisationFactory(name="Alte Firma", short_name="")
    ParticipationFactory(cohort=cohort, user=UserFactory(password=False), organisation=company)
    assert "Alte Firma" in client.get(f"/cohorts/{cohort.pk}/participants/").content.decode()
    company.name = "Neue <&\"'> Firma"
    company.save()
    html = client.get(f"/cohorts/{cohort.pk}/participants/").content.decode()
    assert "Alte Firma" not in html
    assert "Neue &lt;&amp;&quot;&#x27;&gt; Firma" in html
    # Another organisation's person joins: an option more, the count one more.
    other = OrganisationFactory(name="Dritte GmbH", short_name="")
    ParticipationFactory(cohort=cohort, user=UserFactory(password=False), organisation=other)
    response = client.get(f"/cohorts/{cohort.pk}/participants/")
    assert "Dritte GmbH" in response.content.decode()
    assert response.context["page"].paginator.count == 2


def test_the_organisation_options_are_the_cohorts_organisations_by_name():
    cohort = CohortFactory()
    _people(cohort)
    OrganisationFactory(name="Elsewhere")  # nobody of this cohort's
    expected = [
        (org.pk, org.short_name or org.name)
        for org in Organisation.objects.filter(participations__cohort=cohort)
        .distinct()
        .order_by("name", "pk")
    ]
    assert selectors.cohort_organisations(selectors.participation_groups(cohort)) == expected


def _page_count(client, cohort, query=""):
    response = client.get(f"/cohorts/{cohort.pk}/participants/{query}")
    assert response.status_code == 200
    return response.context["page"].paginator.count, response.context["held"]


def test_the_participant_list_counts_each_view_as_its_rows(client):
    cohort = CohortFactory(state=Cohort.State.RUNNING)
    _people(cohort)
    client.force_login(office_user(cohort.programme.organisation))
    everyone = selectors.participations_of(cohort)
    waiting = selectors.participations_needing_action(cohort, everyone)
    held = everyone.filter(invitation_held=True).count()
    assert _page_count(client, cohort) == (waiting.count(), held)
    assert _page_count(client, cohort, "?show=all&sort=-name&page=2") == (everyone.count(), held)
    # A filter is counted by its query.
    assert _page_count(client, cohort, "?state=nominated") == (
        everyone.filter(state=State.NOMINATED).count(),
        held,
    )
    assert _page_count(client, cohort, "?show=action&side=external") == (
        waiting.filter(side="external").count(),
        held,
    )


def test_each_write_is_counted_at_once(client, django_capture_on_commit_callbacks):
    cohort = CohortFactory(state=Cohort.State.MATCHING)
    office = office_user(cohort.programme.organisation)
    client.force_login(office)
    person = ParticipationFactory(cohort=cohort, user=UserFactory(password=False))
    held = ParticipationFactory(
        cohort=cohort, user=UserFactory(password=False), invitation_held=True
    )
    assert _page_count(client, cohort) == (2, 1)
    # A sign-in saves last_login.
    user_logged_in.send(sender=type(person.user), request=None, user=person.user)
    assert _page_count(client, cohort) == (1, 1)
    # The invitation sent again is no longer held (written without signals).
    with django_capture_on_commit_callbacks(execute=True):
        participation_invite_again(participation=held, by=office)
    assert _page_count(client, cohort) == (1, 0)
    # A new import's held invitations, then sent from the list (written without signals).
    other = ParticipationFactory(
        cohort=cohort, user=UserFactory(password=False), invitation_held=True
    )
    assert _page_count(client, cohort) == (2, 1)
    with django_capture_on_commit_callbacks(execute=True):
        imports.participations_send_held_invitations(cohort=cohort, by=office)
    assert _page_count(client, cohort) == (2, 0)
    other.refresh_from_db()
    other.state = State.WITHDRAWN
    other.withdrawn_reason = "krank"
    other.save()
    assert _page_count(client, cohort) == (1, 0)
    assert _page_count(client, cohort, "?show=all") == (3, 0)
    other.delete()
    assert _page_count(client, cohort, "?show=all") == (2, 0)


def test_the_bulk_invitation_clears_held_invitations_at_once(client):
    cohort = CohortFactory(state=Cohort.State.MATCHING)
    office = office_user(cohort.programme.organisation)
    client.force_login(office)
    held = ParticipationFactory(
        cohort=cohort, user=UserFactory(password=False), invitation_held=True
    )
    assert _page_count(client, cohort) == (1, 1)
    outcome = bulk.participations_invite_again(participations=[held], by=office)
    assert outcome.done == [held]
    assert _page_count(client, cohort) == (1, 0)


def test_the_certificates_page_lists_the_holders_by_name_and_counts_them(client):
    cohort = CohortFactory(state=Cohort.State.RUNNING)
    names = cycle(["Berta", "anton", "Anton", "Ölaf", "Zoe", "Berta"])
    for index in range(40):
        ParticipationFactory(
            cohort=cohort,
            user=UserFactory(name=next(names)),
            state=[State.CONFIRMED, State.ACTIVE, State.COMPLETED, State.NOMINATED][index % 4],
        )
    client.force_login(office_user(cohort.programme.organisation))
    expected = list(certificates.holders(cohort).values_list("pk", flat=True))
    shown = []
    for number in (1, 2):
        response = client.get(f"/cohorts/{cohort.pk}/certificates/?page={number}")
        assert response.status_code == 200
        assert response.context["total"] == len(expected) == 30
        shown += [person.pk for person in response.context["page"].object_list]
    assert shown == expected
