"""A registration's page for the office: its notes and its organisations with a similar
name written in Python (cohorts.views.rows), the notes and the candidates' contacts read
by SQL compiled once per process, the organisations found kept under cohorts.figures'
change token, the forms as first shown kept rendered. Each is held to what the
querysets and the template's loops gave."""

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from cohorts import selectors
from cohorts.models import RegistrationNote
from cohorts.views import rows
from pioneer.selectors import organisations_resembling
from tests.factories.cohorts import CohortFactory, InterestRegistrationFactory
from tests.factories.core import OrganisationFactory, office_user, partner_user
from tests.pages import without_csrf

pytestmark = pytest.mark.django_db

MARKED = 'O\'Brien <&> "Zoë"'

# The loops as templates/cohorts/registration_detail.html wrote them.
NOTES = Template(
    "{% for note in notes %}\n"
    '          <li><strong>{{ note.author|default:"–" }}, '
    '{{ note.created_at|date:"SHORT_DATETIME_FORMAT" }}:</strong> '
    "{{ note.text|linebreaksbr }}</li>\n"
    "        {% endfor %}"
)
CANDIDATES = Template(
    "{% load i18n %}{% for org in candidates %}\n"
    "          <li><strong>{{ org.name }}</strong> ({{ org.get_kind_display }}"
    "{% if org.short_name %}, {{ org.short_name }}{% endif %}).\n"
    '            {% trans "Current partner contacts" %}: '
    "{% for person in org.current_contacts %}{{ person.name|default:person.email }} "
    "&lt;{{ person.email }}&gt;{% if not forloop.last %}, {% endif %}"
    '{% empty %}{% trans "none" %}{% endfor %}</li>\n'
    "        {% endfor %}"
)


@pytest.fixture
def world():
    office = office_user()
    cohort = CohortFactory(programme__organisation=office.roles.first().organisation)
    registration = InterestRegistrationFactory(
        cohort=cohort, organisation_name="Gemeinwohl Lab e.V.", organisation_kind="nonprofit"
    )
    other = InterestRegistrationFactory(cohort=cohort, organisation_name="Nichts Ähnliches")
    first = OrganisationFactory(name="Gemeinwohl Lab e. V.", kind="nonprofit", short_name="")
    second = OrganisationFactory(
        name=f"Gemeinwohl Lab e. V. {MARKED}", kind="company", short_name="GL"
    )
    partner_user(first, name="Zora Zett", email="zora@gemeinwohl.example")
    partner_user(first, name="", email="anna@gemeinwohl.example")
    partner_user(first, name=MARKED, email="marked@gemeinwohl.example")
    writer = office_user(name="")
    RegistrationNote.objects.create(registration=registration, author=office, text=MARKED)
    lines = "a\nb\r\nc\rd\n\n<e>"
    RegistrationNote.objects.create(registration=registration, author=writer, text=lines)
    RegistrationNote.objects.create(registration=registration, author=None, text="ohne")
    RegistrationNote.objects.create(registration=other, author=office, text="andere")
    return {
        "office": office,
        "registration": registration,
        "other": other,
        "organisations": (first, second),
    }


def test_the_notes_are_the_querysets_and_written_as_the_template_wrote_them(world):
    for registration in (world["registration"], world["other"]):
        queryset = RegistrationNote.objects.filter(registration=registration).select_related(
            "author"
        )
        notes = selectors.registration_notes(registration)
        assert [n["text"] for n in notes] == [n.text for n in queryset]
        for language in ("de", "en"):
            with translation.override(language):
                expected = NOTES.render(Context({"notes": queryset}))
                assert rows.note_items(notes) == expected
    written = rows.note_items(selectors.registration_notes(world["registration"]))
    assert "O&#x27;Brien &lt;&amp;&gt; &quot;Zoë&quot;" in written
    assert "a<br>b<br>c<br>d<br><br>&lt;e&gt;" in written and "<strong>–, " in written
    assert rows.note_items([]) == ""


def test_the_kept_candidates_are_those_found_anew(world):
    registration = world["registration"]
    for _ in range(2):  # found, then kept
        kept = selectors.organisation_candidates_kept(registration)
        found = organisations_resembling(registration.organisation_name)
        assert kept == found and len(found) == 2
        for a, b in zip(kept, found, strict=True):
            assert (a.name, a.short_name, a.kind, a.parent_id) == (
                b.name,
                b.short_name,
                b.kind,
                b.parent_id,
            )
            assert [(u.pk, u.name, u.email) for u in a.current_contacts] == [
                (u.pk, u.name, u.email) for u in b.current_contacts
            ]
        for language in ("de", "en"):
            with translation.override(language):
                expected = CANDIDATES.render(Context({"candidates": found}))
                assert rows.candidate_items(kept) == expected
    assert "&lt;&amp;&gt;" in rows.candidate_items(kept)
    # A new organisation (its save replaces the change token) is found at once, and a new
    # contact of one found is read as it is now.
    OrganisationFactory(name="Gemeinwohl Lab", kind="nonprofit")
    partner_user(world["organisations"][1], name="Neu", email="neu@gemeinwohl.example")
    kept = selectors.organisation_candidates_kept(registration)
    assert [o.pk for o in kept] == [
        o.pk for o in organisations_resembling(registration.organisation_name)
    ]
    assert len(kept) == 3
    assert "neu@gemeinwohl.example" in rows.candidate_items(kept)
    assert selectors.organisation_candidates_kept(world["other"]) == []


def test_the_page_shows_its_own_decision_form(world):
    """The decision form as first shown is kept per its choices: each registration's page
    offers its own organisations and names itself in "create a new organisation"."""
    client = Client()
    client.force_login(world["office"])
    client.cookies["django_language"] = "en"

    def page(registration):
        html = client.get(f"/registrations/{registration.pk}/").content.decode()
        return without_csrf(html)

    first, second = page(world["registration"]), page(world["other"])
    again = page(world["registration"])
    assert "Create a new organisation “Gemeinwohl Lab e.V.”" in first
    assert "Create a new organisation “Nichts Ähnliches”" in second
    assert "Gemeinwohl Lab e.V." not in second
    assert f'value="{world["organisations"][0].pk}"' in first
    assert first == again
    assert "zora@gemeinwohl.example" in first and "ohne" in first
