"""The learning journal: the services' rules, who gets which page (tests/access.py), flat
queries (tests/queries.py), and the PDF of one's own journal."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from pioneer import jobs
from pioneer.models import Job
from tandems import journal_services
from tandems.models import JournalEntry
from tests.access import assert_access
from tests.factories.core import OrganisationFactory, office_user, partner_user
from tests.factories.tandems import tandem
from tests.queries import assert_flat_queries
from tests.tandems.journal_world import build, client_for, secret

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build()


def _write(participation, **fields):
    values = {"date": timezone.localdate(), "text": "Heute gelernt", "visibility": "private"}
    values.update(fields)
    return journal_services.journal_entry_create(
        participation=participation, by=participation.user, **values
    )


# --- services -------------------------------------------------------------------------------


def test_the_phase_comes_from_the_date_unless_chosen(w):
    t = w["tandem"]
    first, second = t.phases.order_by("number")
    entry = _write(t.administration, date=second.start + timedelta(days=3))
    assert entry.phase == second
    entry = _write(t.administration, date=first.start - timedelta(days=3))
    assert entry.phase is None
    entry = _write(t.administration, date=second.start, phase=first)
    assert entry.phase == first
    assert entry.visibility == JournalEntry.Visibility.PRIVATE


def test_bad_input_is_refused_and_changes_nothing(w):
    t = w["tandem"]
    other_phase = tandem().phases.first()
    before = JournalEntry.objects.count()
    cases = [
        ({"text": "   "}, "text"),
        ({"text": "a\x00b"}, "text"),
        ({"text": "x" * (journal_services.MAX_TEXT + 1)}, "text"),
        ({"date": timezone.localdate() + timedelta(days=1)}, "date"),
        ({"date": None}, "date"),
        ({"visibility": "everyone"}, "visibility"),
        ({"phase": other_phase}, "phase"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as error:
            _write(t.administration, **fields)
        assert field in error.value.error_dict, fields
    assert JournalEntry.objects.count() == before


def test_only_the_author_writes_changes_and_deletes(w):
    t = w["tandem"]
    entry = w["entries"][("anna", "partner")]
    for by in (w["ben"], w["office"], w["admin"]):
        with pytest.raises(ValidationError):
            journal_services.journal_entry_create(
                participation=t.administration,
                date=timezone.localdate(),
                text="x",
                visibility="private",
                by=by,
            )
        with pytest.raises(ValidationError):
            journal_services.journal_entry_update(
                entry=entry, date=entry.date, text="x", visibility="office", by=by
            )
        with pytest.raises(ValidationError):
            journal_services.journal_entry_delete(entry=entry, by=by)
    entry.refresh_from_db()
    assert entry.text == secret("anna", "partner") and entry.visibility == "partner"


def test_a_partner_of_a_tandem_that_ended_early_reads_nothing_any_more(w):
    from tandems.journal_selectors import entries_shared_with_partner
    from tandems.services import tandem_end_early

    assert entries_shared_with_partner(w["ben"]).count() == 2
    tandem_end_early(tandem=w["tandem"], reason="Wechsel", by=w["office"])
    assert entries_shared_with_partner(w["ben"]).count() == 0


# --- pages ----------------------------------------------------------------------------------


def test_participant_pages_access(w):
    entry = w["entries"][("anna", "private")]
    for method, url, data, status in [
        ("get", reverse("tandems:journal"), None, 200),
        ("get", reverse("tandems:journal_shared"), None, 200),
        ("get", reverse("tandems:journal_new"), None, 200),
        ("post", reverse("tandems:journal_new"), {"text": ""}, 400),
        ("get", reverse("tandems:journal_edit", args=[entry.pk]), None, 200),
        ("post", reverse("tandems:journal_edit", args=[entry.pk]), {"text": ""}, 400),
        ("get", reverse("tandems:journal_delete", args=[entry.pk]), None, 200),
        ("post", reverse("tandems:journal_export"), {}, 302),
    ]:
        assert_access(
            url,
            method=method,
            data=data,
            owner=w["anna"],
            owner_status=status,
            foreign_partner=w["contact"],
            foreign_partner_status=403,
            wrong_role=w["office"],
        )
    # Someone else's entry answers 404 to the partner, even one shared with them.
    for name in ("tandems:journal_edit", "tandems:journal_delete"):
        for key in (("anna", "private"), ("anna", "partner"), ("anna", "both")):
            url = reverse(name, args=[w["entries"][key].pk])
            assert client_for(w["ben"]).get(url).status_code == 404
            assert client_for(w["ben"]).post(url, {}).status_code == 404
    assert JournalEntry.objects.filter(participation__user=w["anna"]).count() == 4


def test_the_office_page_access(w):
    url = reverse("tandems:office_journal", args=[w["cohort"].pk, w["tandem"].pk])
    assert_access(
        url,
        owner=w["office"],
        stranger=w["stranger_office"],
        foreign_partner=partner_user(OrganisationFactory(kind="company")),
        foreign_partner_status=403,
        wrong_role=w["anna"],
    )


def test_write_edit_and_delete_through_the_pages(w):
    client = client_for(w["anna"])
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("tandems:journal_new"),
        {"date": today, "phase": "", "text": "Neu gelernt", "visibility": "both"},
    )
    assert response.status_code == 302
    entry = JournalEntry.objects.get(text="Neu gelernt")
    assert entry.visibility == "both" and entry.participation == w["tandem"].administration
    response = client.post(
        reverse("tandems:journal_edit", args=[entry.pk]),
        {"date": today, "phase": "", "text": "Neu gelernt, privat", "visibility": "private"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.visibility == "private" and entry.text == "Neu gelernt, privat"
    # A phase of another tandem is refused with a message, nothing changes.
    foreign = tandem().phases.first()
    response = client.post(
        reverse("tandems:journal_edit", args=[entry.pk]),
        {"date": today, "phase": str(foreign.pk), "text": "x", "visibility": "office"},
    )
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.visibility == "private"
    response = client.post(reverse("tandems:journal_delete", args=[entry.pk]))
    assert response.status_code == 302
    assert not JournalEntry.objects.filter(pk=entry.pk).exists()


def test_the_form_speaks_german(w):
    client = client_for(w["anna"], language="de")
    response = client.post(reverse("tandems:journal_new"), {"text": "", "visibility": "x"})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<html lang="de"' in page


def test_journal_pages_keep_flat_queries(w):
    t = w["tandem"]

    def entries(participation):
        def make(count):
            for _ in range(count):
                _write(participation, visibility="both")

        return make

    anna, office = client_for(w["anna"]), client_for(w["office"])
    assert_flat_queries(anna, reverse("tandems:journal"), entries(t.administration))
    assert_flat_queries(anna, reverse("tandems:journal_shared"), entries(t.external))
    assert_flat_queries(
        office,
        reverse("tandems:office_journal", args=[w["cohort"].pk, t.pk]),
        entries(t.administration),
    )
    entry = w["entries"][("anna", "private")]
    for url in (
        reverse("tandems:journal_new"),
        reverse("tandems:journal_edit", args=[entry.pk]),
        reverse("tandems:journal_delete", args=[entry.pk]),
    ):
        assert_flat_queries(anna, url, entries(t.administration))


# --- the PDF --------------------------------------------------------------------------------


def _pdf_text(job):
    with jobs.result_storage().open(job.result_name) as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_holds_all_own_entries_and_no_one_elses(w, django_capture_on_commit_callbacks):
    client = client_for(w["anna"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("tandems:journal_export"))
    job = Job.objects.get(requested_by=w["anna"])
    assert job.state == Job.State.DONE and job.result_content_type == "application/pdf"
    reader, text = _pdf_text(job)
    for visibility in JournalEntry.Visibility.values:
        assert secret("anna", visibility) in text
        assert secret("ben", visibility) not in text
    # Tagged PDF/UA, in the author's language.
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).startswith(w["anna"].language or "de")


def test_running_the_pdf_job_twice_changes_nothing(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_start(kind="tandems.journal_pdf", by=w["anna"])
    job.refresh_from_db()
    name = job.result_name
    assert not jobs.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.result_name == name and job.state == Job.State.DONE


def test_only_a_participant_may_start_the_pdf(w):
    for user in (w["office"], w["contact"], w["evaluator"]):
        assert client_for(user).post(reverse("tandems:journal_export")).status_code == 403
    assert client_for(w["anna"]).get(reverse("tandems:journal_export")).status_code == 405
    assert not Job.objects.exists()


def test_an_office_of_another_ministry_has_no_page(w):
    stranger = office_user()
    url = reverse("tandems:office_journal", args=[w["cohort"].pk, w["tandem"].pk])
    assert client_for(stranger).get(url).status_code == 404
