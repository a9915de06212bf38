"""The review queue and a cohort's registrations tab read the page's rows (with their
note counts) by SQL compiled once per process while no filter but the queue's cohort is
in effect (cohorts.views.lists._kept_page), and write them in Python with plain escaping
(cohorts.views.rows.registration_rows): each page is the page the querysets and the
first writing gave, in every view, order and page, and in both languages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from cohorts import selectors
from cohorts.models import Cohort, InterestRegistration, RegistrationNote
from cohorts.views import lists
from cohorts.views.rows import _REGISTRATION_ROW, registration_rows
from pioneer.row_html import date_formatter, esc, join, labels, number, url_maker
from tests.factories.cohorts import CohortFactory, InterestRegistrationFactory, ProgrammeFactory
from tests.factories.core import OrganisationFactory, office_user
from tests.pages import without_csrf

pytestmark = pytest.mark.django_db

MARKED = 'O\'Brien <&> "Zoë"'
SORT_KEYS = ["organisation", "kind", "cohort", "state", "offered", "sought", "received"]
STATES = ["confirmed", "unconfirmed", "accepted", "declined", "expired"]


def _old_registration_rows(registrations, select_page, with_cohort):
    """The rows of the review queue and of a cohort's registrations tab
    (templates/cohorts/_registration_table.html)."""
    day = date_formatter("SHORT_DATE_FORMAT")
    detail = url_maker("cohorts:registration_detail")
    select = _("Select %(name)s")
    badges = {
        InterestRegistration.State.UNCONFIRMED: format_html(
            ' <span class="kern-badge kern-badge--warning kern-badge--small">'
            '<span class="kern-label">{}</span></span>',
            _("link not confirmed"),
        ),
        InterestRegistration.State.CONFIRMED: format_html(
            ' <span class="kern-badge kern-badge--info kern-badge--small">'
            '<span class="kern-label">{}</span></span>',
            _("to review"),
        ),
    }
    kinds = labels(InterestRegistration._meta.get_field("organisation_kind").choices)
    states = labels(InterestRegistration.State.choices)
    checked = " checked" if select_page else ""
    rows = []
    for r in registrations:
        name = r.organisation_name
        ministry = r.parent_ministry
        decided = ""
        if r.decided_by:
            decided = format_html(
                '<br><span class="kern-body--small">{}, {}</span>',
                r.decided_by,
                day(r.decided_at),
            )
        rows.append(
            _REGISTRATION_ROW.format(
                pk=r.pk,
                checked=checked,
                select=esc(select % {"name": name}),
                url=esc(detail(r.pk)),
                name=esc(name),
                contact=esc(r.contact_name),
                kind=kinds.get(r.organisation_kind) or esc(r.organisation_kind),
                ministry=format_html(" ({})", ministry) if ministry else "",
                cohort=(
                    format_html('<td class="kern-table__cell">{}</td>', r.cohort.title)
                    if with_cohort
                    else ""
                ),
                state=states.get(r.state) or esc(r.state),
                badge=badges.get(r.state, ""),
                decided=decided,
                host=esc(number(r.places_host)),
                send=esc(number(r.places_send)),
                received=esc(day(r.created_at)),
                notes=esc(number(r.note_count)),
            )
        )
    return join(rows)


@pytest.fixture
def world():
    ministry = OrganisationFactory(name="Ministerium für Landwirtschaft")
    office = office_user(org=ministry, name=MARKED)
    decider = office_user(org=ministry, name="")
    programme = ProgrammeFactory(organisation=ministry)
    big = CohortFactory(programme=programme, state=Cohort.State.OPEN, title=f"Groß {MARKED}")
    small = CohortFactory(programme=programme, state=Cohort.State.OPEN, title="Klein")
    CohortFactory(programme=programme, state=Cohort.State.OPEN, title="Leer")
    parent = OrganisationFactory(name=f"Ministerium {MARKED}", short_name="", kind="ministry")
    now = timezone.now()
    for index in range(34):
        state = STATES[index % 5]
        decided = state in ("accepted", "declined")
        registration = InterestRegistrationFactory(
            cohort=big if index % 4 else small,
            state=state,
            organisation_name=f"{MARKED} {index}" if index % 3 == 0 else f"Firma {index}",
            contact_name=MARKED if index % 2 else "Kontakt",
            organisation_kind="authority" if index % 6 == 0 else "company",
            parent_ministry=parent if index % 6 == 0 else None,
            places_host=index % 4,
            places_send=index % 3,
            decided_by=(office if index % 2 else decider) if decided else None,
            decided_at=now - timedelta(days=index) if decided else None,
        )
        InterestRegistration.objects.filter(pk=registration.pk).update(
            created_at=now - timedelta(hours=index % 9)
        )
        for _n in range(index % 3):
            RegistrationNote.objects.create(registration=registration, author=office, text="x")
    return {"office": office, "big": big, "small": small}


def _without_kept_pages(monkeypatch):
    """The views as they were: the page's rows from the querysets (no `scope`)."""
    table = lists._registration_table

    def orm_table(*args, scope=None, **kwargs):
        return table(*args, **kwargs)

    monkeypatch.setattr(lists, "_registration_table", orm_table)


