"""The handbook PDF: made by the jobs mechanism with WeasyPrint (tagged PDF/UA), with the
chosen blueprints the requester may read, in order, behind a table of contents."""

import io

import pytest
from pypdf import PdfReader

from blueprints import handbook
from pioneer import jobs
from pioneer.models import Job
from tests.factories.blueprints import BlueprintFactory
from tests.factories.core import OrganisationFactory, office_user, participant_user
from tests.pioneer import test_tasks

pytestmark = pytest.mark.django_db


def _pdf(job):
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    with jobs.result_storage().open(job.result_name, "rb") as handle:
        return handle.read()


def _start(by, ids, capture):
    with capture(execute=True):
        return jobs.job_start(kind=handbook.KIND, by=by, payload={"ids": ids})


def test_the_handbook_holds_the_chosen_blueprints_with_contents(
    django_capture_on_commit_callbacks,
):
    ministry = OrganisationFactory()
    first = BlueprintFactory(
        organisation=ministry,
        title="Kollegiale Fallberatung",
        body="# Ablauf\n\nEin Fall, viele Perspektiven.",
    )
    second = BlueprintFactory(
        organisation=ministry,
        title="Design Thinking",
        body="| Zeit | Phase |\n|---|---|\n| 09:00 | Start |",
    )
    draft = BlueprintFactory(organisation=ministry, draft=True, title="Geheimer Entwurf")
    reader = participant_user()
    job = _start(reader, [second.pk, first.pk, draft.pk], django_capture_on_commit_callbacks)
    data = _pdf(job)
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged
    assert root["/MarkInfo"]["/Marked"]
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()  # PDF/UA-1 in its XMP
    text = "\n".join(page.extract_text() for page in reader.pages)
    # The contents first, then the chapters in the chosen order; the draft is left out.
    assert text.index("Design Thinking") < text.index("Kollegiale Fallberatung")
    assert text.count("Kollegiale Fallberatung") == 2  # in the contents and as a chapter
    assert "Ablauf" in text and "09:00" in text
    assert "Geheimer Entwurf" not in text
    assert len(reader.pages) >= 3  # contents, and each chapter on a page of its own
    job.refresh_from_db()
    assert job.result_filename.endswith(".pdf")


def test_nothing_readable_fails_with_a_message(django_capture_on_commit_callbacks):
    draft = BlueprintFactory(draft=True)
    job = _start(participant_user(), [draft.pk], django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.error


# ---------------------------------------------------------------------------------- views


def test_a_signed_in_reader_makes_a_handbook_from_the_list(client):
    first, second = BlueprintFactory(), BlueprintFactory()
    client.force_login(participant_user())
    client.cookies["django_language"] = "en"
    html = client.get("/blueprints/").content.decode()
    assert f'name="ids" value="{first.pk}"' in html and "/blueprints/handbook/" in html
    response = client.post("/blueprints/handbook/", {"ids": [first.pk, second.pk]})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/jobs/{job.public_id}/"
    assert job.kind == handbook.KIND and job.payload == {"ids": [first.pk, second.pk]}


def test_the_blueprint_page_offers_its_pdf_to_signed_in_readers(client):
    blueprint = BlueprintFactory(slug="bp")
    assert "/blueprints/handbook/" not in client.get("/blueprints/bp/").content.decode()
    client.force_login(participant_user())
    html = client.get("/blueprints/bp/").content.decode()
    assert f'<input type="hidden" name="ids" value="{blueprint.pk}">' in html


def test_someone_elses_draft_is_not_found(client):
    ministry = OrganisationFactory()
    draft = BlueprintFactory(organisation=ministry, draft=True)
    public = BlueprintFactory()
    for user in (participant_user(), office_user()):
        client.force_login(user)
        response = client.post("/blueprints/handbook/", {"ids": [public.pk, draft.pk]})
        assert response.status_code == 404
    client.force_login(office_user(org=ministry))
    assert client.post("/blueprints/handbook/", {"ids": [draft.pk]}).status_code == 302
    assert Job.objects.count() == 1


@pytest.mark.parametrize("ids", [[], ["x"], list(range(1, 60))])
def test_bad_choices_change_nothing(client, ids):
    client.force_login(participant_user())
    response = client.post("/blueprints/handbook/", {"ids": ids})
    assert response.status_code in (302, 404)
    assert not Job.objects.exists()


def test_anonymous_visitors_are_sent_to_login(client):
    blueprint = BlueprintFactory()
    response = client.post("/blueprints/handbook/", {"ids": [blueprint.pk]})
    assert response.status_code == 302 and "/accounts/login/" in response.headers["Location"]
    assert client.get("/blueprints/handbook/").status_code == 302
    assert not Job.objects.exists()


# ------------------------------------------------------------------- with a real worker

celery_worker_process = test_tasks.celery_worker_process


@pytest.mark.worker
def test_a_real_worker_renders_the_handbook(_worker_shares_private_root, celery_worker_process):
    """A `celery worker` process takes the job from Redis, renders the PDF with WeasyPrint
    and stores it; the test reads it back with a PDF reader."""
    import time

    from django.db import transaction

    process, log = celery_worker_process
    ministry = OrganisationFactory()
    first = BlueprintFactory(organisation=ministry, title="Kollegiale Fallberatung")
    second = BlueprintFactory(organisation=ministry, title="Lerntagebuch", body="# Wozu\n\nLernen.")
    with transaction.atomic():
        job = jobs.job_start(
            kind=handbook.KIND, by=participant_user(), payload={"ids": [first.pk, second.pk]}
        )
    # A worker on a busy machine may take a while to start; the job waits in Redis.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if " ready." in log.read_text():
            break
        time.sleep(0.5)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        job.refresh_from_db()
        if job.state in {Job.State.DONE, Job.State.FAILED}:
            break
        time.sleep(0.25)
    assert job.state == Job.State.DONE, (job.error, log.read_text()[-3000:])
    assert "pioneer.tasks.run_job" in log.read_text()
    reader = PdfReader(io.BytesIO(_pdf(job)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert text.index("Kollegiale Fallberatung") < text.index("Lerntagebuch")
    assert "Wozu" in text
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged


def test_ids_that_no_row_can_have_are_not_found(client):
    """Past a primary key's range, negative, or no number: 404 and no job, on every
    database (SQLite cannot bind a number past 2**63 at all)."""
    blueprint = BlueprintFactory()
    client.force_login(participant_user())
    for ids in (["9" * 30], [str(2**63)], [blueprint.pk, "9" * 30], ["-1"], ["x"]):
        assert client.post("/blueprints/handbook/", {"ids": ids}).status_code == 404
    assert not Job.objects.exists()
