"""Participation certificates: the lines the apps answer (attended events only, the two
hospitation phases), the job (one current certificate however often it runs), the PDF
read back with a PDF reader, downloads checked, and the public check of a code."""

import io
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from cohorts.models import Cohort
from companion import certificates, services
from companion.models import Certificate, EventRegistration
from companion.storage import certificate_storage
from pioneer import jobs
from pioneer.access import SYSTEM
from pioneer.models import Job
from tandems.models import Tandem
from tests.access import assert_access
from tests.factories.cohorts import CohortFactory
from tests.factories.companion import EventFactory, participant_in
from tests.factories.core import evaluator_user, office_user, participant_user, partner_user
from tests.factories.tandems import tandem
from tests.pioneer import test_tasks

pytestmark = pytest.mark.django_db
celery_worker_process = test_tasks.celery_worker_process
Reg = EventRegistration


def _past_event(cohort, title, days_ago):
    start = (timezone.now() - timedelta(days=days_ago)).replace(microsecond=0)
    return EventFactory(
        cohort=cohort, title=title, starts_at=start, ends_at=start + timedelta(hours=3)
    )


def _register_before(event, participation):
    services.registration_create(
        event=event, participation=participation, by=SYSTEM, now=event.starts_at - timedelta(days=2)
    )


def _world():
    """A cohort in evaluation: Anna attended two events, was registered for a third and
    did not come, and had a fourth's attendance left unrecorded; Bruno attended one."""
    cohort = CohortFactory(state=Cohort.State.EVALUATION)
    anna = participant_in(cohort, name="Anna Albrecht", language="en")
    bruno = participant_in(cohort, name="Bruno Berg", language="de")
    kickoff = _past_event(cohort, "Kick-off in Potsdam", 60)
    workshop = _past_event(cohort, "Design Thinking workshop", 40)
    missed = _past_event(cohort, "Keynote on public procurement", 20)
    unrecorded = _past_event(cohort, "Networking evening", 10)
    for event in (kickoff, workshop, missed, unrecorded):
        _register_before(event, anna)
    _register_before(kickoff, bruno)
    Reg.objects.filter(participation=anna, event__in=[kickoff, workshop]).update(
        attendance=Reg.Attendance.ATTENDED
    )
    Reg.objects.filter(participation=anna, event=missed).update(attendance=Reg.Attendance.NO_SHOW)
    Reg.objects.filter(participation=bruno, event=kickoff).update(
        attendance=Reg.Attendance.ATTENDED
    )
    office = office_user(cohort.programme.organisation)
    return {"cohort": cohort, "anna": anna, "bruno": bruno, "office": office}