def _html(client, url):
    html = client.get(url).content.decode()
    return without_csrf(html)


QUERIES = [
    "",
    "?show=all",
    "?page=2",
    "?show=all&page=2",
    "?show=all&page=99",
    "?show=action&page=2",
    "?select=page",
    *[f"?show=all&sort={d}{key}" for key in SORT_KEYS for d in ("", "-")],
    *[f"?sort={d}{key}&page=2" for key in SORT_KEYS for d in ("", "-")],
    "?cohort={big}",
    "?cohort={big}&show=all&page=2",
    "?cohort={big}&show=all&sort=-notes",
    "?cohort={small}&show=action",
    "?cohort=bogus",
    "?state=accepted",
    "?q=firma&show=all",
]


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_kept_pages_are_the_querysets_pages(world, monkeypatch, language):
    client = Client()
    client.force_login(world["office"])
    client.cookies["django_language"] = language
    ids = {"big": world["big"].pk, "small": world["small"].pk}
    urls = [f"/registrations/{query.format(**ids)}" for query in QUERIES]
    urls += [
        f"/cohorts/{cohort}/registrations/{query}"
        for cohort in ids.values()
        for query in QUERIES
        if "cohort=" not in query
    ]
    kept = {url: _html(client, url) for url in urls}
    # Again: the rows as kept (pioneer.fragments) on the first visit.
    assert {url: _html(client, url) for url in urls} == kept
    _without_kept_pages(monkeypatch)
    for url in urls:
        assert _html(client, url) == kept[url], url
    assert all("O&#x27;Brien &lt;&amp;&gt; &quot;Zoë&quot;" in page for page in kept.values())


def test_the_kept_rows_are_the_querysets_rows(world):
    """The rows themselves: the same registrations with the same values, note counts and
    related rows as the querysets give (read when asked for: the page shows them kept)."""
    client = Client()
    client.force_login(world["office"])
    for url in ("/registrations/?show=all", f"/cohorts/{world['big'].pk}/registrations/?show=all"):
        kept = client.get(url).context["page"].object_list
        assert len(kept) == 25
        for row in kept:
            orm = InterestRegistration.objects.get(pk=row.pk)
            assert row == orm
            (loaded,) = lists._page_rows(InterestRegistration.objects.filter(pk=row.pk))
            assert row.get_deferred_fields() == loaded.get_deferred_fields()
            assert (row._state.adding, row._state.db) == (False, loaded._state.db)
            for path in ("cohort", "parent_ministry", "decided_by"):
                mine, theirs = getattr(row, path), getattr(loaded, path)
                assert mine == theirs
                if mine is not None:
                    assert mine.get_deferred_fields() == theirs.get_deferred_fields(), path
                    assert str(mine) == str(theirs)
            assert row.note_count == orm.notes.count()
            assert row.cohort_id == orm.cohort_id and row.cohort.title == orm.cohort.title
            assert row.parent_ministry == orm.parent_ministry
            assert row.decided_by == orm.decided_by
            assert (row.organisation_name, row.created_at, row.places_host) == (
                orm.organisation_name,
                orm.created_at,
                orm.places_host,
            )


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_rows_are_written_as_they_were_first(world, language):
    rows = selectors.registration_note_counts(
        lists._page_rows(InterestRegistration.objects.order_by("pk"))
    )
    with translation.override(language):
        for select_page in (False, True):
            for with_cohort in (False, True):
                assert registration_rows(rows, select_page, with_cohort) == (
                    _old_registration_rows(rows, select_page, with_cohort)
                )
    assert "O&#x27;Brien &lt;&amp;&gt; &quot;Zoë&quot;" in registration_rows(rows, False, True)


