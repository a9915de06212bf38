"""The staff council's question: who can read a learning journal entry?

Each test looks for entries' texts (markers found nowhere else) along one path: the pages
every role reaches by following links (a crawl, not a list), the pages that count or list
a cohort's people and tandems, searches, exports, the Django admin, every table of the
database (history tables, the notification ledger, jobs) and the log. Private entries are
found by their author alone; shared entries exactly by whom they are shared with.
"""

import logging
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import reverse

from pioneer.models import Job
from tandems import journal_services
from tandems.models import JournalEntry
from tests.access import crawl
from tests.tandems.journal_world import VISIBILITIES, build, client_for, secret

pytestmark = pytest.mark.django_db

SHARED_WITH_PARTNER = {"partner", "both"}
SHARED_WITH_OFFICE = {"office", "both"}


@pytest.fixture
def w():
    return build()


def _text(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _reachable_text(user):
    """Everything `user` reads on the pages reached from their home by following links."""
    client = client_for(user)
    pages, _posts = crawl(user, start=("/home/",), per_route=5)
    return "\n".join(_text(client.get(path)) for path in sorted(pages)), pages


def _found(text, w):
    return {key for key in w["entries"] if secret(*key) in text}


def _office_urls(w):
    c, t = w["cohort"], w["tandem"]
    return [
        reverse("tandems:board", args=[c.pk]),
        reverse("tandems:board", args=[c.pk]) + "?q=Zebrafink",
        reverse("tandems:detail", args=[c.pk, t.pk]),
        reverse("tandems:office_journal", args=[c.pk, t.pk]),
        reverse("cohorts:cohort_dashboard", args=[c.pk]),
        reverse("cohorts:cohort_detail", args=[c.pk]),
        reverse("cohorts:participation_list", args=[c.pk]),
        reverse("cohorts:participation_list", args=[c.pk]) + "?q=Zebrafink",
        reverse("cohorts:participation_print", args=[c.pk]),
        reverse("cohorts:participation_detail", args=[c.pk, t.administration_id]),
        reverse("cohorts:participation_detail", args=[c.pk, t.external_id]),
        reverse("cohorts:participation_export", args=[c.pk, "csv"]),
        reverse("cohorts:cohort_registrations", args=[c.pk]),
    ]


def test_the_office_reads_only_what_was_shared_with_it_on_every_page(w):
    client = client_for(w["office"])
    text = "\n".join(_text(client.get(url)) for url in _office_urls(w))
    crawled, pages = _reachable_text(w["office"])
    assert reverse("tandems:office_journal", args=[w["cohort"].pk, w["tandem"].pk]) in pages
    expected = {(who, v) for who in ("anna", "ben") for v in SHARED_WITH_OFFICE}
    assert _found(text, w) == expected
    assert _found(crawled, w) == expected


def test_the_office_search_finds_no_one_by_a_private_text(w):
    client = client_for(w["office"])
    c = w["cohort"]
    for url in (
        reverse("cohorts:participation_list", args=[c.pk]),
        reverse("tandems:board", args=[c.pk]),
    ):
        page = _text(client.get(url, {"q": secret("anna", "private")}))
        assert str(w["anna"]) not in page, url


def test_the_offices_pages_are_the_same_with_and_without_private_entries(w):
    """Not even a count changes: the office's pages read the same after Anna and Ben
    wrote more private entries and entries shared with their partner only."""
    client = client_for(w["office"])
    token = re.compile(r'(csrfmiddlewaretoken" value=|nonce=)"[^"]*"')
    # A print view states the minute it was printed, which may turn between the two reads.
    printed = re.compile(r"Printed on [^.]*\.")

    def pages():
        responses = [client.get(url, follow=True) for url in _office_urls(w)]
        assert {r.status_code for r in responses} == {200}
        return [printed.sub("", token.sub("", _text(r))) for r in responses]

    before = pages()
    t = w["tandem"]
    for participation in (t.administration, t.external):
        for visibility in ("private", "partner", "private"):
            journal_services.journal_entry_create(
                participation=participation,
                date=t.phases.get(number=2).start,
                text="Noch ein Eintrag",
                visibility=visibility,
                by=participation.user,
            )
    assert pages() == before


def test_the_partner_reads_only_what_was_shared_with_them(w):
    text, _pages = _reachable_text(w["ben"])
    own = {("ben", v) for v in VISIBILITIES}
    assert _found(text, w) == own | {("anna", v) for v in SHARED_WITH_PARTNER}
    text, _pages = _reachable_text(w["anna"])
    assert _found(text, w) == {("anna", v) for v in VISIBILITIES} | {
        ("ben", v) for v in SHARED_WITH_PARTNER
    }


@pytest.mark.parametrize("role", ["contact", "evaluator", "colleague", "stranger_office"])
def test_other_roles_read_no_entry_at_all(w, role):
    text, pages = _reachable_text(w[role])
    assert len(pages) > 1
    direct = "\n".join(
        _text(client_for(w[role]).get(url))
        for url in [*_office_urls(w), reverse("tandems:journal_shared")]
    )
    assert _found(text + direct, w) == set()


def test_anonymous_visitors_reach_no_journal(w):
    client = client_for(None)
    for url in [*_office_urls(w), reverse("tandems:journal"), reverse("tandems:journal_shared")]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_admin_has_no_path_to_an_entry(w):
    """The journal is not registered in the admin, no registered model shows it inline,
    and a superuser's search of every list finds no entry."""
    assert JournalEntry not in admin.site._registry
    for model_admin in admin.site._registry.values():
        for inline in model_admin.inlines:
            assert inline.model is not JournalEntry
    client = client_for(w["admin"])
    texts = [_text(client.get("/admin/"))]
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        texts.append(_text(client.get(url, {"q": "Zebrafink"})))
    # The tandem's two people, opened in the admin.
    for user in (w["anna"], w["ben"]):
        texts.append(_text(client.get(reverse("admin:pioneer_user_change", args=[user.pk]))))
    assert _found("\n".join(texts), w) == set()


def _tables_holding(text):
    """The database tables (other than the journal's own) with a row that holds `text`,
    history tables, the notification ledger and the jobs included."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table == JournalEntry._meta.db_table:
                continue
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":  # the whole row as text
                condition, params = "position(%s in t::text) > 0", [text]
            else:  # SQLite (`make test` without DATABASE_URL): every column as text
                columns = [
                    connection.ops.quote_name(column.name)
                    for column in connection.introspection.get_table_description(cursor, table)
                ]
                condition = " OR ".join(f"instr(CAST(t.{c} AS TEXT), %s) > 0" for c in columns)
                params = [text] * len(columns)
            cursor.execute(
                f"SELECT count(*) FROM {quoted} AS t WHERE {condition}",  # noqa: S608
                params,
            )
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def test_no_table_but_the_journals_own_holds_an_entrys_text(w):
    assert not hasattr(JournalEntry, "history")
    for key in w["entries"]:
        assert _tables_holding(secret(*key)) == [], key


def test_a_deleted_entry_is_gone_from_every_table_and_the_log(w, caplog):
    caplog.set_level(logging.DEBUG)
    entry = w["entries"][("anna", "private")]
    journal_services.journal_entry_update(
        entry=entry,
        date=entry.date,
        text=entry.text + " geändert",
        visibility="partner",
        by=w["anna"],
    )
    client = client_for(w["anna"])
    client.get(reverse("tandems:journal"))
    response = client.post(reverse("tandems:journal_delete", args=[entry.pk]))
    assert response.status_code == 302
    assert not JournalEntry.objects.filter(pk=entry.pk).exists()
    assert _tables_holding(secret("anna", "private")) == []
    assert secret("anna", "private") not in caplog.text


def test_the_journal_pdf_is_the_authors_alone(w, django_capture_on_commit_callbacks):
    """Anna's PDF job: nobody else sees its page or downloads it, not even her partner
    or the office; the job's row holds no text."""
    client = client_for(w["anna"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tandems:journal_export"))
    job = Job.objects.get(requested_by=w["anna"])
    assert response.status_code == 302 and str(job.public_id) in response["Location"]
    assert job.state == Job.State.DONE
    assert secret("anna", "private") not in str(job.payload) + str(job.summary)
    for role in ("ben", "office", "contact", "evaluator", "admin"):
        other = client_for(w[role])
        for name in ("job_detail", "job_download"):
            url = reverse(name, args=[job.public_id])
            assert other.get(url).status_code == 404, (role, name)
    assert client.get(reverse("job_download", args=[job.public_id])).status_code == 200


def test_the_offices_exports_hold_no_entry(w, django_capture_on_commit_callbacks):
    """The participant list as XLSX (a job) and as CSV: no entry, shared or not."""
    import io

    from openpyxl import load_workbook

    from pioneer import jobs

    client = client_for(w["office"])
    c = w["cohort"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cohorts:participation_export", args=[c.pk, "xlsx"]))
    job = Job.objects.get(requested_by=w["office"])
    assert job.state == Job.State.DONE
    with jobs.result_storage().open(job.result_name) as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    cells = "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    assert w["anna"].email in cells
    csv = _text(client.get(reverse("cohorts:participation_export", args=[c.pk, "csv"])))
    assert w["anna"].email in csv
    assert _found(cells + csv, w) == set()
