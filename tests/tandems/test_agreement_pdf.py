"""The agreement's PDF: made by the jobs mechanism, read back with a PDF reader (pypdf),
one current version per language however often the job runs, a new version when what
it shows changes; and a real Celery worker makes it."""

import io
import time

import pytest
from django.db import transaction
from pypdf import PdfReader

from pioneer import jobs
from pioneer.models import Job
from tandems import agreement_pdf, agreements, services
from tandems.models import AgreementDocument
from tandems.storage import agreement_storage
from tests.factories.core import office_user, partner_user
from tests.factories.tandems import tandem
from tests.pioneer import test_tasks

celery_worker_process = test_tasks.celery_worker_process

Party = agreements.Party


def _phase():
    t = tandem()
    for user in (t.administration.user, t.external.user):
        services.tandem_confirm(tandem=t, by=user)
    office = office_user(t.cohort.programme.organisation)
    phase = t.phases.get(number=1)
    host = partner_user(phase.host_organisation, name="Hanna Host")
    agreements.phase_set_agreement(
        phase=phase,
        by=office,
        goals="Förderverfahren kennenlernen",
        host_contact=host,
        sender_contact_name="Susi Sender",
        sender_contact_email="susi@sender.example",
    )
    phase.refresh_from_db()
    return phase, office, host


def _text(document):
    with agreement_storage().open(document.file_name, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(page.extract_text() for page in reader.pages), reader


def _run_job(phase, by):
    job = Job.objects.create(
        kind=agreements.PDF_JOB,
        requested_by=by,
        state=Job.State.QUEUED,
        content_type_id=_content_type(phase),
        object_id=phase.pk,
        language="en",
    )
    assert jobs.job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def _content_type(phase):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(phase).pk


@pytest.mark.django_db
def test_the_job_run_twice_gives_one_current_version():
    phase, office, host = _phase()
    agreements.agreement_confirm(
        phase=phase, party=Party.HOST, by=host, checklist=list(agreements.CHECKLIST)
    )
    first = _run_job(phase, office)
    assert first.state == Job.State.DONE and len(first.summary["documents"]) == 2
    second = _run_job(phase, office)
    assert second.state == Job.State.DONE and second.summary["documents"] == []
    current = AgreementDocument.objects.filter(kind="generated", is_current=True)
    assert sorted(current.values_list("language", "version")) == [("de", 1), ("en", 1)]
    english = current.get(language="en")
    text, reader = _text(english)
    assert "Hospitation agreement, phase 1" in text
    assert "Hanna Host" in text and "Susi Sender" in text
    assert "Förderverfahren kennenlernen" in text
    # Tagged PDF/UA: a structure tree and the document's language.
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en"
    german = current.get(language="de")
    assert _text(german)[1].trailer["/Root"]["/Lang"] == "de"

    # Who confirmed changes what the PDF shows: a new version, the old one kept.
    agreements.agreement_record_paper(phase=phase, by=office)
    _run_job(phase, office)
    _run_job(phase, office)
    documents = AgreementDocument.objects.filter(kind="generated", language="en")
    assert sorted(documents.values_list("version", "is_current")) == [(1, False), (2, True)]
    text, _reader = _text(documents.get(is_current=True))
    assert "on paper" in text


@pytest.mark.django_db
def test_a_change_queues_the_job_on_commit(django_capture_on_commit_callbacks):
    phase, office, host = _phase()
    with django_capture_on_commit_callbacks(execute=True):
        agreements.agreement_confirm(
            phase=phase, party=Party.HOST, by=host, checklist=list(agreements.CHECKLIST)
        )
    assert Job.objects.filter(kind=agreements.PDF_JOB, state=Job.State.DONE).exists()
    assert AgreementDocument.objects.filter(is_current=True).count() == 2


@pytest.mark.worker
def test_a_real_worker_makes_the_pdf(_worker_shares_private_root, celery_worker_process):
    process, log = celery_worker_process
    phase, office, _host = _phase()
    with transaction.atomic():
        job = jobs.job_start(kind=agreements.PDF_JOB, by=office, target=phase)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        job.refresh_from_db()
        if job.state in {Job.State.DONE, Job.State.FAILED}:
            break
        time.sleep(0.25)
    assert job.state == Job.State.DONE, log.read_text()[-3000:]
    assert "pioneer.tasks.run_job" in log.read_text()
    document = AgreementDocument.objects.get(language="en", is_current=True)
    text, _reader = _text(document)
    assert "Hospitation agreement, phase 1" in text and "Susi Sender" in text
    assert agreement_pdf.LANGUAGES == ("de", "en")
