"""The office's organisation pages and the guards of the services that grant access:
an office acts only for its own organisation, its subordinate authorities and the
partners it linked explicitly."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pioneer import selectors, services
from pioneer.access import SYSTEM, OrganisationRefused
from pioneer.models import Organisation, PartnerLink, Role, User
from tests.access import assert_access
from tests.factories.core import (
    OrganisationFactory,
    office_user,
    participant_user,
    partner_of,
    partner_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ministry = OrganisationFactory(name="Ministerium für Test")
    authority = OrganisationFactory(kind="authority", parent=ministry, name="Landesamt Test")
    partner = partner_of(ministry, name="Partner GmbH")
    other = OrganisationFactory(name="Anderes Ministerium")
    foreign_partner = partner_of(other, name="Fremd GmbH")
    return {
        "ministry": ministry,
        "authority": authority,
        "partner": partner,
        "other": other,
        "foreign_partner": foreign_partner,
        "unlinked": OrganisationFactory(kind="company", name="Niemandes AG"),
        "office": office_user(ministry),
        "stranger": office_user(other),
    }


# the one answer ------------------------------------------------------------------------


def test_organisations_for_office_is_own_authorities_and_linked_partners(world):
    mine = set(selectors.organisations_for_office(world["office"]))
    assert mine == {world["ministry"], world["authority"], world["partner"]}
    theirs = set(selectors.organisations_for_office(world["stranger"]))
    assert theirs == {world["other"], world["foreign_partner"]}
    assert not selectors.organisations_for_office(partner_user(world["partner"])).exists()
    assert not selectors.organisations_for_office(participant_user()).exists()


def test_organisations_for_office_is_one_query(world, django_assert_num_queries):
    office = world["office"]
    selectors.organisations_for_office(office)  # the roles are read once per user
    with django_assert_num_queries(1):
        list(selectors.organisations_for_office(office))


# granting services refuse foreign organisations ------------------------------------------


def test_role_grant_refuses_organisations_the_office_does_not_act_for(world):
    person = User.objects.create_user("p@example.org")
    for organisation in (world["other"], world["foreign_partner"], world["unlinked"]):
        with pytest.raises(OrganisationRefused):
            services.role_grant(
                user=person, kind="partner", organisation=organisation, by=world["office"]
            )
    # An office role only for the office's own organisation, not for its partners.
    for organisation in (world["partner"], world["authority"], world["other"]):
        with pytest.raises(OrganisationRefused):
            services.role_grant(
                user=person, kind="office", organisation=organisation, by=world["office"]
            )
    assert not Role.objects.filter(user=person).exists()
    services.role_grant(
        user=person, kind="partner", organisation=world["partner"], by=world["office"]
    )
    assert Role.objects.filter(user=person, organisation=world["partner"]).exists()


def test_granting_without_an_actor_is_an_error_not_a_bypass(world):
    person = User.objects.create_user("p@example.org")
    with pytest.raises(TypeError):
        services.role_grant(user=person, kind="partner", organisation=world["other"], by=None)
    assert not Role.objects.filter(user=person).exists()
    services.role_grant(user=person, kind="partner", organisation=world["other"], by=SYSTEM)
    assert Role.objects.filter(user=person, organisation=world["other"]).exists()


def test_user_invite_refuses_a_foreign_organisation_and_sends_nothing(
    world, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as excinfo,
    ):
        services.user_invite(
            email="x@example.org",
            name="X",
            language="de",
            kind="partner",
            organisation=world["foreign_partner"],
            by=world["office"],
        )
    assert "organisation" in excinfo.value.message_dict
    assert not User.objects.filter(email="x@example.org").exists()
    assert mail.outbox == []


def test_partner_link_only_for_the_offices_own_organisation(world):
    with pytest.raises(OrganisationRefused):
        services.partner_link(
            office_organisation=world["other"], partner=world["unlinked"], by=world["office"]
        )
    link, created = services.partner_link(
        office_organisation=world["ministry"], partner=world["unlinked"], by=world["office"]
    )
    assert created and link.linked_by == world["office"]
    assert world["unlinked"] in selectors.organisations_for_office(world["office"])


def test_organisation_create_links_a_new_partner_and_guards_the_parent(world):
    office = world["office"]
    company = services.organisation_create(name="Neu GmbH", kind="company", by=office)
    assert PartnerLink.objects.filter(office_organisation=world["ministry"], partner=company)
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_create(
            name="Fremdes Landesamt", kind="authority", parent=world["other"], by=office
        )
    assert "parent" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_create(name="Neues Ministerium", kind="ministry", by=office)
    assert "kind" in excinfo.value.message_dict
    assert not Organisation.objects.filter(name__in=["Fremdes Landesamt", "Neues Ministerium"])


def test_organisation_update_refuses_another_ministrys_organisation(world):
    with pytest.raises(OrganisationRefused):
        services.organisation_update(
            organisation=world["foreign_partner"],
            by=world["office"],
            name="Übernommen",
            kind="company",
        )
    world["foreign_partner"].refresh_from_db()
    assert world["foreign_partner"].name == "Fremd GmbH"


def test_a_refused_update_leaves_the_callers_organisation_as_it_was(world):
    partner = world["partner"]
    name, city = partner.name, partner.city
    with pytest.raises(ValidationError):
        # A partner cannot become a ministry: refused after the values were given.
        services.organisation_update(
            organisation=partner, by=world["office"], name="Neu", kind="ministry", city="X"
        )
    assert (partner.name, partner.city, partner.kind) == (name, city, "company")
    partner.refresh_from_db()
    assert partner.name == name


# the pages -------------------------------------------------------------------------------


def test_organisation_pages_who_gets_what(world):
    partner = world["partner"]
    common = {
        "owner": world["office"],
        "stranger": world["stranger"],
        "foreign_partner": partner_user(world["foreign_partner"]),
        "foreign_partner_status": 403,  # office pages: the role gate answers first
        "wrong_role": participant_user(),
    }
    for url in (
        "/organisations/",
        "/organisations/new/",
    ):
        assert_access(url, **{**common, "stranger": None})
    for url in (f"/organisations/{partner.pk}/", f"/organisations/{partner.pk}/edit/"):
        assert_access(url, **common)
    assert_access(
        f"/organisations/{partner.pk}/contacts/",
        method="post",
        data={},
        owner_status=400,
        **common,
    )
    # A partner contact of the organisation itself is no office either.
    assert_access(
        f"/organisations/{partner.pk}/",
        owner=world["office"],
        wrong_role=partner_user(partner),
        check_anonymous=False,
    )


def test_organisation_list_shows_only_what_the_office_acts_for(client, world):
    client.force_login(world["office"])
    response = client.get("/organisations/")
    names = {org.name for org in response.context["organisations"]}
    assert names == {"Ministerium für Test", "Landesamt Test", "Partner GmbH"}
    body = response.content.decode()
    assert "Fremd GmbH" not in body and "Niemandes AG" not in body


def test_organisation_list_keeps_a_flat_query_count(client, world):
    client.force_login(world["office"])
    client.get("/organisations/")
    with CaptureQueriesContext(connection) as one:
        client.get("/organisations/")
    for n in range(49):
        partner_user(partner_of(world["ministry"], name=f"Partner {n} GmbH"))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/organisations/")
    # 52 in all, a page of 50 at a time.
    assert response.context["page"].paginator.count == 52
    assert len(response.context["organisations"]) == 50
    assert (
        "Page 1 of 2" in response.content.decode() or "Seite 1 von 2" in response.content.decode()
    )
    assert len(one) <= 10
    assert len(many) == len(one)


def test_add_a_partner_organisation_and_an_authority(client, world):
    client.force_login(world["office"])
    response = client.post(
        "/organisations/new/",
        {"name": "Zukunft e. V.", "kind": "nonprofit", "city": "Cottbus"},
    )
    assert response.status_code == 302
    created = Organisation.objects.get(name="Zukunft e. V.")
    assert created in selectors.organisations_for_office(world["office"])
    response = client.post(
        "/organisations/new/",
        {"name": "Landesamt Neu", "kind": "authority", "parent": world["ministry"].pk},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(name="Landesamt Neu").parent == world["ministry"]


def test_add_refuses_a_foreign_parent_and_a_ministry(client, world):
    client.force_login(world["office"])
    before = Organisation.objects.count()
    response = client.post(
        "/organisations/new/",
        {"name": "Landesamt Fremd", "kind": "authority", "parent": world["other"].pk},
    )
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors
    response = client.post("/organisations/new/", {"name": "Ministerium X", "kind": "ministry"})
    assert response.status_code == 400
    assert "kind" in response.context["form"].errors
    response = client.post("/organisations/new/", {"name": "Landesamt Y", "kind": "authority"})
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors
    assert Organisation.objects.count() == before


def test_edit_keeps_the_guards(client, world):
    client.force_login(world["office"])
    url = f"/organisations/{world['authority'].pk}/edit/"
    response = client.post(
        url, {"name": "Landesamt Umbenannt", "kind": "authority", "parent": world["other"].pk}
    )
    assert response.status_code == 400
    world["authority"].refresh_from_db()
    assert (world["authority"].name, world["authority"].parent) == (
        "Landesamt Test",
        world["ministry"],
    )
    response = client.post(
        url, {"name": "Landesamt Umbenannt", "kind": "authority", "parent": world["ministry"].pk}
    )
    assert response.status_code == 302
    world["authority"].refresh_from_db()
    assert world["authority"].name == "Landesamt Umbenannt"


def test_invite_a_contact_from_the_organisation_page(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["office"])
    partner = world["partner"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/organisations/{partner.pk}/contacts/",
            {"name": "Kai Kontakt", "email": "kai@partner.example", "language": "en"},
        )
    assert response.status_code == 302
    assert Role.objects.filter(
        user__email="kai@partner.example", kind="partner", organisation=partner
    ).exists()
    assert [m.to for m in mail.outbox] == [["kai@partner.example"]]
    page = client.get(f"/organisations/{partner.pk}/")
    assert "kai@partner.example" in page.content.decode()


def test_invite_form_offers_and_accepts_only_the_offices_organisations(client, world):
    client.force_login(world["office"])
    response = client.get("/invite/")
    offered = set(response.context["form"].fields["organisation"].queryset)
    assert offered == {world["ministry"], world["authority"], world["partner"]}
    for foreign in (world["foreign_partner"], world["other"], world["unlinked"]):
        response = client.post(
            "/invite/",
            {
                "name": "Fremd",
                "email": "fremd@example.org",
                "language": "de",
                "kind": "partner",
                "organisation": foreign.pk,
            },
        )
        assert response.status_code == 400
        assert "organisation" in response.context["form"].errors
    assert not User.objects.filter(email="fremd@example.org").exists()


def test_adding_an_existing_organisation_offers_to_link_it(client, world):
    """The import's old dead end: the organisation exists, but for another ministry."""
    partner_user(world["foreign_partner"], email="fremd@fremd.example")
    client.force_login(world["office"])
    data = {"name": "Fremd GmbH", "kind": "company"}
    response = client.post("/organisations/new/", data)
    assert response.status_code == 200
    assert response.context["duplicate"] is True
    assert response.context["candidates"] == [world["foreign_partner"]]
    assert "fremd@fremd.example" in response.content.decode()
    # Asking to create it anyway does not make a second one.
    response = client.post("/organisations/new/", {**data, "create_anyway": "1"})
    assert Organisation.objects.filter(name="Fremd GmbH").count() == 1
    response = client.post(
        "/organisations/link/", {"organisation": world["foreign_partner"].pk, "name": "Fremd GmbH"}
    )
    assert response.status_code == 302
    assert world["foreign_partner"] in selectors.organisations_for_office(world["office"])
    assert (
        PartnerLink.objects.get(
            office_organisation=world["ministry"], partner=world["foreign_partner"]
        ).linked_by
        == world["office"]
    )


