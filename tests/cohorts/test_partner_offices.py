"""Whom a partner contact asks: the home names the first few offices that linked their
organisation, the offices page all of them a page at a time, each with its members'
addresses; never an office that did not link them."""

import pytest
from django.urls import reverse

from cohorts.signals import HOME_OFFICES
from cohorts.views.participations import OFFICES_PAGE_SIZE
from pioneer.models import Organisation
from tests.factories.core import (
    OrganisationFactory,
    link_partner,
    office_user,
    participant_user,
    partner_user,
)
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return OrganisationFactory(kind=Organisation.Kind.COMPANY, name="Partner AG")


def _linking_offices(company):
    def make(count):
        for _ in range(count):
            ministry = OrganisationFactory(kind=Organisation.Kind.MINISTRY)
            office_user(ministry)
            link_partner(ministry, company)

    return make


def _office_panel(response):
    (panel,) = [p for p in response.context["panels"] if p.key == "cohorts.partner_office"]
    return panel.context


def test_the_home_names_the_first_offices_and_links_to_all(client, company):
    client.force_login(partner_user(company))
    _linking_offices(company)(HOME_OFFICES)
    response = client.get(reverse("home"))
    panel = _office_panel(response)
    assert len(panel["offices"]) == HOME_OFFICES
    assert not panel["more_offices"]
    assert reverse("cohorts:partner_offices") not in response.content.decode()

    _linking_offices(company)(1)
    response = client.get(reverse("home"))
    panel = _office_panel(response)
    assert len(panel["offices"]) == HOME_OFFICES
    assert panel["more_offices"]
    assert reverse("cohorts:partner_offices") in response.content.decode()
    # Each named office comes with its members' addresses and the partner it linked.
    first = panel["offices"][0]
    assert first["emails"] and first["partners"] == ["Partner AG"]
    assert f"mailto:{first['emails'][0]}" in response.content.decode()


def test_the_offices_page_lists_every_linking_office_a_page_at_a_time(client, company):
    contact = partner_user(company)
    _linking_offices(company)(OFFICES_PAGE_SIZE + 1)
    stranger = OrganisationFactory(kind=Organisation.Kind.MINISTRY, name="Unrelated Ministry")
    office_user(stranger)
    client.force_login(contact)
    url = reverse("cohorts:partner_offices")
    first = client.get(url)
    second = client.get(url, {"page": 2})
    assert first.status_code == second.status_code == 200
    shown = [o["organisation"].pk for o in first.context["offices"]]
    shown += [o["organisation"].pk for o in second.context["offices"]]
    linked = set(
        Organisation.objects.filter(partner_links__partner=company).values_list("pk", flat=True)
    )
    assert len(first.context["offices"]) == OFFICES_PAGE_SIZE
    assert len(shown) == len(set(shown)) and set(shown) == linked
    assert all(o["emails"] for o in first.context["offices"])
    assert "Unrelated Ministry" not in first.content.decode() + second.content.decode()


def test_the_offices_page_is_for_partner_contacts_only(client, company):
    url = reverse("cohorts:partner_offices")
    assert client.get(url).status_code == 302
    client.force_login(participant_user())
    assert client.get(url).status_code == 403
    ministry = OrganisationFactory(kind=Organisation.Kind.MINISTRY)
    link_partner(ministry, company)
    client.force_login(office_user(ministry))
    assert client.get(url).status_code == 403


def test_the_offices_page_and_the_home_stay_flat(client, company):
    client.force_login(partner_user(company))
    assert_flat_queries(client, reverse("cohorts:partner_offices"), _linking_offices(company))
    assert_flat_queries(client, reverse("home"), _linking_offices(company))


# The include the offices page and the home's panel wrote each office with, kept here as
# the reference for the HTML written in Python (cohorts.views.rows.partner_office_html).
PARTNER_OFFICE = (
    "{% load i18n %}{# One programme office that works with the partner: who, for which of "
    "the partner's organisations, and its members' addresses. #}\n"
    "<p>{% blocktrans with office=office.organisation.name trimmed %}The programme office "
    'of {{ office }} works with you{% endblocktrans %} ({{ office.partners|join:", " }}).'
    '</p>\n{% if office.emails %}\n  <ul class="kern-list">\n  {% for email in '
    'office.emails %}<li><a class="kern-link" href="mailto:{{ email }}">{{ email }}</a>'
    "</li>{% endfor %}\n  </ul>\n{% endif %}\n"
)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_offices_written_in_python_are_what_the_include_wrote(language):
    from django.template import Context, Template
    from django.utils import translation

    from cohorts.views.rows import partner_office_html

    markup = "<b>&</b>"
    ministry = OrganisationFactory(name=f"Ministerium {markup}")
    offices = [
        {"organisation": ministry, "partners": [f"A {markup}", "B"], "emails": ["a@x.example"]},
        {"organisation": ministry, "partners": ["C"], "emails": []},
        {"organisation": ministry, "partners": [], "emails": ["a@x.example", "b&c@x.example"]},
        {"organisation": ministry, "partners": None, "emails": None},
    ]
    include = Template(PARTNER_OFFICE)
    with translation.override(language):
        written = partner_office_html(offices)
        for office, html in zip(offices, written, strict=True):
            assert html == include.render(Context({"office": office}))
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in written[0]


def test_the_offices_page_and_panel_show_what_the_template_showed(client, company):
    """The sections and the panel's items around each office, for a page of offices
    (the reference: the page's loop as it was, with the include)."""
    from django.template import Context, Template
    from django.utils import translation

    from cohorts import selectors
    from cohorts.views.rows import partner_office_items, partner_office_sections

    user = partner_user(company)
    _linking_offices(company)(3)
    offices = selectors.partner_offices(user)
    page = Template(
        "{% for office in offices %}\n"
        '    <section class="kern-stack-sm" '
        'aria-labelledby="office-{{ office.organisation.pk }}">\n'
        '      <h2 class="kern-heading-small" id="office-{{ office.organisation.pk }}">'
        "{{ office.organisation.name }}</h2>\n"
        "      {% include include %}\n    </section>\n  {% endfor %}"
    )
    panel = Template(
        "{% for office in offices %}\n        {% include include %}\n      {% endfor %}"
    )
    include = Template(PARTNER_OFFICE)
    with translation.override("de"):
        context = {"offices": offices, "include": include}
        assert partner_office_sections(offices) == page.render(Context(context))
        assert partner_office_items(offices) == panel.render(Context(context))
