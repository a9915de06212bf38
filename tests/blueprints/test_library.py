"""The library: search (German stemming on PostgreSQL, a substring elsewhere), filters by
category, audience, duration, group size and tag, pagination that keeps them, the
category overview, the landing page, and flat queries throughout."""

import pytest
from django.db import connection

from blueprints import samples, services
from blueprints.models import Blueprint
from tests.factories.blueprints import BlueprintFactory
from tests.factories.core import OrganisationFactory, office_user, participant_user
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db

LIST = "/blueprints/"


def _titles(response):
    return [b.title for b in response.context["page"].object_list]


@pytest.fixture
def library():
    ministry = OrganisationFactory()
    office = office_user(org=ministry)
    workshop = BlueprintFactory(
        organisation=ministry,
        title="Design Thinking Workshop",
        summary="Ein Tag mit Prototypen.",
        body="Die Teilnehmenden entwickeln Prototypen und testen sie mit Kolleginnen.",
        category="method",
        audience="participants",
        duration_minutes=420,
        group_min=8,
        group_max=20,
    )
    consultation = BlueprintFactory(
        organisation=ministry,
        title="Kollegiale Fallberatung",
        summary="Beratung unter Gleichen.",
        body="Ein Fall, viele Perspektiven.",
        category="method",
        audience="office",
        duration_minutes=90,
        group_min=5,
        group_max=9,
    )
    agreement = BlueprintFactory(
        organisation=ministry,
        title="Vorlage Hospitationsvereinbarung",
        summary="Für beide Organisationen.",
        category="template",
        audience="partners",
    )
    internal = BlueprintFactory(
        organisation=ministry,
        title="Interne Evaluation",
        summary="Nur für Angemeldete.",
        category="evaluation",
        visibility="signed_in",
    )
    services.blueprint_update(
        blueprint=workshop,
        data=services.BlueprintData(
            title=workshop.title,
            summary=workshop.summary,
            body=workshop.body,
            duration_minutes=420,
            group_min=8,
            group_max=20,
            audience="participants",
            tags=["Kreativität", "Workshop"],
        ),
        by=office,
    )
    return {
        "office": office,
        "workshop": workshop,
        "consultation": consultation,
        "agreement": agreement,
        "internal": internal,
    }


def test_search_finds_words_in_title_summary_and_text(client, library):
    assert _titles(client.get(LIST, {"q": "Fallberatung"})) == ["Kollegiale Fallberatung"]
    assert _titles(client.get(LIST, {"q": "Prototypen"})) == ["Design Thinking Workshop"]
    assert _titles(client.get(LIST, {"q": "Walfang"})) == []
    html = client.get(LIST, {"q": "Walfang"}).content.decode()
    assert "No blueprint matches" in html or "Keine Blaupause" in html


def test_search_uses_german_stemming_on_postgresql(client, library):
    found = _titles(client.get(LIST, {"q": "Prototyp"}))
    # PostgreSQL's German dictionary stems "Prototypen" to "prototyp"; SQLite's fallback
    # finds it as a substring. Both must find it.
    assert found == ["Design Thinking Workshop"]
    if connection.vendor == "postgresql":
        # Plural and singular meet in the stem: "Beratungen" finds "Beratung unter Gleichen".
        assert _titles(client.get(LIST, {"q": "Beratungen"})) == ["Kollegiale Fallberatung"]
        # websearch syntax: a phrase and an exclusion.
        assert _titles(client.get(LIST, {"q": "Workshop -Prototypen"})) == []
    else:
        assert _titles(client.get(LIST, {"q": "Beratung"})) == ["Kollegiale Fallberatung"]


