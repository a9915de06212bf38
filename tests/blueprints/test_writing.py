"""The office writes and edits blueprints in the app, with a preview of the rendered
Markdown; the Markdown can never bring a script into the page."""

from html.parser import HTMLParser

import pytest

from blueprints import services
from blueprints.markdown import ALLOWED_TAGS, render
from blueprints.models import Blueprint
from tests.access import assert_access
from tests.factories.blueprints import BlueprintFactory
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.core import OrganisationFactory, office_user, participant_user, partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ministry = OrganisationFactory(name="Ministerium für Landwirtschaft")
    programme = ProgrammeFactory(organisation=ministry, name="pioneer4BB")
    return {
        "ministry": ministry,
        "programme": programme,
        "cohort": CohortFactory(programme=programme),
        "owner": office_user(org=ministry),
        "stranger": office_user(org=OrganisationFactory()),
        "partner": partner_user(),
        "participant": participant_user(),
    }


def form_data(world, **changes):
    data = {
        "organisation": world["ministry"].pk,
        "title": "Kollegiale Fallberatung",
        "summary": "Eine Methode für sechs bis zehn Personen.",
        "body": "# Ablauf\n\n1. Fall schildern\n2. Fragen\n\n**Wichtig:** Vertraulichkeit.",
        "category": "method",
        "audience": "participants",
        "duration_minutes": "90",
        "group_min": "6",
        "group_max": "10",
        "materials": "- Flipchart\n- Moderationskarten",
        "licence": "cc-by-4.0",
        "language": "de",
        "visibility": "public",
        "programme": world["programme"].pk,
        "cohort": world["cohort"].pk,
        "tags": "Reflexion, Beratung,  reflexion ",
    }
    data.update(changes)
    return data


# ------------------------------------------------------------------------------ markdown

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[klick](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<svg onload="alert(1)"></svg>',
    "[x](JaVaScRiPt:alert(1))",
    '<p onclick="alert(1)">x</p>',
]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html):
    parser = _Elements()
    parser.feed(html)
    return parser.elements


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_cannot_inject_script(text):
    """Whatever the text, the HTML holds only harmless elements: no script, style, frame,
    image or SVG, no event handler, and links only to http(s) and mail addresses."""
    for tag, attrs in elements(str(render(text))):
        assert tag in ALLOWED_TAGS, tag
        assert not any(name.startswith("on") or name == "style" for name in attrs), attrs
        if "href" in attrs:
            assert attrs["href"].split(":", 1)[0].lower() in {"http", "https", "mailto"}


def test_markdown_renders_headings_one_level_down_and_keeps_links_safe():
    html = render("# Ablauf\n\nSiehe [Seite](https://example.org).\n\n- a\n- b")
    assert "<h2>Ablauf</h2>" in html and "<h1" not in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">Seite</a>' in html
    assert "<ul>" in html and "<li>a</li>" in html


def test_a_hostile_body_is_harmless_on_the_page(client, world):
    blueprint = BlueprintFactory(
        organisation=world["ministry"], slug="boese", body="\n\n".join(HOSTILE)
    )
    html = client.get(f"/blueprints/{blueprint.slug}/").content.decode()
    body = html.split('class="kern-stack-sm pio-markdown"', 1)[1].split("</div>", 1)[0]
    for tag, attrs in elements(body):
        assert tag in ALLOWED_TAGS | {"p"}, tag
        assert not any(name.startswith("on") for name in attrs)
        assert not attrs.get("href", "").lower().startswith(("javascript", "data"))


# ----------------------------------------------------------------------- create and edit


def test_the_office_writes_a_blueprint_as_a_draft(client, world):
    client.force_login(world["owner"])
    response = client.post("/blueprints/new/", form_data(world))
    assert response.status_code == 302
    blueprint = Blueprint.objects.get(title="Kollegiale Fallberatung")
    assert response.headers["Location"] == f"/blueprints/{blueprint.slug}/"
    assert blueprint.slug == "kollegiale-fallberatung"
    assert not blueprint.is_public and blueprint.published_at is None
    assert blueprint.organisation == world["ministry"]
    assert (blueprint.group_min, blueprint.group_max, blueprint.duration_minutes) == (6, 10, 90)
    assert blueprint.cohort == world["cohort"]
    assert sorted(t.name for t in blueprint.tags.all()) == ["Beratung", "Reflexion"]
    page = client.get(f"/blueprints/{blueprint.slug}/").content.decode()
    assert "<h2>Ablauf</h2>" in page and "<li>Flipchart</li>" in page
    assert "CC BY 4.0" in page and "creativecommons.org/licenses/by/4.0" in page
    # Nobody else sees the draft.
    client.logout()
    assert client.get(f"/blueprints/{blueprint.slug}/").status_code == 404


