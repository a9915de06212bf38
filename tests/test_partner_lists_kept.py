"""A partner contact's offices and registrations of interest read by SQL compiled once
per process (cohorts.selectors.KeptList) answer what their querysets gave: the same rows
in the same order, for every slice the pages and the home ask, and the same count."""

import pytest
from django.utils import timezone

from cohorts import selectors
from cohorts.models import InterestRegistration
from pioneer.models import Organisation, Role
from tests.factories.cohorts import CohortFactory, InterestRegistrationFactory, ProgrammeFactory
from tests.factories.core import (
    OrganisationFactory,
    RoleFactory,
    link_partner,
    office_user,
    partner_user,
)

pytestmark = pytest.mark.django_db

MARKUP = "<b>&\"'"
SLICES = [(0, 5), (0, 6), (5, 10), (0, None), (2, 3), (0, 20), (20, 40), (3, 3)]


@pytest.fixture
def partners():
    """Two companies of one contact (and a contact of one of them): offices that linked
    either, both or neither, members active or not; registrations linked to either, one
    in a programme whose office did not link the company, one nobody linked."""
    first = OrganisationFactory(kind=Organisation.Kind.COMPANY, name=f"Erste {MARKUP}")
    second = OrganisationFactory(kind=Organisation.Kind.COMPANY, name="Zweite AG")
    both = partner_user(first)
    RoleFactory(user=both, kind=Role.Kind.PARTNER_CONTACT, organisation=second)
    only_first = partner_user(first)
    offices = []
    for n, partners in enumerate([(first,), (second,), (first, second), (first,), (second,)]):
        ministry = OrganisationFactory(
            kind=Organisation.Kind.MINISTRY, name=f"Ministerium {5 - n} {MARKUP}"
        )
        office_user(ministry, email=f"b{n}@office.example")
        office_user(ministry, email=f"a{n}@office.example")
        if n == 3:
            office_user(ministry, email="gone@office.example", is_active=False)
        for partner in partners:
            link_partner(ministry, partner)
        offices.append(ministry)
    same_name = OrganisationFactory(kind=Organisation.Kind.MINISTRY, name="Ministerium 1 <b>")
    link_partner(same_name, first)
    unlinked = OrganisationFactory(kind=Organisation.Kind.MINISTRY, name="Fremd")
    office_user(unlinked)
    for n, office in enumerate([*offices, unlinked]):
        cohort = CohortFactory(
            programme=ProgrammeFactory(organisation=office), title=f"Durchgang {n} {MARKUP}"
        )
        for m, organisation in enumerate((first, second, None)):
            made = InterestRegistrationFactory(
                cohort=cohort,
                organisation=organisation,
                organisation_name=f"Anmeldung {n}.{m} {MARKUP}",
                state=InterestRegistration.State.ACCEPTED
                if organisation
                else InterestRegistration.State.CONFIRMED,
            )
            if n % 2:  # some received at the same moment: the id decides
                InterestRegistration.objects.filter(pk=made.pk).update(
                    created_at=timezone.now().replace(microsecond=0)
                )
    return {"both": both, "only_first": only_first}


def _offices(rows):
    # The names and addresses come as arrays from PostgreSQL; SQLite (`make test` without
    # services) reads them later (`with_office_emails`), so there the rows have neither.
    return [
        (o.pk, o.name, getattr(o, "partner_names", None), getattr(o, "office_emails", None))
        for o in rows
    ]


def _registrations(rows):
    return [
        (
            r.pk,
            str(r.cohort),
            r.organisation_name,
            r.state,
            r.get_state_display(),
            r.created_at,
        )
        for r in rows
    ]


def test_the_kept_offices_are_the_offices_of_the_partner(partners):
    for user in (partners["both"], partners["only_first"]):
        expected = selectors.partner_office_organisations(user)
        kept = selectors.partner_office_list(user)
        assert kept.count() == expected.count() == len(kept)
        for start, stop in SLICES:
            assert _offices(kept[start:stop]) == _offices(expected[start:stop]), (start, stop)
        assert _offices(kept) == _offices(expected)
    assert selectors.partner_office_list(partners["both"]).count() == 6
    # A contact of no organisation has none.
    kept = selectors.KeptList("test.none", None, None, {})
    assert kept.count() == 0 and kept[0:5] == [] and list(kept) == []


def test_the_kept_registrations_are_the_registrations_of_the_partner(partners):
    for user in (partners["both"], partners["only_first"]):
        expected = selectors.registrations_for_partner(user)
        kept = selectors.partner_registration_list(user)
        assert kept.count() == expected.count()
        for start, stop in SLICES:
            found = kept[start:stop]
            assert _registrations(found) == _registrations(expected[start:stop]), (start, stop)
    assert selectors.partner_registration_list(partners["both"]).count() == 10
    assert selectors.partner_registration_list(partners["only_first"]).count() == 3


PANEL_ITEMS = (
    "{% for r in registrations %}\n"
    '          <li><a class="kern-link" href="{% url \'cohorts:registration_detail\' r.pk %}">'
    "{{ r.cohort }}</a>: {{ r.get_state_display }}</li>\n"
    "        {% endfor %}"
)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_home_panels_registrations_are_written_as_the_template_wrote_them(partners, language):
    from django.template import Context, Template
    from django.utils import translation

    from cohorts.views.rows import partner_registration_items

    first = InterestRegistration.objects.filter(organisation__isnull=False).order_by("pk")
    InterestRegistration.objects.filter(pk=first[0].pk).update(
        state=InterestRegistration.State.CONFIRMED
    )
    with translation.override(language):
        for limit in (0, 1, 5, 20):
            found = selectors.partner_registration_list(partners["both"])[:limit]
            expected = Template(PANEL_ITEMS).render(Context({"registrations": found}))
            assert str(partner_registration_items(found)) == expected, limit
    assert "Durchgang 0 &lt;b&gt;&amp;&quot;&#x27;" in expected
    assert expected.count("<li>") == 10
