"""Participations: the services with their guards, the list, adding one person, changing
the state, and the partner contact's read-only list."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from cohorts.models import Cohort, Participation
from cohorts.services.participations import participation_add, participation_set_state
from pioneer.access import SYSTEM
from pioneer.models import Organisation, Role, User
from tests.factories.cohorts import CohortFactory, ParticipationFactory, external_participation
from tests.factories.core import (
    OrganisationFactory,
    UserFactory,
    office_user,
    participant_user,
    partner_of,
    partner_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory()


@pytest.fixture
def office(cohort):
    return office_user(cohort.programme.organisation)


def _url(name, cohort, **kwargs):
    return reverse(f"cohorts:{name}", kwargs={"cohort_pk": cohort.pk, **kwargs})


# services --------------------------------------------------------------------------------


def test_add_creates_the_person_with_a_role_and_invites_them(
    cohort, office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        participation = participation_add(
            cohort=cohort,
            email=" Nina@Example.org ",
            name="Nina Neu",
            organisation=cohort.programme.organisation,
            side=Participation.Side.ADMINISTRATION,
            position="Referentin",
            language="en",
            by=office,
        )
    user = User.objects.get(email="nina@example.org")
    assert participation.user == user
    assert participation.state == Participation.State.NOMINATED
    assert user.language == "en"
    assert not user.has_usable_password()
    assert Role.objects.filter(user=user, kind=Role.Kind.PARTICIPANT).exists()
    assert [m.to for m in mail.outbox] == [["nina@example.org"]]
    assert participation.history.first().history_user == office


def test_add_refuses_a_closed_cohort(office):
    cohort = CohortFactory(state=Cohort.State.CLOSED)
    with pytest.raises(ValidationError):
        participation_add(
            cohort=cohort,
            email="x@example.org",
            name="X",
            organisation=cohort.programme.organisation,
            side=Participation.Side.ADMINISTRATION,
            by=SYSTEM,
        )
    assert not User.objects.filter(email="x@example.org").exists()


def test_add_refuses_a_side_that_does_not_fit_the_organisation(cohort):
    company = OrganisationFactory(kind=Organisation.Kind.COMPANY)
    with pytest.raises(ValidationError) as error:
        participation_add(
            cohort=cohort,
            email="x@example.org",
            name="X",
            organisation=company,
            side=Participation.Side.ADMINISTRATION,
            by=SYSTEM,
        )
    assert "side" in error.value.error_dict
    with pytest.raises(ValidationError):
        participation_add(
            cohort=cohort,
            email="y@example.org",
            name="Y",
            organisation=cohort.programme.organisation,
            side=Participation.Side.EXTERNAL,
            by=SYSTEM,
        )
    assert not Participation.objects.exists()


def test_add_refuses_someone_already_in_the_cohort(cohort):
    existing = ParticipationFactory(cohort=cohort)
    with pytest.raises(ValidationError):
        participation_add(
            cohort=cohort,
            email=existing.user.email.upper(),
            name="Again",
            organisation=cohort.programme.organisation,
            side=Participation.Side.ADMINISTRATION,
            by=SYSTEM,
        )
    assert Participation.objects.count() == 1


def test_withdrawal_needs_a_reason(cohort):
    participation = ParticipationFactory(cohort=cohort)
    with pytest.raises(ValidationError):
        participation_set_state(
            by=SYSTEM, participation=participation, state="withdrawn", reason="  "
        )
    participation.refresh_from_db()
    assert participation.state == Participation.State.CONFIRMED
    participation_set_state(
        by=SYSTEM, participation=participation, state="withdrawn", reason="Elternzeit"
    )
    participation.refresh_from_db()
    assert participation.state == Participation.State.WITHDRAWN
    assert participation.withdrawn_reason == "Elternzeit"


def test_state_follows_the_allowed_steps(cohort):
    participation = ParticipationFactory(cohort=cohort, state=Participation.State.NOMINATED)
    with pytest.raises(ValidationError):
        participation_set_state(by=SYSTEM, participation=participation, state="completed")
    participation_set_state(by=SYSTEM, participation=participation, state="confirmed")
    participation_set_state(by=SYSTEM, participation=participation, state="active")
    participation_set_state(by=SYSTEM, participation=participation, state="completed")
    participation.refresh_from_db()
    assert participation.state == Participation.State.COMPLETED


def test_state_change_tells_the_hooks(cohort):
    from cohorts import hooks
    from tests.hooks import connected

    participation = ParticipationFactory(cohort=cohort)
    seen = []

    def react(participation, old_state, by):
        seen.append((participation.pk, old_state, participation.state, by))

    with connected(hooks.participation_state_changed, react):
        participation_set_state(
            by=SYSTEM, participation=participation, state="withdrawn", reason="krank"
        )
        participation_set_state(
            by=SYSTEM, participation=participation, state="withdrawn", reason="krank"
        )
    assert seen == [(participation.pk, "confirmed", "withdrawn", None)]


def test_renominating_clears_the_withdrawal_reason(cohort):
    participation = ParticipationFactory(
        cohort=cohort, state=Participation.State.WITHDRAWN, withdrawn_reason="krank"
    )
    participation_set_state(by=SYSTEM, participation=participation, state="nominated")
    participation.refresh_from_db()
    assert participation.withdrawn_reason == ""


# the list --------------------------------------------------------------------------------


def test_list_as_owner_shows_the_people(client, cohort, office):
    ParticipationFactory(cohort=cohort, user=UserFactory(name="Anna Albrecht"))
    external_participation(cohort, user=UserFactory(name="Ben Brandt"))
    ParticipationFactory(user=UserFactory(name="Someone Elsewhere"))
    client.force_login(office)
    response = client.get(_url("participation_list", cohort))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Anna Albrecht" in body and "Ben Brandt" in body
    assert "Someone Elsewhere" not in body


def test_list_filters_by_side_and_search(client, cohort, office):
    ParticipationFactory(cohort=cohort, user=UserFactory(name="Anna Albrecht"))
    external_participation(cohort, user=UserFactory(name="Ben Brandt"))
    client.force_login(office)
    body = client.get(_url("participation_list", cohort), {"side": "external"}).content.decode()
    assert "Ben Brandt" in body and "Anna Albrecht" not in body
    body = client.get(_url("participation_list", cohort), {"q": "albrecht"}).content.decode()
    assert "Anna Albrecht" in body and "Ben Brandt" not in body


def test_list_of_another_ministrys_cohort_is_404(client, cohort):
    client.force_login(office_user())
    assert client.get(_url("participation_list", cohort)).status_code == 404


def test_list_anonymously_redirects_to_login(client, cohort):
    response = client.get(_url("participation_list", cohort))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_list_as_participant_or_partner_is_forbidden(client, cohort):
    participation = ParticipationFactory(cohort=cohort)
    client.force_login(participation.user)
    assert client.get(_url("participation_list", cohort)).status_code == 403
    client.force_login(partner_user(cohort.programme.organisation))
    assert client.get(_url("participation_list", cohort)).status_code == 403


@pytest.mark.parametrize("url_name", ["participation_list", "cohort_registrations"])
def test_query_count_is_flat_from_1_to_50_people(
    client, cohort, office, url_name, django_assert_num_queries
):
    ParticipationFactory(cohort=cohort)
    client.force_login(office)
    client.get(_url(url_name, cohort))  # warm caches (content types, ...)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(_url(url_name, cohort)).status_code == 200
    expected = len(one)
    assert expected <= 10
    for _ in range(49):
        if _ % 2:
            external_participation(cohort)
        else:
            ParticipationFactory(cohort=cohort)
    # Warm again: the writes replaced the change token of the kept counts (cohorts.figures).
    client.get(_url(url_name, cohort))
    with django_assert_num_queries(expected):
        assert client.get(_url(url_name, cohort)).status_code == 200


# adding one person -----------------------------------------------------------------------


def test_add_view_adds_and_invites(client, cohort, office, django_capture_on_commit_callbacks):
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("participation_add", cohort),
            {
                "name": "Nina Neu",
                "email": "nina@example.org",
                "language": "de",
                "side": "administration",
                "organisation": cohort.programme.organisation.pk,
                "position": "Referentin",
            },
        )
    assert response.status_code == 302
    assert Participation.objects.filter(cohort=cohort, user__email="nina@example.org").exists()
    assert len(mail.outbox) == 1


def test_add_view_with_bad_input_changes_nothing(client, cohort, office):
    company = partner_of(cohort.programme.organisation)
    client.force_login(office)
    client.cookies["django_language"] = "en"
    response = client.post(
        _url("participation_add", cohort),
        {
            "name": "",
            "email": "not-an-address",
            "language": "de",
            "side": "administration",
            "organisation": company.pk,
        },
    )
    assert response.status_code == 400
    response = client.post(
        _url("participation_add", cohort),
        {
            "name": "Nina",
            "email": "nina@example.org",
            "language": "de",
            "side": "administration",
            "organisation": company.pk,
        },
    )
    assert response.status_code == 400
    assert "is no ministry or authority" in response.content.decode()
    assert not Participation.objects.exists()
    assert not User.objects.filter(email="nina@example.org").exists()


def test_add_view_permissions(client, cohort):
    url = _url("participation_add", cohort)
    assert client.get(url).status_code == 302
    client.force_login(office_user())
    assert client.get(url).status_code == 404
    client.force_login(participant_user())
    assert client.get(url).status_code == 403
    client.force_login(office_user(cohort.programme.organisation))
    assert client.get(url).status_code == 200


# one person: details and state -----------------------------------------------------------


def test_detail_changes_the_state_with_a_reason(client, cohort, office):
    participation = ParticipationFactory(cohort=cohort)
    url = _url("participation_detail", cohort, pk=participation.pk)
    client.force_login(office)
    assert client.get(url).status_code == 200
    response = client.post(url, {"state": "withdrawn", "reason": ""})
    assert response.status_code == 400
    participation.refresh_from_db()
    assert participation.state == Participation.State.CONFIRMED
    response = client.post(url, {"state": "withdrawn", "reason": "Stellenwechsel"})
    assert response.status_code == 302
    participation.refresh_from_db()
    assert participation.state == Participation.State.WITHDRAWN
    assert participation.history.first().history_user == office


def test_detail_shows_the_last_20_records_as_the_history_gives_them(client, cohort, office):
    """The history is read with kept SQL (`participation_history`): the records, their
    order, states and authors are the participation's own history's, and a change shows
    on the next visit."""
    from django.test.utils import override_settings

    participation = ParticipationFactory(cohort=cohort)
    author = office_user(cohort.programme.organisation)
    User.objects.filter(pk=author.pk).update(name="Amt <&\"'>")
    author.refresh_from_db()
    states = ["nominated", "confirmed"] * 11
    for index, state in enumerate(states):
        participation_set_state(
            participation=participation, state=state, reason="", by=author if index % 2 else office
        )
    url = _url("participation_detail", cohort, pk=participation.pk)
    client.force_login(office)

    def shown():
        history = client.get(url).context["history"]
        return [
            (e.history_id, e.history_date, e.get_state_display(), str(e.history_user or ""))
            for e in history
        ]

    def expected():
        return [
            (e.history_id, e.history_date, e.get_state_display(), str(e.history_user or ""))
            for e in participation.history.select_related("history_user").order_by("-history_date")[
                :20
            ]
        ]

    assert len(expected()) == 20
    assert shown() == expected()
    with override_settings(LANGUAGE_CODE="en"):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Amt &lt;&amp;&quot;&#x27;&gt;" in html
    participation.refresh_from_db()
    participation_set_state(participation=participation, state="nominated", reason="", by=author)
    assert shown() == expected()
    assert shown()[0][0] == participation.history.latest("history_date").history_id


def test_detail_permissions(client, cohort):
    participation = ParticipationFactory(cohort=cohort)
    url = _url("participation_detail", cohort, pk=participation.pk)
    assert client.get(url).status_code == 302
    client.force_login(office_user())
    assert client.get(url).status_code == 404
    assert client.post(url, {"state": "active"}).status_code == 404
    client.force_login(participation.user)
    assert client.get(url).status_code == 403
    # Someone else's participation under one's own cohort's address: 404.
    other = ParticipationFactory()
    client.force_login(office_user(cohort.programme.organisation))
    wrong = _url("participation_detail", cohort, pk=other.pk)
    assert client.get(wrong).status_code == 404
    participation.refresh_from_db()
    assert participation.state == Participation.State.CONFIRMED


def _details(participation, **changes):
    data = {
        "side": participation.side,
        "organisation": participation.organisation_id,
        "position": participation.position,
        "topics": participation.topics,
        "expertise": participation.expertise,
        "goals": participation.goals,
    }
    return {**data, **changes}


def test_edit_saves_the_details(client, cohort, office):
    participation = ParticipationFactory(cohort=cohort)
    url = _url("participation_edit", cohort, pk=participation.pk)
    client.force_login(office)
    assert client.get(url).status_code == 200
    response = client.post(url, _details(participation, position="Referatsleitung", goals="Agil"))
    assert response.status_code == 302
    participation.refresh_from_db()
    assert (participation.position, participation.goals) == ("Referatsleitung", "Agil")
    assert participation.history.first().history_user == office


def test_edit_with_a_side_that_does_not_fit_changes_nothing(client, cohort, office):
    participation = ParticipationFactory(cohort=cohort, position="Referentin")
    company = partner_of(cohort.programme.organisation)
    url = _url("participation_edit", cohort, pk=participation.pk)
    client.force_login(office)
    response = client.post(
        url, _details(participation, organisation=company.pk, position="Changed")
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    participation.refresh_from_db()
    assert participation.position == "Referentin"
    assert participation.organisation != company


def test_edit_permissions(client, cohort):
    participation = ParticipationFactory(cohort=cohort, position="Referentin")
    url = _url("participation_edit", cohort, pk=participation.pk)
    assert client.get(url).status_code == 302  # anonymous: to the login
    client.force_login(office_user())  # another ministry's office
    assert client.get(url).status_code == 404
    assert client.post(url, _details(participation, position="X")).status_code == 404
    client.force_login(participation.user)  # a participant
    assert client.get(url).status_code == 403
    participation.refresh_from_db()
    assert participation.position == "Referentin"


# partner contacts ------------------------------------------------------------------------


def test_partner_sees_only_their_organisations_people(client, cohort):
    company = OrganisationFactory(kind=Organisation.Kind.COMPANY, name="Partner GmbH")
    external_participation(cohort, organisation=company, user=UserFactory(name="Ben Brandt"))
    external_participation(cohort, user=UserFactory(name="Other Expert"))
    ParticipationFactory(cohort=cohort, user=UserFactory(name="Anna Albrecht"))
    client.force_login(partner_user(company))
    response = client.get(reverse("cohorts:partner_people"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ben Brandt" in body
    assert "Other Expert" not in body and "Anna Albrecht" not in body


def test_partner_people_permissions(client, cohort):
    url = reverse("cohorts:partner_people")
    assert client.get(url).status_code == 302
    client.force_login(participant_user())
    assert client.get(url).status_code == 403
    client.force_login(office_user(cohort.programme.organisation))
    assert client.get(url).status_code == 403
    # A contact of an organisation without people sees an empty list, not others' people.
    external_participation(cohort, user=UserFactory(name="Ben Brandt"))
    client.force_login(partner_user(OrganisationFactory(kind=Organisation.Kind.COMPANY)))
    response = client.get(url)
    assert response.status_code == 200
    assert "Ben Brandt" not in response.content.decode()


def test_partner_list_query_count_is_flat(client, cohort, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    company = OrganisationFactory(kind=Organisation.Kind.COMPANY)
    contact = partner_user(company)
    external_participation(cohort, organisation=company)
    client.force_login(contact)
    url = reverse("cohorts:partner_people")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    assert len(one) <= 10
    for _ in range(49):
        external_participation(CohortFactory(), organisation=company)
    with django_assert_num_queries(len(one)):
        assert client.get(url).status_code == 200


# the demo world ----------------------------------------------------------------------------


def test_demo_world_has_people_in_the_pilot_and_the_running_cohort(
    client, django_assert_max_num_queries
):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    running = Cohort.objects.get(slug="durchgang-2")
    people = {
        p.user.email: p
        for p in Participation.objects.filter(cohort=running).select_related("organisation")
    }
    assert people["anna@mluk.example"].side == "administration"
    assert people["anna@mluk.example"].organisation.short_name == "MLUK"
    assert people["ben@partner.example"].side == "external"
    assert people["clara@mluk.example"].side == "administration"
    pilot = Participation.objects.filter(cohort__slug="pilot")
    assert pilot.filter(state=Participation.State.COMPLETED).count() >= 2
    client.force_login(User.objects.get(email="office@mluk.example"))
    for name in ("participation_list", "cohort_registrations"):
        with django_assert_max_num_queries(10):
            response = client.get(_url(name, running))
        assert response.status_code == 200
        assert "Anna Albrecht" in response.content.decode() or name == "cohort_registrations"
    client.force_login(User.objects.get(email="contact@partner.example"))
    body = client.get(reverse("cohorts:partner_people")).content.decode()
    assert "Ben Brandt" in body and "Anna Albrecht" not in body


def test_list_with_nonsense_filters_still_answers(client, cohort, office):
    ParticipationFactory(cohort=cohort, user=UserFactory(name="Anna Albrecht"))
    client.force_login(office)
    for query in ({"organisation": "abc"}, {"side": "bogus"}, {"page": "999"}, {"tandem": "x"}):
        response = client.get(_url("participation_list", cohort), query)
        assert response.status_code == 200, query


def test_list_filters_people_who_never_signed_in(client, cohort, office):
    ParticipationFactory(cohort=cohort, user=UserFactory(name="Never Signed"))
    client.force_login(office)
    body = client.get(_url("participation_list", cohort), {"signed_in": "no"}).content.decode()
    assert "Never Signed" in body
    body = client.get(_url("participation_list", cohort), {"signed_in": "yes"}).content.decode()
    assert "Never Signed" not in body
