"""Organisation boundaries in the cohorts app: every organisation choice offers and
accepts only what the office acts for; partner contacts see only what an office linked
explicitly; accepting a registration with a resembling organisation asks the office."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cohorts.models import Cohort, InterestRegistration, Participation
from cohorts.services.participations import participation_add, participation_update
from pioneer.access import OrganisationRefused
from pioneer.models import Organisation, PartnerLink, Role, User
from tests.cohorts.test_import import _csv, participations_import
from tests.factories.cohorts import (
    CohortFactory,
    InterestRegistrationFactory,
    ParticipationFactory,
    external_participation,
)
from tests.factories.core import OrganisationFactory, office_user, partner_of, partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ministry = OrganisationFactory(name="Ministerium für Test", short_name="MfT")
    other = OrganisationFactory(name="Anderes Ministerium", short_name="AM")
    cohort = CohortFactory(programme__organisation=ministry, state=Cohort.State.MATCHING)
    other_cohort = CohortFactory(programme__organisation=other, state=Cohort.State.MATCHING)
    return {
        "ministry": ministry,
        "other": other,
        "cohort": cohort,
        "other_cohort": other_cohort,
        "partner": partner_of(ministry, name="Partner GmbH"),
        "foreign_partner": partner_of(other, name="Fremd GmbH"),
        "office": office_user(ministry),
        "stranger": office_user(other),
    }


def _person(organisation, side="external", email="neu@example.org"):
    return {
        "name": "Neu",
        "email": email,
        "language": "de",
        "side": side,
        "organisation": organisation.pk,
    }


# adding and editing people ----------------------------------------------------------------


def test_participation_add_refuses_a_foreign_organisation(world):
    for organisation, side in (
        (world["foreign_partner"], "external"),
        (world["other"], "administration"),
    ):
        with pytest.raises(OrganisationRefused):
            participation_add(
                cohort=world["cohort"],
                email="x@example.org",
                name="X",
                organisation=organisation,
                side=side,
                by=world["office"],
            )
    with pytest.raises(TypeError):
        participation_add(
            cohort=world["cohort"],
            email="x@example.org",
            name="X",
            organisation=world["partner"],
            side="external",
            by=None,
        )
    assert not Participation.objects.exists()
    assert not User.objects.filter(email="x@example.org").exists()


def test_participation_update_refuses_a_foreign_organisation(world):
    participation = external_participation(world["cohort"], organisation=world["partner"])
    with pytest.raises(ValidationError):
        participation_update(
            participation=participation,
            by=world["office"],
            organisation=world["foreign_partner"],
        )
    participation.refresh_from_db()
    assert participation.organisation == world["partner"]


def test_add_form_offers_and_accepts_only_the_offices_organisations(client, world):
    client.force_login(world["office"])
    url = f"/cohorts/{world['cohort'].pk}/participants/add/"
    offered = set(client.get(url).context["form"].fields["organisation"].queryset)
    assert offered == {world["ministry"], world["partner"]}
    response = client.post(url, _person(world["foreign_partner"]))
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    assert not Participation.objects.exists()
    assert mail.outbox == []


def test_edit_form_refuses_a_foreign_organisation(client, world):
    participation = external_participation(world["cohort"], organisation=world["partner"])
    client.force_login(world["office"])
    url = f"/cohorts/{world['cohort'].pk}/participants/{participation.pk}/edit/"
    response = client.post(
        url, {"side": "external", "organisation": world["foreign_partner"].pk, "position": "X"}
    )
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    participation.refresh_from_db()
    assert participation.organisation == world["partner"]


def test_import_knows_only_the_offices_organisations(world):
    rows = [
        ["Name", "E-Mail", "Seite", "Organisation"],
        ["Fremd", "fremd@example.org", "external", "Fremd GmbH"],
        ["Amt", "amt@example.org", "administration", "AM"],
        ["Gut", "gut@example.org", "external", "Partner GmbH"],
    ]
    report = participations_import(cohort=world["cohort"], upload=_csv(rows), by=world["office"])
    assert not report.ok
    assert [row.line for row in report.error_rows] == [2, 3]
    assert all("Organisation" in row.errors[0] for row in report.error_rows)
    assert not Participation.objects.exists()


# partner contacts -----------------------------------------------------------------------


def test_partner_contact_does_not_see_registrations_by_name(client, world):
    contact = partner_user(world["partner"])
    # Someone registered under the partner's name; nobody linked it.
    unlinked = InterestRegistrationFactory(
        cohort=CohortFactory(programme__organisation=world["ministry"], state="open"),
        organisation_name="Partner GmbH",
        state="confirmed",
    )
    client.force_login(contact)
    assert list(client.get("/registrations/").context["page"].object_list) == []
    assert client.get(f"/registrations/{unlinked.pk}/").status_code == 404
    # Once the office accepts it and links it to the partner, the contact sees it.
    from cohorts import services

    services.registration_accept(
        registration=unlinked,
        by=world["office"],
        organisation=world["partner"],
        make_contact=False,
    )
    assert client.get(f"/registrations/{unlinked.pk}/").status_code == 200


def test_partner_contact_sees_people_only_in_programmes_that_linked_the_organisation(client, world):
    contact = partner_user(world["partner"])
    ours = external_participation(world["cohort"], organisation=world["partner"])
    # Another ministry's cohort with the partner's people, which that ministry never linked
    # (say, it unlinked it): the contact does not see them there.
    elsewhere = ParticipationFactory(
        cohort=world["other_cohort"], organisation=world["partner"], side="external"
    )
    client.force_login(contact)
    # Both read rows (name, e-mail, cohort, ...), not participations.
    shown = list(client.get("/partner/people/").context["page"].object_list)
    assert [(row.email, row.cohort) for row in shown] == [(ours.user.email, ours.cohort.title)]
    assert elsewhere.user.email not in {row.email for row in shown}
    # The home's panel states the same condition its own way.
    home = client.get("/home/").context["panels"]
    (panel,) = [p for p in home if p.key == "cohorts.partner_people"]
    assert [row.email for row in panel.context["people"]] == [ours.user.email]


def test_a_self_granted_partner_role_on_a_foreign_organisation_is_impossible(client, world):
    """The finding of issue 6: an office made itself partner contact of another ministry's
    partner and then read that organisation's people in the other ministry's cohorts."""
    external_participation(world["other_cohort"], organisation=world["foreign_partner"])
    client.force_login(world["office"])
    response = client.post(
        "/invite/",
        {
            "name": "Ich",
            "email": world["office"].email,
            "language": "de",
            "kind": "partner",
            "organisation": world["foreign_partner"].pk,
        },
    )
    assert response.status_code == 400
    assert not Role.objects.filter(user=world["office"], kind="partner").exists()
    assert client.get("/partner/people/").status_code == 403


# accepting a registration that resembles an existing organisation --------------------------


@pytest.fixture
def resembling(world):
    existing = OrganisationFactory(name="Gemeinwohl Lab e. V.", kind="nonprofit")
    old_contact = partner_user(existing, name="Alte Kontaktperson", email="alt@gemeinwohl.example")
    registration = InterestRegistrationFactory(
        cohort=CohortFactory(programme__organisation=world["ministry"], state="open"),
        organisation_name="Gemeinwohl Lab e.V.",
        organisation_kind="nonprofit",
        contact_email="neu@gemeinwohl.example",
    )
    return {"existing": existing, "old_contact": old_contact, "registration": registration}


def test_the_office_is_shown_the_resembling_organisation_and_its_contacts(
    client, world, resembling
):
    client.force_login(world["office"])
    response = client.get(f"/registrations/{resembling['registration'].pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Gemeinwohl Lab e. V." in body and "alt@gemeinwohl.example" in body
    form = response.context["decision_form"]
    assert [value for value, _label in form.fields["choice"].choices] == [
        str(resembling["existing"].pk),
        "new",
    ]
    assert not form.fields["choice"].initial  # nothing is chosen for the office
    assert not form.fields["make_contact"].initial


def test_link_without_making_the_contact_a_partner_contact(client, world, resembling):
    registration, existing = resembling["registration"], resembling["existing"]
    client.force_login(world["office"])
    response = client.post(
        f"/registrations/{registration.pk}/decide/",
        {"decision": "accept", "confirmed": "1", "choice": str(existing.pk)},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.state, registration.organisation) == ("accepted", existing)
    assert PartnerLink.objects.filter(office_organisation=world["ministry"], partner=existing)
    assert not User.objects.filter(email="neu@gemeinwohl.example").exists()
    assert mail.outbox == []


def test_link_and_make_the_contact_a_partner_contact(
    client, world, resembling, django_capture_on_commit_callbacks
):
    registration, existing = resembling["registration"], resembling["existing"]
    client.force_login(world["office"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/registrations/{registration.pk}/decide/",
            {
                "decision": "accept",
                "confirmed": "1",
                "choice": str(existing.pk),
                "make_contact": "on",
            },
        )
    assert response.status_code == 302
    assert Role.objects.filter(
        user__email="neu@gemeinwohl.example", kind="partner", organisation=existing
    ).exists()
    # The invitation, and the acceptance with what happens next.
    assert [m.to for m in mail.outbox] == [["neu@gemeinwohl.example"]] * 2


def test_create_new_beside_a_merely_similar_one(client, world):
    OrganisationFactory(name="Gemeinwohl Lab Cottbus e. V.", kind="nonprofit")
    registration = InterestRegistrationFactory(
        cohort=CohortFactory(programme__organisation=world["ministry"], state="open"),
        organisation_name="Gemeinwohl Lab",
        organisation_kind="nonprofit",
    )
    client.force_login(world["office"])
    page = client.get(f"/registrations/{registration.pk}/")
    assert len(page.context["candidates"]) == 1
    response = client.post(
        f"/registrations/{registration.pk}/decide/",
        {"decision": "accept", "confirmed": "1", "choice": "new", "make_contact": "on"},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.organisation.name == "Gemeinwohl Lab"
    assert Organisation.objects.filter(kind="nonprofit").count() == 2
    assert registration.contact_user.email == registration.contact_email


def test_create_new_of_the_same_normalised_name_is_refused(client, world, resembling):
    registration = resembling["registration"]
    client.force_login(world["office"])
    response = client.post(
        f"/registrations/{registration.pk}/decide/",
        {"decision": "accept", "confirmed": "1", "choice": "new", "make_contact": "on"},
    )
    assert response.status_code == 400
    assert "choice" in response.context["decision_form"].errors
    assert InterestRegistration.objects.get(pk=registration.pk).state == "confirmed"
    assert Organisation.objects.filter(kind="nonprofit").count() == 1


def test_accept_refuses_an_id_that_was_not_offered(client, world, resembling):
    registration = resembling["registration"]
    client.force_login(world["office"])
    response = client.post(
        f"/registrations/{registration.pk}/decide/",
        {
            "decision": "accept",
            "confirmed": "1",
            "choice": str(world["foreign_partner"].pk),
            "make_contact": "on",
        },
    )
    assert response.status_code == 400
    assert "choice" in response.context["decision_form"].errors
    registration.refresh_from_db()
    assert (registration.state, registration.organisation) == ("confirmed", None)


def test_the_review_page_with_candidates_keeps_its_query_budget(client, world, resembling):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["office"])
    url = f"/registrations/{resembling['registration'].pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        partner_user(
            OrganisationFactory(name=f"Gemeinwohl Lab e. V. Standort {n}", kind="nonprofit")
        )
    # The organisations found are kept under cohorts.figures' change token (the new ones
    # replaced it): counted once they are kept again, as the first count was.
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["candidates"]) == 10  # the closest ten
    assert len(few) <= 10
    assert len(many) == len(few)


def test_programme_create_only_for_the_offices_own_organisation(world):
    from cohorts import services

    with pytest.raises(OrganisationRefused):
        services.programme_create(
            organisation=world["other"], name="Fremd", slug="fremd", by=world["office"]
        )
    programme = services.programme_create(
        organisation=world["ministry"], name="Eigen", slug="eigen", by=world["office"]
    )
    assert programme.organisation == world["ministry"]


def test_registration_page_who_gets_what(world):
    from tests.access import assert_access
    from tests.factories.core import participant_user

    registration = InterestRegistrationFactory(
        cohort=CohortFactory(programme__organisation=world["ministry"], state="open"),
        organisation=world["partner"],
        state="accepted",
    )
    url = f"/registrations/{registration.pk}/"
    everyone_else = {
        "stranger": world["stranger"],
        "foreign_partner": partner_user(world["foreign_partner"]),
        "wrong_role": participant_user(),
    }
    assert_access(url, owner=world["office"], **everyone_else)
    assert_access(url, owner=partner_user(world["partner"]), **everyone_else)