def test_search_does_not_find_hidden_ones(client, library):
    assert _titles(client.get(LIST, {"q": "Interne"})) == []
    client.force_login(participant_user())
    assert _titles(client.get(LIST, {"q": "Interne"})) == ["Interne Evaluation"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "template"}, ["Vorlage Hospitationsvereinbarung"]),
        ({"audience": "office"}, ["Kollegiale Fallberatung"]),
        ({"duration": "short"}, ["Kollegiale Fallberatung"]),
        ({"duration": "day"}, ["Design Thinking Workshop"]),
        ({"group_size": "12"}, ["Design Thinking Workshop"]),
        ({"group_size": "6"}, ["Kollegiale Fallberatung"]),
        ({"group_size": "8"}, ["Kollegiale Fallberatung", "Design Thinking Workshop"]),
        ({"tag": "kreativitat"}, ["Design Thinking Workshop"]),
        ({"category": "method", "q": "Fall"}, ["Kollegiale Fallberatung"]),
    ],
)
def test_filters(client, library, params, expected):
    assert sorted(_titles(client.get(LIST, params))) == sorted(expected)


def test_an_invalid_filter_is_explained_and_ignored(client, library):
    response = client.get(LIST, {"group_size": "viele", "category": "template"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert _titles(response) == ["Vorlage Hospitationsvereinbarung"]


def test_pagination_keeps_search_and_filters(client, library):
    for n in range(12):
        BlueprintFactory(title=f"Leitfaden {n}", category="guideline", summary="Ein Leitfaden.")
    client.cookies["django_language"] = "en"
    html = client.get(LIST, {"category": "guideline", "q": "Leitfaden"}).content.decode()
    assert "?category=guideline&amp;q=Leitfaden&amp;page=2" in html
    second = client.get(LIST, {"category": "guideline", "q": "Leitfaden", "page": 2})
    assert len(_titles(second)) == 2
    assert "12 blueprints" in html


def test_the_tag_filter_offers_only_tags_of_readable_blueprints(client, library):
    hidden = BlueprintFactory(draft=True)
    hidden.tags.create(name="Geheim", slug="geheim")
    html = client.get(LIST).content.decode()
    assert 'value="kreativitat"' in html and "Geheim" not in html


def test_category_overview_counts_what_the_visitor_may_read(client, library):
    client.cookies["django_language"] = "en"
    response = client.get("/blueprints/categories/")
    assert response.status_code == 200
    counts = {value: count for value, _label, count in response.context["categories"]}
    assert counts == {
        "method": 2,
        "template": 1,
        "guideline": 0,
        "recommendation": 0,
        "evaluation": 0,
    }
    client.force_login(participant_user())
    counts = {v: c for v, _l, c in client.get("/blueprints/categories/").context["categories"]}
    assert counts["evaluation"] == 1
    assert "/blueprints/?category=method" in response.content.decode()


def test_the_landing_page_shows_only_public_ones(client, library):
    html = client.get("/").content.decode()
    assert "Design Thinking Workshop" in html
    assert "Interne Evaluation" not in html


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_library_speaks_both_languages(client, library, language):
    client.cookies["django_language"] = language
    html = client.get(LIST).content.decode()
    assert f'<html lang="{language}"' in html
    assert ("Blaupausen" in html) is (language == "de")


# ------------------------------------------------------------------------- query budgets


def _rows(count):
    for n in range(count):
        blueprint = BlueprintFactory(
            title=f"Workshop {n}", summary="Ein Workshop.", category="method"
        )
        blueprint.tags.create(name=f"Tag {blueprint.pk}", slug=f"tag-{blueprint.pk}")


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        LIST + "?q=Workshop",
        LIST + "?category=method&group_size=5&duration=short",
        "/blueprints/categories/",
        "/",
    ],
)
def test_library_and_search_queries_are_flat(client, url):
    assert_flat_queries(client, url, _rows)


def test_library_queries_are_flat_for_the_office(client):
    ministry = OrganisationFactory()
    client.force_login(office_user(org=ministry))

    def rows(count):
        _rows(count)
        for _ in range(count):
            BlueprintFactory(organisation=ministry, draft=True)

    assert_flat_queries(client, LIST + "?q=Workshop", rows)


