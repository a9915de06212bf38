"""A partner contact's people read by one written query (`partner_people_page`) are the
ORM's `participations_for_partner`, page by page, with their number."""

from datetime import date

import pytest

from cohorts import selectors
from cohorts.models import Cohort, Participation
from pioneer.models import PartnerLink
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.companion import participant_in
from tests.factories.core import OrganisationFactory, partner_of, partner_user

pytestmark = pytest.mark.django_db


def _person(cohort, organisation, **user_fields):
    person = participant_in(cohort, **user_fields)
    Participation.objects.filter(pk=person.pk).update(organisation=organisation)
    return person


@pytest.fixture
def world():
    """Two organisations the contact speaks for (one with a short name), linked by one
    office; people in three of its cohorts (two starting on one day, one without a date)
    and in a cohort of an office that did not link them; others' people; names alike."""
    programme = ProgrammeFactory()
    company = partner_of(programme.organisation, name="Partner & Co", short_name="P&C")
    sister = partner_of(programme.organisation, name="Schwester <GmbH>", short_name="")
    other = OrganisationFactory(name="Andere GmbH")
    cohorts = [CohortFactory(programme=programme) for _ in range(3)]
    Cohort.objects.filter(pk__in=[c.pk for c in cohorts[:2]]).update(start_date=date(2001, 2, 3))
    Cohort.objects.filter(pk=cohorts[2].pk).update(start_date=None)
    unlinked = CohortFactory(programme=ProgrammeFactory())
    for cohort in (*cohorts, unlinked):
        for organisation in (company, sister, other):
            for name in ("Zoe", "Anna", "Anna", ""):
                _person(cohort, organisation, name=name)
    user = partner_user(company)
    from pioneer.models import Role

    Role.objects.create(user=user, kind=Role.Kind.PARTNER_CONTACT, organisation=sister)
    return user, company


def _as_row(p):
    return selectors.PartnerPeopleRow(
        p.user.name,
        p.user.email,
        p.cohort.programme.name,
        p.cohort.title,
        str(p.organisation),
        p.side,
        p.position,
        p.state,
    )


def test_the_written_people_are_the_orms_page_by_page(world):
    user, _company = world
    ordered = list(selectors.participations_for_partner(user))
    assert len(ordered) == 24  # three linked cohorts, four people of each organisation
    for offset in range(0, 30, 5):
        rows, total = selectors.partner_people_page(user, offset, 5)
        assert rows == [_as_row(p) for p in ordered[offset : offset + 5]], offset
        assert total == (len(ordered) if rows else None)
    assert {row.organisation for row in selectors.partner_people_page(user, 0, 30)[0]} == {
        "P&C",
        "Schwester <GmbH>",
    }


def test_the_written_people_follow_the_links(world):
    user, company = world
    # The office still links the sister: its cohorts stay the contact's, as in the ORM.
    PartnerLink.objects.filter(partner=company).delete()
    rows, total = selectors.partner_people_page(user, 0, 30)
    assert rows == [_as_row(p) for p in selectors.participations_for_partner(user)]
    assert total == 24
    PartnerLink.objects.all().delete()
    assert selectors.partner_people_page(user, 0, 30) == ([], None)
    assert selectors.partner_people_page(partner_user(), 0, 30) == ([], None)