def test_a_similar_name_may_still_become_a_new_organisation(client, world):
    client.force_login(world["office"])
    data = {"name": "Fremd GmbH Cottbus", "kind": "company"}
    response = client.post("/organisations/new/", data)
    assert response.status_code == 200
    assert response.context["duplicate"] is False
    assert Organisation.objects.filter(name="Fremd GmbH Cottbus").count() == 0
    response = client.post("/organisations/new/", {**data, "create_anyway": "1"})
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Fremd GmbH Cottbus").count() == 1


def test_link_only_what_was_offered(client, world):
    client.force_login(world["office"])
    for data in (
        {"organisation": world["unlinked"].pk, "name": "Fremd GmbH"},  # not resembling
        {"organisation": world["other"].pk, "name": "Anderes Ministerium"},  # a ministry
        {"organisation": "x", "name": ""},
    ):
        assert client.post("/organisations/link/", data).status_code == 404
    assert not PartnerLink.objects.filter(office_organisation=world["ministry"]).exclude(
        partner=world["partner"]
    )
    assert_access(
        "/organisations/link/",
        method="post",
        data={"organisation": world["foreign_partner"].pk, "name": "Fremd GmbH"},
        owner=world["office"],
        wrong_role=participant_user(),
        foreign_partner=partner_user(world["foreign_partner"]),
        foreign_partner_status=403,
        owner_status=302,
    )


def test_a_linked_authority_of_another_ministry_is_seen_but_not_edited(client, world):
    foreign_authority = OrganisationFactory(
        kind="authority", parent=world["other"], name="Fremdes Landesamt"
    )
    services.partner_link(
        office_organisation=world["ministry"], partner=foreign_authority, by=world["office"]
    )
    client.force_login(world["office"])
    page = client.get(f"/organisations/{foreign_authority.pk}/")
    assert page.status_code == 200
    assert page.context["can_edit"] is False
    assert client.get(f"/organisations/{foreign_authority.pk}/edit/").status_code == 403
    with pytest.raises(OrganisationRefused):
        services.organisation_update(
            organisation=foreign_authority,
            by=world["office"],
            name="Umgehängt",
            kind="authority",
            parent=world["ministry"],
        )
    foreign_authority.refresh_from_db()
    assert foreign_authority.parent == world["other"]
    # The office's own authority stays editable.
    assert client.get(f"/organisations/{world['authority'].pk}/").context["can_edit"] is True
