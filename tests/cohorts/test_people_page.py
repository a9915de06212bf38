"""The participant list's unfiltered page read with kept SQL (cohorts.people_page) gives
the people the list's queryset gives, in the same order, for every sort column in both
directions, both views, a cohort that counts the only nominated as waiting or not, and
later pages; the page without a query string keeps its filter form's HTML under the key
the form itself would have; and the list renders the same HTML either way."""

import re

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from cohorts import people_page, selectors
from cohorts.forms import ParticipationFilter
from cohorts.models import Cohort, Participation
from cohorts.views import lists
from pioneer import fragments
from pioneer.tables import SortableTable
from tests.factories.cohorts import CohortFactory, ParticipationFactory, ProgrammeFactory
from tests.factories.core import OrganisationFactory, UserFactory, office_user

pytestmark = pytest.mark.django_db

SORTS = ["name", "side", "organisation", "position", "state", "signed_in"]


def _people(cohort):
    ours = cohort.programme.organisation
    company = OrganisationFactory(name="<Firma & \"Söhne\" 'KG'>", kind="company")
    rows = [
        ("Zora", "administration", ours, "nominated", None, False, "Referat <1>"),
        ("anton", "external", company, "confirmed", None, True, ""),
        ("Ägidius <&\"'>", "administration", ours, "active", timezone.now(), False, "UX"),
        ("Berta", "external", company, "nominated", timezone.now(), False, "UX"),
        ("Berta", "administration", ours, "withdrawn", None, False, "UX"),
        ("", "external", company, "completed", None, True, "A"),
        ("Carl", "administration", ours, "nominated", timezone.now(), True, "B"),
    ]
    for name, side, organisation, state, last_login, held, position in rows:
        user = UserFactory(name=name)
        if last_login:
            # As a sign-in saves it (the participation copies it: `signed_in`).
            user.last_login = last_login
            user.save(update_fields=["last_login"])
        ParticipationFactory(
            cohort=cohort,
            user=user,
            side=side,
            organisation=organisation,
            state=state,
            invitation_held=held,
            position=position,
            withdrawn_reason="Wechsel" if state == "withdrawn" else "",
        )


def _shown(participations):
    return [
        (
            p.pk,
            p.user.name,
            p.user.email,
            p.user.last_login,
            str(p.organisation),
            p.side,
            p.state,
            p.position,
            p.invitation_held,
        )
        for p in participations
    ]


@pytest.mark.parametrize("state", [Cohort.State.OPEN, Cohort.State.RUNNING])
def test_the_kept_page_is_the_querysets_page(state):
    cohort = CohortFactory(
        programme=ProgrammeFactory(organisation=OrganisationFactory()), state=state
    )
    _people(cohort)
    cohort = Cohort.objects.select_related("programme").get(pk=cohort.pk)
    compared = 0
    for key in SORTS:
        for sort in (key, f"-{key}"):
            table = SortableTable({"sort": sort}, lists.participation_columns(), default="side")
            for needing_action in (True, False):
                for offset, size in ((0, 25), (0, 2), (2, 2), (4, 3)):
                    kept = people_page.page_rows(
                        cohort, table, needing_action=needing_action, offset=offset, size=size
                    )
                    queryset = people_page.rows_queryset(cohort, table.ordering, needing_action)
                    expected = list(queryset[offset : offset + size])
                    assert _shown(kept) == _shown(expected), (sort, needing_action, offset)
                    # The list's own queryset (as the print view builds it) agrees.
                    show = "action" if needing_action else "all"
                    request = RequestFactory().get("/", {"sort": sort, "show": show})
                    request._messages = None
                    *_rest, rows = lists._participation_rows(
                        request, cohort, selectors.participation_groups(cohort)
                    )
                    assert _shown(rows[offset : offset + size]) == _shown(expected)
                    compared += bool(expected)
    assert compared > 40
    # The view's condition of the queryset is the list's own (selectors).
    everyone = people_page.rows_queryset(cohort, ["pk"], False)
    assert list(everyone) == list(Participation.objects.filter(cohort=cohort).order_by("pk"))


def test_pages_past_the_kept_ones_are_left_to_the_queryset():
    cohort = CohortFactory(state=Cohort.State.OPEN)
    table = SortableTable({}, lists.participation_columns(), default="side")
    size = 25
    offset = people_page.COMPILED_PAGES * size
    assert (
        people_page.page_rows(cohort, table, needing_action=True, offset=offset, size=size) is None
    )