def _pdf_text(certificate):
    with certificate_storage.open(certificate.file_name, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_record_lists_exactly_the_attended_events():
    world = _world()
    lines = certificates.record_lines(world["anna"])
    assert [line.text for line in lines if line.section == "events"] == [
        "Kick-off in Potsdam",
        "Design Thinking workshop",
    ]


def test_record_lists_the_two_hospitation_phases():
    cohort = CohortFactory(state=Cohort.State.RUNNING)
    made = tandem(cohort)
    other = tandem(cohort)
    Tandem.objects.filter(pk=made.pk).update(state=Tandem.State.COMPLETED)
    phases = list(made.phases.order_by("number"))
    today = timezone.localdate()
    made.phases.filter(number=1).update(
        start=today - timedelta(days=180), end=today - timedelta(days=91)
    )
    made.phases.filter(number=2).update(
        start=today - timedelta(days=90), end=today - timedelta(days=1)
    )
    with translation.override("en"):
        lines = certificates.record_lines(made.administration)
    phase_lines = [line for line in lines if line.section == "phases"]
    assert [line.detail for line in phase_lines] == ["Phase 1", "Phase 2"]
    hosts = {phase.number: phase.host_organisation.name for phase in phases}
    assert phase_lines[0].start == today - timedelta(days=180)
    assert phase_lines[1].end == today - timedelta(days=1)
    assert all(any(host in line.text for host in hosts.values()) for line in phase_lines)
    # A tandem that never began adds nothing.
    assert [
        line for line in certificates.record_lines(other.administration) if line.section == "phases"
    ] == []


def test_the_job_makes_one_current_certificate_per_person_however_often_it_runs(
    django_capture_on_commit_callbacks,
):
    world = _world()
    with django_capture_on_commit_callbacks(execute=True):
        first = jobs.job_start(kind=certificates.KIND, by=world["office"], target=world["cohort"])
        second = jobs.job_start(kind=certificates.KIND, by=world["office"], target=world["cohort"])
    for job in (first, second):
        job.refresh_from_db()
        assert job.state == Job.State.DONE, job.error
        assert job.progress_done == job.progress_total == 2
    # The same job run again does nothing: its certificates are there.
    Job.objects.filter(pk=second.pk).update(state=Job.State.QUEUED)
    assert jobs.job_run(job_id=second.pk)
    anna = Certificate.objects.filter(participation=world["anna"])
    assert anna.count() == 2
    assert anna.filter(superseded_at__isnull=True).count() == 1
    assert anna.get(superseded_at__isnull=True).job_id == second.pk
    assert Certificate.objects.filter(superseded_at__isnull=True).count() == 2


def test_the_pdf_lists_the_attended_events_in_the_persons_language():
    world = _world()
    anna = certificates.certificate_issue(participation=world["anna"], by=SYSTEM)
    bruno = certificates.certificate_issue(participation=world["bruno"], by=SYSTEM)
    text, reader = _pdf_text(anna)
    assert "Certificate of participation" in text
    assert "Kick-off in Potsdam" in text and "Design Thinking workshop" in text
    assert "Keynote on public procurement" not in text
    assert "Networking evening" not in text
    assert anna.printed_code in text
    assert anna.events_count == 2
    # Tagged (PDF/UA): a structure tree and the document's language.
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en"
    bruno_text, bruno_reader = _pdf_text(bruno)
    assert "Teilnahmebescheinigung" in bruno_text and "Kick-off in Potsdam" in bruno_text
    assert bruno_reader.trailer["/Root"]["/Lang"] == "de"


def test_making_a_pdf_logs_no_step_of_weasyprint(caplog):
    """The settings keep WeasyPrint's per-step progress (seven INFO lines a PDF) out of
    the log: `seed_demo` printed some hundred of them."""
    import logging

    world = _world()
    with caplog.at_level(logging.INFO):
        certificates.certificate_issue(participation=world["anna"], by=SYSTEM)
    assert not [r for r in caplog.records if r.name.startswith("weasyprint.progress")]


def test_the_public_check_says_valid_superseded_or_unknown(client):
    world = _world()
    old = certificates.certificate_issue(participation=world["anna"], by=SYSTEM)
    new = certificates.certificate_issue(participation=world["anna"], by=SYSTEM)
    url = reverse("companion:certificate_verify")
    with translation.override("en"):
        page = client.get(url, {"code": new.printed_code.lower()}, HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Anna Albrecht" in body and world["cohort"].title in body
    assert "Gültig" in body or "valid" in body
    superseded = client.get(url, {"code": old.code}).content.decode()
    assert "Anna Albrecht" in superseded and ("ersetzt" in superseded or "superseded" in superseded)
    # It reveals nothing more: no organisation, no events, no e-mail address.
    assert world["anna"].user.email not in body and "Kick-off" not in body
    unknown = client.get(url, {"code": "A" * 20}).content.decode()
    assert "Anna Albrecht" not in unknown
    bad = client.get(url, {"code": "not a code"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.content.decode()


def test_downloads_are_the_persons_own_or_the_offices():
    world = _world()
    certificate = certificates.certificate_issue(participation=world["anna"], by=SYSTEM)
    url = reverse("companion:certificate_download", args=[certificate.pk])
    assert_access(
        url,
        owner=world["anna"].user,
        stranger=office_user(),
        foreign_partner=partner_user(),
        wrong_role=evaluator_user(),
        owner_status=200,
        foreign_partner_status=403,
    )
    from django.test import Client

    office = Client()
    office.force_login(world["office"])
    response = office.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # Another participant of the same cohort: not theirs.
    bruno = Client()
    bruno.force_login(world["bruno"].user)
    assert bruno.get(url).status_code == 404
    # A superseded one is not offered any more.
    certificates.certificate_issue(participation=world["anna"], by=SYSTEM)
    owner = Client()
    owner.force_login(world["anna"].user)
    assert owner.get(url).status_code == 404


def test_office_pages_access_and_start_the_job(client, django_capture_on_commit_callbacks):
    world = _world()
    cohort = world["cohort"]
    page = reverse("companion:certificates", args=[cohort.pk])
    make = reverse("companion:certificates_make", args=[cohort.pk])
    assert_access(
        page,
        owner=world["office"],
        stranger=office_user(),
        foreign_partner=partner_user(),
        wrong_role=participant_user(),
        foreign_partner_status=403,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert_access(
            make,
            method="post",
            owner=world["office"],
            stranger=office_user(),
            foreign_partner=partner_user(),
            wrong_role=participant_user(),
            owner_status=302,
            foreign_partner_status=403,
        )
    # The owner's post above made them all (inline); one person's run makes only theirs.
    assert Certificate.objects.filter(superseded_at__isnull=True).count() == 2
    client.force_login(world["office"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(make, {"participation": world["bruno"].pk})
    assert response.status_code == 302 and "/jobs/" in response.url
    assert Certificate.objects.filter(participation=world["anna"]).count() == 1
    assert Certificate.objects.filter(participation=world["bruno"]).count() == 2
    # Someone of another cohort cannot be chosen: nothing is started.
    other = participant_in(CohortFactory(programme=cohort.programme))
    before = Job.objects.count()
    response = client.post(make, {"participation": other.pk})
    assert response.status_code == 302 and Job.objects.count() == before
    page_html = client.get(page).content.decode()
    assert "Anna Albrecht" in page_html
    # One form around the table, a button per person sending that person.
    assert page_html.count(f'action="{make}"') == 2  # everyone, and the table's form
    for person in (world["anna"], world["bruno"]):
        assert f'name="participation" value="{person.pk}"' in page_html
    assert "Issued on" in page_html or "Ausgestellt am" in page_html


def test_a_cohort_not_yet_running_gets_none(client):
    world = _world()
    Cohort.objects.filter(pk=world["cohort"].pk).update(state=Cohort.State.MATCHING)
    client.force_login(world["office"])
    client.post(reverse("companion:certificates_make", args=[world["cohort"].pk]))
    assert not Job.objects.exists() and not Certificate.objects.exists()


def test_participants_see_their_own_list(client):
    world = _world()
    assert_access(
        reverse("companion:my_certificates"),
        owner=world["anna"].user,
        foreign_partner=partner_user(),
        wrong_role=world["office"],
        foreign_partner_status=403,
    )
    certificates.certificate_issue(participation=world["anna"], by=SYSTEM)
    client.force_login(world["anna"].user)
    body = client.get(reverse("companion:my_certificates")).content.decode()
    assert world["cohort"].title in body
    client.force_login(world["bruno"].user)
    body = client.get(reverse("companion:my_certificates")).content.decode()
    assert world["cohort"].title not in body


@pytest.mark.worker
def test_a_real_worker_makes_the_certificates(
    client, _worker_shares_private_root, celery_worker_process
):
    process, log = celery_worker_process
    world = _world()
    with transaction.atomic():
        job = jobs.job_start(kind=certificates.KIND, by=world["office"], target=world["cohort"])
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        job.refresh_from_db()
        if job.state in {Job.State.DONE, Job.State.FAILED}:
            break
        time.sleep(0.25)
    assert job.state == Job.State.DONE, log.read_text()[-3000:]
    assert "pioneer.tasks.run_job" in log.read_text()
    anna = Certificate.objects.get(participation=world["anna"])
    text, _reader = _pdf_text(anna)
    events = [
        title
        for title in (
            "Kick-off in Potsdam",
            "Design Thinking workshop",
            "Keynote on public procurement",
            "Networking evening",
        )
        if title in text
    ]
    assert events == ["Kick-off in Potsdam", "Design Thinking workshop"]
    page = client.get(reverse("companion:certificate_verify"), {"code": anna.code})
    body = page.content.decode()
    assert page.status_code == 200 and "Anna Albrecht" in body
    assert world["cohort"].title in body


def test_a_superseded_certificates_pdf_is_deleted_after_the_commit(
    django_capture_on_commit_callbacks,
):
    from companion.storage import certificate_storage

    world = _world()
    old = certificates.certificate_issue(participation=world["anna"], by=SYSTEM)
    old_file = old.file_name
    assert certificate_storage.exists(old_file)
    with django_capture_on_commit_callbacks(execute=True):
        new = certificates.certificate_issue(participation=world["anna"], by=SYSTEM)
    old.refresh_from_db()
    assert old.superseded_at is not None and old.file_name == ""
    assert not certificate_storage.exists(old_file)
    assert certificate_storage.exists(new.file_name)