def test_preview_shows_the_rendered_markdown_and_saves_nothing(client, world):
    client.force_login(world["owner"])
    response = client.post(
        "/blueprints/new/", {**form_data(world), "preview": "1", "body": "## Zeitplan\n\n<b>x</b>"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="preview-heading"' in html
    assert "<h3>Zeitplan</h3>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert not Blueprint.objects.exists()


def test_the_office_edits_its_blueprint_with_preview(client, world):
    blueprint = BlueprintFactory(organisation=world["ministry"], slug="bp", title="Alt")
    client.force_login(world["owner"])
    form = client.get("/blueprints/bp/edit/").content.decode()
    assert 'value="Alt"' in form
    response = client.post("/blueprints/bp/edit/", {**form_data(world), "preview": "1"})
    assert response.status_code == 200
    blueprint.refresh_from_db()
    assert blueprint.title == "Alt"
    response = client.post("/blueprints/bp/edit/", form_data(world, title="Neu"))
    assert response.status_code == 302
    blueprint.refresh_from_db()
    assert blueprint.title == "Neu" and blueprint.slug == "bp" and blueprint.is_published


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"group_min": "12", "group_max": "4"}, "group_max"),
        ({"licence": "proprietary"}, "licence"),
        ({"category": "poem"}, "category"),
        ({"title": ""}, "title"),
        ({"tags": ",".join(f"t{i}" for i in range(20))}, "tags"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(client, world, changes, field):
    client.force_login(world["owner"])
    response = client.post("/blueprints/new/", form_data(world, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not Blueprint.objects.exists()


def test_another_organisations_programme_or_cohort_is_refused(client, world):
    client.force_login(world["owner"])
    foreign = ProgrammeFactory()
    response = client.post("/blueprints/new/", form_data(world, programme=foreign.pk, cohort=""))
    assert response.status_code == 200 and response.context["form"].errors.get("programme")
    other_cohort = CohortFactory(programme=ProgrammeFactory(organisation=world["ministry"]))
    response = client.post("/blueprints/new/", form_data(world, cohort=other_cohort.pk))
    assert response.status_code == 200 and response.context["form"].errors.get("cohort")
    assert not Blueprint.objects.exists()


def test_the_service_checks_the_organisation(world):
    from django.core.exceptions import PermissionDenied

    data = services.BlueprintData(title="X", summary="Y")
    with pytest.raises(PermissionDenied):
        services.blueprint_create(organisation=world["ministry"], data=data, by=world["stranger"])
    assert not Blueprint.objects.exists()


def test_slugs_are_unique_and_never_a_word_of_the_library(world):
    office = world["owner"]
    data = services.BlueprintData(title="New", summary="Y")
    first = services.blueprint_create(organisation=world["ministry"], data=data, by=office)
    second = services.blueprint_create(organisation=world["ministry"], data=data, by=office)
    assert first.slug == "new-1" and second.slug == "new-1-2"


# -------------------------------------------------------------------------------- access


def test_access_to_the_new_page(world):
    assert_access(
        "/blueprints/new/",
        owner=world["owner"],
        wrong_role=world["participant"],
        foreign_partner=world["partner"],
        foreign_partner_status=403,
    )


@pytest.mark.parametrize("method", ["get", "post"])
def test_access_to_the_edit_page(world, method):
    blueprint = BlueprintFactory(organisation=world["ministry"], slug="bp")
    assert_access(
        "/blueprints/bp/edit/",
        owner=world["owner"],
        stranger=world["stranger"],
        wrong_role=world["participant"],
        foreign_partner=world["partner"],
        foreign_partner_status=403,
        method=method,
        data=form_data(world, title="Geändert") if method == "post" else None,
        owner_status=302 if method == "post" else 200,
    )
    blueprint.refresh_from_db()
    assert blueprint.title == ("Geändert" if method == "post" else blueprint.title)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_form_speaks_both_languages(client, world, language):
    client.force_login(world["owner"])
    client.cookies["django_language"] = language
    html = client.get("/blueprints/new/").content.decode()
    assert f'lang="{language}"' in html
    assert ("Abbrechen" in html) is (language == "de")
    assert ("Cancel" in html) is (language == "en")