def test_a_blueprint_page_with_many_files_is_flat(client):
    ministry = OrganisationFactory()
    office = office_user(org=ministry)
    blueprint = BlueprintFactory(organisation=ministry, slug="viele")
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = samples.pdf_bytes("x")

    def rows(count):
        for _ in range(count):
            version = services.blueprint_file_add(
                blueprint=blueprint,
                title="Datei",
                upload=SimpleUploadedFile("d.pdf", pdf),
                note="",
                by=office,
            )
            services.blueprint_file_version_add(
                blueprint_file=version.blueprint_file,
                upload=SimpleUploadedFile("d.pdf", pdf),
                note="neu",
                by=office,
            )

    assert_flat_queries(client, "/blueprints/viele/", rows)
    client.force_login(office)
    assert_flat_queries(client, "/blueprints/viele/", lambda n: None)
    assert Blueprint.objects.count() == 1


def test_the_search_follows_an_edit(client, library):
    workshop = library["workshop"]
    assert _titles(client.get(LIST, {"q": "Lego"})) == []
    services.blueprint_update(
        blueprint=workshop,
        data=services.BlueprintData(
            title=workshop.title, summary=workshop.summary, materials="Lego und Knete"
        ),
        by=library["office"],
    )
    assert _titles(client.get(LIST, {"q": "Lego"})) == ["Design Thinking Workshop"]


def test_a_visitors_search_never_becomes_a_cache_key(client, library, monkeypatch):
    """The filter form is kept rendered only as nobody has filled it in; what a visitor
    asks is rendered each time (their words as keys would let anyone fill the cache)."""
    from blueprints import rendering

    kept = []
    set_ = rendering.cache.set
    monkeypatch.setattr(
        rendering.cache, "set", lambda key, *a, **k: kept.append(key) or set_(key, *a, **k)
    )
    first = client.get(LIST)
    assert first.status_code == 200
    for query in ("Prototypen", "irgendwas", "noch etwas anderes"):
        response = client.get(LIST, {"q": query})
        assert response.status_code == 200
        assert f'value="{query}"' in response.content.decode()
    assert len([key for key in kept if key.startswith("blueprints:filter")]) == 1
    again = client.get(LIST).content.decode()
    assert 'value="noch etwas anderes"' not in again


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(
    "query",
    [
        "q=Prototypen",
        "q=%3Cb%3E%26%22%27x",  # <b>&"'x: escaped as the widget escapes it
        "q=",
        "q=%20%20",
        "q=&q=Workshop",  # the widget shows the last one given
        "q=Workshop&q=",
        "q=Workshop&page=2",
        "q=Workshop&category=method",  # a filter chosen: rendered
        "q=Workshop&group_size=abc",  # an error shown: rendered
        "q=" + "a" * 201,  # too long: rendered with its error
        "q=Workshop&tag=workshop",
        "page=2",
        "",
    ],
)
def test_a_search_for_words_alone_writes_them_into_the_kept_form(library, query, language):
    """`rendering.filter_form` writes a search for words alone into the unasked form kept
    in the cache: the same HTML as rendering the asked form through its template."""
    from django.http import QueryDict
    from django.template.loader import render_to_string
    from django.utils import translation

    from blueprints import rendering, selectors
    from blueprints.forms import BlueprintFilter

    tags = [selectors.CardTag("workshop", "Workshop"), selectors.CardTag("k-t", "<K&T>")]
    with translation.override(language):
        for _warm in range(2):  # the kept form missing, then read
            form = BlueprintFilter(QueryDict(query) if query else None, tags=tags)
            if form.is_bound:
                form.is_valid()
            expected = render_to_string("blueprints/_filter_form.html", {"form": form})
            assert rendering.filter_form(form, tags) == expected


