"""A real Celery worker (Redis, PostgreSQL) makes a person's journal PDF; its text is read
back with a PDF reader."""

import io
import time

import pytest
from django.db import transaction
from pypdf import PdfReader

from pioneer import jobs
from pioneer.models import Job
from tests.pioneer import test_tasks
from tests.tandems.journal_world import build, secret

# The real worker of the notification tests, shared.
celery_worker_process = test_tasks.celery_worker_process


@pytest.mark.worker
def test_a_real_worker_makes_the_journal_pdf(_worker_shares_private_root, celery_worker_process):
    process, log = celery_worker_process
    w = build()
    with transaction.atomic():
        job = jobs.job_start(kind="tandems.journal_pdf", by=w["anna"])
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        job.refresh_from_db()
        if job.state in {Job.State.DONE, Job.State.FAILED}:
            break
        time.sleep(0.25)
    assert job.state == Job.State.DONE, log.read_text()[-3000:]
    assert "pioneer.tasks.run_job" in log.read_text()
    with jobs.result_storage().open(job.result_name) as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert secret("anna", "private") in text
    assert secret("anna", "both") in text
    assert secret("ben", "partner") not in text
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])