def _change(kind, world):
    """Write one thing the kept rows show, as the app writes it (signals and all)."""
    big = world["big"]
    shown = InterestRegistration.objects.filter(cohort=big).order_by("pk")
    if kind == "organisation_name":
        registration = shown.first()
        registration.organisation_name = f"Umbenannt {MARKED}"
        registration.save()
    elif kind == "cohort_title":
        big.title = f"Neuer Titel {MARKED}"
        big.save()
    elif kind == "parent_ministry":
        ministry = shown.exclude(parent_ministry=None).first().parent_ministry
        ministry.name = f"Umbenannt {MARKED}"
        ministry.save()
    elif kind == "decider":
        decider = shown.exclude(decided_by=None).first().decided_by
        decider.name = f"Neu {MARKED}"
        decider.save()
    elif kind == "note_added":
        RegistrationNote.objects.create(
            registration=shown.first(), author=world["office"], text="neu"
        )
    elif kind == "note_deleted":
        RegistrationNote.objects.filter(registration__cohort=big).first().delete()
    elif kind == "state":
        registration = shown.filter(state="confirmed").first()
        registration.state = InterestRegistration.State.DECLINED
        registration.save()
    elif kind == "new_registration":
        InterestRegistrationFactory(cohort=big, state="confirmed", organisation_name="Ganz neu")
    elif kind == "deleted_registration":
        shown.first().delete()


@pytest.mark.parametrize(
    "kind",
    [
        "organisation_name",
        "cohort_title",
        "parent_ministry",
        "decider",
        "note_added",
        "note_deleted",
        "state",
        "new_registration",
        "deleted_registration",
    ],
)
def test_a_change_of_what_the_kept_rows_show_shows_on_the_next_visit(world, monkeypatch, kind):
    """The rows are kept under the change token (cohorts.figures): each write of what
    they show (the registration, its cohort, parent ministry, decider and notes) gives
    the page the querysets give on the very next visit, in each language."""
    client = Client()
    client.force_login(world["office"])
    big = world["big"].pk
    urls = [f"/registrations/?show=all{page}" for page in ("", "&page=2")] + [
        f"/registrations/?cohort={big}{query}" for query in ("", "&show=all")
    ]
    urls += [f"/cohorts/{big}/registrations/{query}" for query in ("", "?show=all")]
    languages = ("en", "de")
    before = {}
    for language in languages:
        client.cookies["django_language"] = language
        before.update({(language, url): _html(client, url) for url in urls})
    _change(kind, world)
    after = {}
    for language in languages:
        client.cookies["django_language"] = language
        after.update({(language, url): _html(client, url) for url in urls})
    assert after != before
    with monkeypatch.context() as patched:
        _without_kept_pages(patched)
        for language in languages:
            client.cookies["django_language"] = language
            for url in urls:
                assert after[language, url] == _html(client, url), (language, url)