def _card_columns(blueprint):
    # Read with the blueprint (select_related), not loaded here.
    assert Blueprint.organisation.field.is_cached(blueprint)
    organisation = blueprint.organisation
    return (
        {
            f.attname: blueprint.__dict__.get(f.attname, "<deferred>")
            for f in Blueprint._meta.fields
        },
        sorted(blueprint.get_deferred_fields()),
        blueprint.adopted_n,
        getattr(blueprint, "rank", None),
        {f.attname: organisation.__dict__.get(f.attname) for f in organisation._meta.fields},
        sorted(organisation.get_deferred_fields()),
    )


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_kept_library_reads_what_the_queryset_reads(library, signed_in):
    """`library_sql.Library` (the SQL kept per shape of question) gives the rows, columns,
    related organisation, adoption counts, ranks and counts of `selectors.library_queryset`
    for the same question and time, page by page."""
    from datetime import timedelta

    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from blueprints import library_sql, selectors

    ministry = library["workshop"].organisation
    for n in range(13):
        BlueprintFactory(
            organisation=ministry,
            title=f"Workshop <&\"'> {n}",
            summary="Prototypen" if n % 2 else "Beratung",
            category="method" if n % 3 else "template",
            audience="office" if n % 2 else "participants",
            duration_minutes=[60, 200, 420, 600][n % 4],
            group_min=n % 5 or None,
            group_max=(n % 5) * 4 or None,
            visibility="signed_in" if n % 4 == 1 else "public",
            published_at=timezone.now() + timedelta(days=1 if n == 7 else -n - 1),
        )
    user = participant_user() if signed_in else AnonymousUser()
    queries = [
        selectors.LibraryQuery(),
        selectors.LibraryQuery(text="Workshop"),
        selectors.LibraryQuery(text="  Prototypen  "),
        selectors.LibraryQuery(text="<&\"'>"),
        selectors.LibraryQuery(text="Beratungen -Fall"),
        selectors.LibraryQuery(text="nichts dergleichen"),
        selectors.LibraryQuery(category="method"),
        selectors.LibraryQuery(category="template", text="Workshop"),
        selectors.LibraryQuery(audience="office"),
        *(selectors.LibraryQuery(duration=d) for d in selectors.DURATIONS),
        selectors.LibraryQuery(group_size=8),
        selectors.LibraryQuery(group_size=3, audience="participants"),
        selectors.LibraryQuery(tag="workshop"),
        selectors.LibraryQuery(tag="kreativitat", text="Prototypen", category="method"),
    ]
    now = timezone.now()
    kept_any = False
    for query in queries:
        for when in (now, now + timedelta(days=2)):
            expected = selectors.library_queryset(user, query, now=when)
            found = library_sql.Library(user, query, when)
            assert found.count() == expected.count()
            for low, high in ((0, 10), (10, 20), (3, 5), (0, 0), (12, 30)):
                rows = found[low:high]
                assert [_card_columns(b) for b in rows] == [
                    _card_columns(b) for b in expected[low:high]
                ]
    kept_any = any(
        kept
        for (kind, _shape), kept in connection._pioneer_library_kept.items()
        if kind in ("rows", "count")
    )
    assert kept_any == (connection.vendor == "postgresql")


def test_the_card_tags_are_the_querysets(library):
    """`selectors.card_tags` (its SQL kept per number of blueprints) reads the tags the
    queryset of the blueprints' tag rows reads, by name."""
    from django.test.utils import CaptureQueriesContext

    from blueprints import selectors

    other = BlueprintFactory(organisation=library["workshop"].organisation)
    services.blueprint_update(
        blueprint=other,
        data=services.BlueprintData(
            title=other.title, summary=other.summary, tags=['<Zebra & "Co">', "Workshop", "Ahorn"]
        ),
        by=library["office"],
    )
    ids = [b.pk for b in Blueprint.objects.order_by("pk")]
    for chosen in ([], ids[:1], ids, list(reversed(ids)), [ids[0], ids[0]], [10**9, *ids[:2]]):
        expected = {}
        for blueprint_id, slug, name in (
            Blueprint.tags.through.objects.filter(blueprint_id__in=chosen)
            .order_by("tag__name", "tag_id")
            .values_list("blueprint_id", "tag__slug", "tag__name")
        ):
            expected.setdefault(blueprint_id, []).append(selectors.CardTag(slug, name))
        with CaptureQueriesContext(connection) as queries:
            assert selectors.card_tags(iter(chosen)) == expected
        assert len(queries) == (1 if chosen else 0)
    assert len(selectors.card_tags(ids)[other.pk]) == 3