def test_the_blank_filter_form_is_kept_under_the_forms_own_key():
    cohort = CohortFactory(state=Cohort.State.OPEN)
    _people(cohort)
    groups = [{"organisation_id": 1, "organisation__short_name": "", "organisation__name": "X"}]
    filterset = ParticipationFilter(
        None, queryset=Participation.objects.none(), cohort=cohort, groups=groups
    )
    facts = filterset.blank_form_facts()
    form = filterset.form
    assert fragments.key(
        "form:cohorts.participation_filter", (type(form).__qualname__, form.prefix, facts)
    ) == fragments.key(
        "form:cohorts.participation_filter", (f"{type(filterset).__name__}Form", None, facts)
    )
    html = lists._blank_filter_form_html(filterset, "cohorts.participation_filter")
    assert html == fragments.form_html(form, "cohorts.participation_filter", facts)
    assert 'name="organisation"' in html


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_list_is_the_same_read_either_way(client, monkeypatch, language):
    ministry = OrganisationFactory(name="Ministerium")
    cohort = CohortFactory(programme=ProgrammeFactory(organisation=ministry), state="running")
    _people(cohort)
    client.force_login(office_user(org=ministry))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("cohorts:participation_list", args=[cohort.pk])
    queries = [
        "",
        "?show=all",
        "?sort=-name&show=all",
        "?sort=state",
        "?show=all&page=2",
        "?sort=organisation&show=all&page=9",
        "?select=page",
        "?side=external",
    ]
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')

    def pages():
        return [token.sub("", client.get(url + query).content.decode()) for query in queries]

    kept = pages()
    monkeypatch.setattr(people_page, "COMPILED_PAGES", 0)
    assert pages() == kept
    assert "Ägidius &lt;&amp;&quot;&#x27;&gt;" in kept[1]


@pytest.mark.django_db(transaction=True)
def test_the_first_view_reads_its_page_from_the_partial_index_in_a_generic_plan():
    """The kept statement is prepared (pioneer.settings) and, from its sixth run on a
    connection, may run with a generic plan, made without the values, for a cohort of
    average size: the page of people who need action is still cut from the cohort's
    people alone before their accounts and organisations are joined (the generic plan
    of the joined query joined all the big cohort's waiting people, then sorted)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans")
    # A big cohort among many small ones (as at N = 50: the generic plan is made for a
    # cohort of average size).
    cohort = CohortFactory(state=Cohort.State.OPEN)
    organisation = cohort.programme.organisation
    users = type(office_user(org=organisation)).objects.bulk_create(
        [
            UserFactory.build(
                email=f"p{n}@example.org", last_login=timezone.now() if n % 2 else None
            )
            for n in range(400)
        ]
    )
    others = [CohortFactory(programme=cohort.programme) for _n in range(60)]
    Participation.objects.bulk_create(
        [
            Participation(cohort=cohort, user=user, organisation=organisation, side="external")
            for user in users
        ]
        + [
            Participation(cohort=other, user=user, organisation=organisation, side="external")
            for other in others
            for user in users[:30]
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cohorts_participation")
    table = SortableTable({}, lists.participation_columns(), default="side")
    people_page.page_rows(cohort, table, needing_action=True, offset=0, size=25)
    kept = [
        value
        for key, value in connection._pioneer_compiled.items()
        if key[1].startswith("cohorts.people_page.side.1.0.0.25")
    ]
    (kept,) = kept
    sql = kept.sql
    parts = sql.split("%s")
    numbered = "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]
    params = list(kept.params)
    for index, _name in kept.slots:
        params[index] = cohort.pk
    literals = ", ".join(f"'{value}'" for value in params)
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute("PREPARE people_probe AS " + numbered)
        cursor.execute(f"EXPLAIN EXECUTE people_probe({literals})")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE people_probe")
        cursor.execute("RESET plan_cache_mode")
    # The cohort's rows are cut to the page (Limit) before anything is joined to them:
    # no account or organisation below the Limit. (Which index gives the rows depends
    # on the statistics: at N = 50 the partial one, `participation_waiting_idx`.)
    lines = plan.splitlines()
    (start,) = [n for n, line in enumerate(lines) if line.lstrip(" ->").startswith("Limit")]
    depth = len(lines[start]) - len(lines[start].lstrip(" ->"))
    below = []
    for line in lines[start + 1 :]:
        if len(line) - len(line.lstrip(" ->")) <= depth:
            break
        below.append(line)
    assert below and "cohorts_participation" in "\n".join(below), plan
    assert not any("pioneer_user" in line or "pioneer_organisation" in line for line in below)