def test_a_kept_page_of_rows_is_not_read_again(world):
    """Once written, a page's rows (and its count) come from the cache: no query reads
    registrations until something they show changes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(world["office"])
    big = world["big"].pk
    for url in (f"/cohorts/{big}/registrations/?show=all", f"/registrations/?cohort={big}"):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert not [q for q in queries if "cohorts_interestregistration" in q["sql"]], url
        _change("note_added", world)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert [q for q in queries if "cohorts_interestregistration" in q["sql"]], url


def test_the_blank_filter_form_is_kept_under_the_forms_own_key(world):
    """Without a query string the filter's form is not made: its HTML is the one the form
    gives (`fragments.form_html`, the same key), with the office's cohorts or without."""
    from cohorts.forms import RegistrationFilter
    from pioneer import fragments

    rows = selectors.office_cohort_rows(world["office"])
    for cohorts in (rows, None):
        filterset = RegistrationFilter(
            None, queryset=InterestRegistration.objects.none(), cohorts=cohorts
        )
        facts = filterset.blank_form_facts()
        html = lists._blank_filter_form_html(filterset, "cohorts.registration_filter")
        form = RegistrationFilter(
            None, queryset=InterestRegistration.objects.none(), cohorts=cohorts
        ).form
        assert html == fragments.form_html(form, "cohorts.registration_filter", facts)
        assert fragments.key(
            "form:cohorts.registration_filter", (type(form).__qualname__, form.prefix, facts)
        ) == fragments.key(
            "form:cohorts.registration_filter",
            (f"{type(filterset).__name__}Form", filterset.form_prefix, facts),
        )
        assert ('name="cohort"' in html) == (cohorts is not None)
    assert "Groß O&#x27;Brien &lt;&amp;&gt; &quot;Zoë&quot;" in lists._blank_filter_form_html(
        RegistrationFilter(None, queryset=InterestRegistration.objects.none(), cohorts=rows),
        "cohorts.registration_filter",
    )


def test_the_blank_filter_form_shows_a_renamed_cohort_on_the_next_visit(world):
    client = Client()
    client.force_login(world["office"])

    def choices():
        return _html(client, "/registrations/").split('name="cohort"')[1].split("</select>")[0]

    assert "Neuer Titel" not in choices()
    _change("cohort_title", world)
    assert "Neuer Titel O&#x27;Brien" in choices()


COHORT_QUERIES = [
    "?cohort={big}",
    "?cohort={small}&show=all&page=2",
    "?cohort={big}&cohort={small}",
    "?cohort={small}&cohort={big}&sort=-notes",
    "?page=2&cohort={big}&select=page&foo=%3Cx%3E",
    "?cohort={big}&q=",
    "?cohort={big}&state=",
    "?cohort={big}&state=confirmed",
    "?cohort=0{big}",
    "?cohort=%20{big}",
    "?cohort=",
    "?cohort=bogus",
    "?cohort=999999",
]


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_cohort_chosen_alone_is_shown_as_the_form_shows_it(world, monkeypatch, language):
    """With one of the office's cohorts as the only filter, the queue's chip, filter form
    and rows are what the bound form gives (the form is not made for them)."""
    client = Client()
    client.force_login(world["office"])
    client.cookies["django_language"] = language
    ids = {"big": world["big"].pk, "small": world["small"].pk}
    urls = [f"/registrations/{query.format(**ids)}" for query in COHORT_QUERIES]
    shown = {url: _html(client, url) for url in urls}
    with monkeypatch.context() as patched:
        patched.setattr(lists, "_chosen_cohort_alone", lambda params, filterset: None)
        for url in urls:
            assert _html(client, url) == shown[url], url
    assert "Groß O&#x27;Brien &lt;&amp;&gt; &quot;Zoë&quot;</span>" in shown[urls[0]]  # the chip
    _change("cohort_title", world)
    assert "Neuer Titel O&#x27;Brien &lt;&amp;&gt; &quot;Zoë&quot;</span>" in _html(client, urls[0])
