"""Every role's home answers "what now?": in the demo world each login sees at least one
panel of its own with content, and the office's home costs the same for 1 and 50 cohorts."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from cohorts import figures
from cohorts.models import Cohort, InterestRegistration, Participation
from pioneer.models import Organisation, Role
from tests.factories.cohorts import (
    CohortFactory,
    InterestRegistrationFactory,
    ParticipationFactory,
    ProgrammeFactory,
    external_participation,
)
from tests.factories.core import OrganisationFactory, RoleFactory, UserFactory, link_partner
from tests.pages import DEMO_LOGINS
from tests.queries import assert_flat_queries

# login -> (a panel only that role gets, text the panel shows in the demo world)
# (a gettext_lazy text is compared in the page's language).
OWN_PANEL = {
    "office@mluk.example": ("cohorts.office_cohorts", "2. Durchgang 2026"),
    "anna@mluk.example": ("cohorts.participant_cohorts", "2. Durchgang 2026"),
    "ben@partner.example": ("cohorts.participant_cohorts", "2. Durchgang 2026"),
    "clara@mluk.example": ("cohorts.participant_cohorts", "2. Durchgang 2026"),
    "contact@partner.example": ("cohorts.partner_office", "mailto:office@mluk.example"),
    "evaluator@mluk.example": ("evaluation.assigned_surveys", "Abschlussbefragung"),
    "office@mik.example": ("cohorts.office_cohorts", "Lernreise 2027"),
    "admin@pioneer.example": ("core.admin", "/admin/pioneer/role/"),
}


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def test_every_demo_login_has_a_home_expectation():
    assert set(OWN_PANEL) == set(DEMO_LOGINS)


@pytest.mark.parametrize("email", DEMO_LOGINS)
def test_every_role_sees_something_of_its_own_at_home(client, demo, email):
    from pioneer.models import User

    client.force_login(User.objects.get(email=email))
    response = client.get("/home/")
    assert response.status_code == 200
    keys = [panel.key for panel in response.context["panels"]]
    key, visible = OWN_PANEL[email]
    assert key in keys, keys
    html = response.content.decode()
    with override(response.headers["Content-Language"]):
        assert str(visible) in html, _text(html)
        assert str(_("Nothing needs your attention right now.")) not in html


# ------------------------------------------------------------------ the office's home


@pytest.fixture
def office(db, client):
    role = RoleFactory(kind=Role.Kind.PROGRAMME_OFFICE)
    client.force_login(role.user)
    return role


def test_the_office_home_is_flat_from_1_to_50_cohorts(client, office):
    programme = ProgrammeFactory(organisation=office.organisation)

    def make_rows(count):
        for _index in range(count):
            cohort = CohortFactory(programme=programme, state=Cohort.State.MATCHING)
            InterestRegistrationFactory(cohort=cohort)
            ParticipationFactory(cohort=cohort)
            ParticipationFactory(cohort=cohort, user=UserFactory(last_login=timezone.now()))

    used = assert_flat_queries(client, "/home/", make_rows)
    assert used <= 10


def test_the_office_home_lists_active_cohorts_with_stage_next_step_and_attention(client, office):
    today = timezone.localdate()
    programme = ProgrammeFactory(organisation=office.organisation)
    late = CohortFactory(
        programme=programme,
        title="Late start",
        state=Cohort.State.MATCHING,
        start_date=today - timedelta(days=3),
        end_date=today + timedelta(days=90),
    )
    InterestRegistrationFactory.create_batch(3, cohort=late)
    InterestRegistrationFactory(cohort=late, state=InterestRegistration.State.ACCEPTED)
    ParticipationFactory.create_batch(2, cohort=late, state=Participation.State.NOMINATED)
    CohortFactory(programme=programme, title="Finished long ago", state=Cohort.State.CLOSED)
    CohortFactory(title="Another ministry's", state=Cohort.State.MATCHING)

    response = client.get("/home/")

    (panel,) = [p for p in response.context["panels"] if p.key == "cohorts.office_cohorts"]
    (entry,) = panel.context["cohorts"]
    assert entry["cohort"] == late
    assert entry["stage"] == Cohort.State.MATCHING.label
    attention = {item.key: item.count for item in entry["attention"]}
    assert attention == {
        "registrations_unreviewed": 3,
        "participants_nominated": 2,
        "participants_not_signed_in": 2,
        "overdue_start": 1,
    }
    html = response.content.decode()
    assert "Late start" in html
    assert f"/cohorts/{late.pk}/" in html
    assert "Finished long ago" not in html and "Another ministry" not in html


def test_the_office_home_shows_ten_cohorts_and_points_to_the_rest(client, office):
    programme = ProgrammeFactory(organisation=office.organisation)
    CohortFactory.create_batch(11, programme=programme, state=Cohort.State.OPEN)
    response = client.get("/home/")
    (panel,) = [p for p in response.context["panels"] if p.key == "cohorts.office_cohorts"]
    assert len(panel.context["cohorts"]) == 10
    assert panel.context["more"] is True
    assert "/programmes/" in response.content.decode()


# --------------------------------------------------- partner, participant, evaluator


def test_a_participant_home_is_flat_and_shows_their_cohorts(client, db):
    participant = RoleFactory(kind=Role.Kind.PARTICIPANT).user
    client.force_login(participant)

    def make_rows(count):
        for _index in range(count):
            ParticipationFactory(user=participant, cohort=CohortFactory(), role=False)

    assert_flat_queries(client, "/home/", make_rows)
    figures.changed()  # the panel read afresh (it is kept under the change token)
    response = client.get("/home/")
    (panel,) = [p for p in response.context["panels"] if p.key == "cohorts.participant_cohorts"]
    assert len(panel.context["participations"]) == 20
    assert panel.context["participations"][0].cohort.title in response.content.decode()


def test_a_partner_home_is_flat_and_names_the_linking_office(client, db):
    cohort = CohortFactory()
    contact = RoleFactory(
        kind=Role.Kind.PARTNER_CONTACT,
        organisation=OrganisationFactory(kind=Organisation.Kind.COMPANY),
    )
    link_partner(cohort.programme.organisation, contact.organisation)
    office_member = RoleFactory(
        kind=Role.Kind.PROGRAMME_OFFICE, organisation=cohort.programme.organisation
    ).user
    client.force_login(contact.user)

    def make_rows(count):
        for _index in range(count):
            external_participation(cohort, organisation=contact.organisation)

    assert_flat_queries(client, "/home/", make_rows)
    html = client.get("/home/").content.decode()
    assert f"mailto:{office_member.email}" in html
    assert cohort.programme.organisation.name in html


def test_a_stranger_office_is_not_the_partners_contact(client, db):
    contact = RoleFactory(kind=Role.Kind.PARTNER_CONTACT)
    unrelated = RoleFactory(kind=Role.Kind.PROGRAMME_OFFICE).user
    client.force_login(contact.user)
    response = client.get("/home/")
    (panel,) = [p for p in response.context["panels"] if p.key == "cohorts.partner_office"]
    assert panel.context["offices"] == []
    assert unrelated.email not in response.content.decode()


def test_an_evaluator_sees_the_cohorts_in_evaluation_of_their_organisation(client, db):
    evaluation = CohortFactory(title="Under evaluation", state=Cohort.State.EVALUATION)
    CohortFactory(programme=evaluation.programme, title="Still running", state=Cohort.State.RUNNING)
    CohortFactory(title="Someone else's evaluation", state=Cohort.State.EVALUATION)
    evaluator = RoleFactory(
        kind=Role.Kind.EVALUATOR, organisation=evaluation.programme.organisation
    ).user
    client.force_login(evaluator)
    html = client.get("/home/").content.decode()
    assert "Under evaluation" in html
    assert "Still running" not in html and "Someone else" not in html


def test_a_person_without_admin_rights_gets_no_admin_panel(client, office):
    response = client.get("/home/")
    assert "core.admin" not in [p.key for p in response.context["panels"]]
    assert "/admin/" not in response.content.decode()
