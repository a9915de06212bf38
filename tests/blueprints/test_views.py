"""The public library and the office's publish/withdraw: anonymously, as a participant, as
another ministry's office (404 for what is not theirs), as the publishing office, and the
query budgets of the list and the landing page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blueprints.models import Blueprint
from tests.factories.blueprints import BlueprintFactory
from tests.factories.cohorts import ProgrammeFactory
from tests.factories.core import OrganisationFactory, office_user, participant_user

pytestmark = pytest.mark.django_db

LIST = "/blueprints/"


@pytest.fixture
def world():
    ministry = OrganisationFactory(name="Ministerium für Landwirtschaft")
    programme = ProgrammeFactory(organisation=ministry, name="pioneer4BB", slug="pioneer4bb")
    return {
        "ministry": ministry,
        "programme": programme,
        "published": BlueprintFactory(
            organisation=ministry,
            programme=programme,
            title="Blaupause: Design Thinking Workshop",
            slug="design-thinking",
            body="Erster Absatz.\n\nZweiter Absatz.",
        ),
        "draft": BlueprintFactory(
            organisation=ministry, draft=True, title="Entwurf Vereinbarung", slug="entwurf"
        ),
        "withdrawn": BlueprintFactory(
            organisation=ministry, is_public=False, title="Zurückgezogen", slug="zurueck"
        ),
        "owner": office_user(org=ministry),
        "stranger": office_user(org=OrganisationFactory(name="Ministerium des Innern")),
        "participant": participant_user(),
    }


def _login(client, user):
    if user is not None:
        client.force_login(user)


# --------------------------------------------------------------------------------- list


@pytest.mark.parametrize("who", [None, "participant", "stranger", "owner"])
def test_the_list_shows_published_blueprints_to_everyone(client, world, who):
    _login(client, world.get(who) if who else None)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Blaupause: Design Thinking Workshop" in html
    assert "/blueprints/design-thinking/" in html
    if who == "owner":
        # The office finds its unpublished ones below, clearly apart.
        assert 'id="unpublished-heading"' in html
        assert "/blueprints/entwurf/" in html and "/blueprints/zurueck/" in html
    else:
        assert "Entwurf Vereinbarung" not in html
        assert "Zurückgezogen" not in html
        assert 'id="unpublished-heading"' not in html


def test_the_list_filters_by_category(client, world):
    BlueprintFactory(category=Blueprint.Category.RECOMMENDATION, title="Handlungsempfehlungen 2022")
    response = client.get(LIST, {"category": "recommendation"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Handlungsempfehlungen 2022" in html
    assert "Design Thinking" not in html

    response = client.get(LIST, {"category": "evaluation"})
    html = response.content.decode()
    assert "Handlungsempfehlungen 2022" not in html and "Design Thinking" not in html


def test_an_unknown_category_is_explained_and_shows_everything(client, world):
    response = client.get(LIST, {"category": "nonsense"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Design Thinking" in html
    assert 'aria-invalid="true"' in html or "kern-error" in html


def test_the_list_is_paginated_and_keeps_the_filter(client, world):
    for _ in range(11):
        BlueprintFactory(category=Blueprint.Category.RECOMMENDATION)
    first = client.get(LIST, {"category": "recommendation"}).content.decode()
    assert first.count('class="kern-card"') == 10
    assert "?category=recommendation&amp;page=2" in first
    second = client.get(LIST, {"category": "recommendation", "page": 2}).content.decode()
    assert second.count('class="kern-card"') == 1
    # Every page of the unfiltered list: 12 in all.
    assert client.get(LIST, {"page": 2}).content.decode().count('class="kern-card"') == 2


@pytest.mark.parametrize("who", [None, "owner"])
def test_list_query_count_is_flat_from_1_to_30_rows(client, world, who, django_assert_num_queries):
    _login(client, world.get(who) if who else None)
    client.get(LIST)  # warm caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    at_one = len(one)
    assert at_one <= 10
    other = OrganisationFactory()
    for n in range(29):
        BlueprintFactory(organisation=world["ministry"] if n % 2 else other)
        BlueprintFactory(organisation=world["ministry"], draft=True)
    client.get(LIST)  # warm again: what the library keeps is read anew after a change
    with django_assert_num_queries(at_one):
        assert client.get(LIST).status_code == 200


# ------------------------------------------------------------------------------- detail


@pytest.mark.parametrize("who", [None, "participant", "stranger", "owner"])
def test_a_published_blueprint_is_public(client, world, who):
    _login(client, world.get(who) if who else None)
    response = client.get("/blueprints/design-thinking/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<p>Erster Absatz.</p>" in html and "<p>Zweiter Absatz.</p>" in html
    assert "pioneer4BB" in html
    assert 'lang="de"' in html
    assert "kern-badge--warning" not in html
    # Only the publishing office gets the button to withdraw it.
    assert ("/blueprints/design-thinking/withdraw/" in html) is (who == "owner")


@pytest.mark.parametrize("slug", ["entwurf", "zurueck"])
@pytest.mark.parametrize("who", [None, "participant", "stranger"])
def test_an_unpublished_blueprint_is_not_found_for_others(client, world, who, slug):
    _login(client, world.get(who) if who else None)
    assert client.get(f"/blueprints/{slug}/").status_code == 404


def test_a_blueprint_dated_in_the_future_is_not_found_yet(client, world):
    from datetime import timedelta

    from django.utils import timezone

    BlueprintFactory(slug="bald", published_at=timezone.now() + timedelta(days=1))
    assert client.get("/blueprints/bald/").status_code == 404


@pytest.mark.parametrize("slug", ["entwurf", "zurueck"])
def test_the_publishing_office_sees_its_unpublished_one_with_a_badge(client, world, slug):
    client.force_login(world["owner"])
    response = client.get(f"/blueprints/{slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "kern-badge--warning" in html
    assert f"/blueprints/{slug}/publish/" in html


def test_an_unknown_slug_is_not_found(client, world):
    assert client.get("/blueprints/gibt-es-nicht/").status_code == 404


def test_detail_query_count(client, world, django_assert_max_num_queries):
    client.force_login(world["owner"])
    with django_assert_max_num_queries(10):
        assert client.get("/blueprints/entwurf/").status_code == 200


# ---------------------------------------------------------------------- publish, withdraw


def test_the_office_publishes_a_draft(client, world):
    client.force_login(world["owner"])
    response = client.post("/blueprints/entwurf/publish/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/blueprints/entwurf/"
    draft = Blueprint.objects.get(slug="entwurf")
    assert draft.is_published
    client.logout()
    assert client.get("/blueprints/entwurf/").status_code == 200


def test_the_office_withdraws_a_published_one(client, world):
    client.force_login(world["owner"])
    response = client.post("/blueprints/design-thinking/withdraw/")
    assert response.status_code == 302
    assert not Blueprint.objects.get(slug="design-thinking").is_public
    client.logout()
    assert client.get("/blueprints/design-thinking/").status_code == 404


@pytest.mark.parametrize(
    ("url", "slug"),
    [("/blueprints/entwurf/publish/", "entwurf"), ("/blueprints/design-thinking/withdraw/", None)],
)
def test_another_ministrys_office_gets_404_and_changes_nothing(client, world, url, slug):
    client.force_login(world["stranger"])
    before = list(Blueprint.objects.order_by("pk").values_list("is_public", "published_at"))
    assert client.post(url).status_code == 404
    after = list(Blueprint.objects.order_by("pk").values_list("is_public", "published_at"))
    assert after == before


@pytest.mark.parametrize("url", ["/blueprints/entwurf/publish/", "/blueprints/x/withdraw/"])
def test_anonymous_visitors_are_sent_to_login(client, world, url):
    response = client.post(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
    assert not Blueprint.objects.get(slug="entwurf").is_public


@pytest.mark.parametrize("url", ["/blueprints/entwurf/publish/", "/blueprints/zurueck/withdraw/"])
def test_a_participant_may_not(client, world, url):
    client.force_login(world["participant"])
    assert client.post(url).status_code == 403
    assert not Blueprint.objects.get(slug="entwurf").is_public


def test_publish_wants_a_post(client, world):
    client.force_login(world["owner"])
    assert client.get("/blueprints/entwurf/publish/").status_code == 405
    assert not Blueprint.objects.get(slug="entwurf").is_public


# ------------------------------------------------------------------ landing, navigation


def test_the_landing_page_shows_the_three_newest_after_the_open_cohorts(client, world):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for n in range(4):
        BlueprintFactory(title=f"Neu {n}", published_at=now - timedelta(hours=n + 1))
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="blueprints-heading"' in html
    assert "Neu 0" in html and "Neu 1" in html and "Neu 2" in html
    assert "Neu 3" not in html and "Design Thinking" not in html
    assert 'href="/blueprints/"' in html
    assert "Entwurf Vereinbarung" not in html
    assert html.index('id="open-cohorts-heading"') < html.index('id="blueprints-heading"')


def test_the_landing_page_without_blueprints(client, db):
    html = client.get("/").content.decode()
    assert 'id="blueprints-heading"' in html
    assert "/blueprints/" not in html.split('id="blueprints-heading"')[1].split("</section>")[0]


def test_landing_query_count_is_flat(client, world, django_assert_num_queries):
    client.get("/")
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    assert len(one) <= 10
    for _ in range(10):
        BlueprintFactory()
    # The first visit after a change renders the sections anew (pioneer.landing).
    with CaptureQueriesContext(connection) as renewed:
        client.get("/")
    assert len(renewed) <= 10
    with django_assert_num_queries(len(one)):
        client.get("/")


def test_signed_in_people_find_the_blueprints_in_the_navigation(client, world):
    client.force_login(world["participant"])
    html = client.get("/home/").content.decode()
    nav = html.split('class="pio-nav"')[1].split("</nav>")[0]
    assert 'href="/blueprints/"' in nav


def test_the_blueprint_pages_kept_lookup_is_the_querysets(world):
    """`selectors.detail_blueprint_or_404` (its SQL kept per process) finds the instance
    the page's queryset finds (columns, what is deferred, organisation, programme, cohort,
    the adoption count for everyone but offices), or 404 where it finds none: for
    everyone, anonymous and signed in, the owner's office (its drafts too), an office of
    two organisations, at two times."""
    from datetime import timedelta

    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404
    from django.utils import timezone

    from blueprints import selectors
    from pioneer.models import Role
    from pioneer.permissions import scoped_object_or_404
    from tests.factories.cohorts import CohortFactory
    from tests.factories.core import RoleFactory

    ministry = world["ministry"]
    BlueprintFactory(
        organisation=ministry,
        programme=world["programme"],
        cohort=CohortFactory(programme=world["programme"]),
        slug="mit-durchgang",
        visibility="signed_in",
    )
    BlueprintFactory(
        organisation=ministry, slug="bald", published_at=timezone.now() + timedelta(days=2)
    )
    both = office_user(org=OrganisationFactory())
    RoleFactory(user=both, kind=Role.Kind.PROGRAMME_OFFICE, organisation=ministry)
    users = [AnonymousUser(), world["participant"], world["owner"], world["stranger"], both]
    slugs = ["design-thinking", "entwurf", "zurueck", "mit-durchgang", "bald", "nichts"]
    paths = ("organisation", "programme", "cohort")

    def loaded(blueprint):
        found = {
            "columns": {
                f.attname: blueprint.__dict__.get(f.attname, "<deferred>")
                for f in Blueprint._meta.fields
            },
            "deferred": sorted(blueprint.get_deferred_fields()),
            "adopted_n": getattr(blueprint, "adopted_n", "<none>"),
        }
        for path in paths:
            field = Blueprint._meta.get_field(path)
            related = field.get_cached_value(blueprint) if field.is_cached(blueprint) else "-"
            found[path] = related if related in (None, "-") else related.__dict__ | {"_state": 0}
        return found

    def old_lookup(user, when):
        # What the page's view built before its SQL was kept.
        found = (
            selectors.visible_blueprints(user, when)
            .select_related(None)
            .select_related("organisation", "programme", "cohort")
            .defer("search_vector")
        )
        if not selectors.roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE):
            found = found.annotate(adopted_n=selectors.adoption_count_subquery())
        return found

    seen = set()
    now = timezone.now()
    for user in users:
        for when in (now, now + timedelta(days=3)):
            for slug in slugs:
                try:
                    expected = scoped_object_or_404(old_lookup(user, when), slug=slug)
                except Http404:
                    with pytest.raises(Http404):
                        selectors.detail_blueprint_or_404(user, slug, when)
                    seen.add(False)
                    continue
                found = selectors.detail_blueprint_or_404(user, slug, when)
                assert loaded(found) == loaded(expected)
                seen.add(True)
    assert seen == {True, False}
