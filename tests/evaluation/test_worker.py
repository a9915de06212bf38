"""A real Celery worker (Redis, PostgreSQL) makes the evaluation's XLSX and PDF and offers
the report to the library; the test reads the files back (openpyxl, pypdf) and finds the
expected figures and no suppressed group."""

import io
import time

import pytest
from django.db import transaction

from blueprints.models import Blueprint
from evaluation import jobs as evaluation_jobs
from evaluation.models import EvaluatorAssignment
from pioneer import jobs
from pioneer.models import Job
from tests.evaluation.test_exports_jobs import check_pdf, check_xlsx, fill, pdf_text, xlsx_rows
from tests.factories.cohorts import CohortFactory
from tests.factories.core import evaluator_user
from tests.factories.evaluation import survey_with_questions
from tests.pioneer import test_tasks

celery_worker_process = test_tasks.celery_worker_process


def _wait(job_ids, process, log, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        states = set(Job.objects.filter(pk__in=job_ids).values_list("state", flat=True))
        if states <= {Job.State.DONE, Job.State.FAILED}:
            break
        time.sleep(0.25)
    found = {job.kind: job for job in Job.objects.filter(pk__in=job_ids)}
    for job in found.values():
        assert job.state == Job.State.DONE, (job.kind, job.error, log.read_text()[-3000:])
    return found


@pytest.mark.worker
def test_a_real_worker_makes_the_xlsx_and_the_pdf_and_publishes(
    _worker_shares_private_root, celery_worker_process
):
    process, log = celery_worker_process
    cohort = CohortFactory(title="Pilot 2022")
    survey, questions = survey_with_questions(cohort=cohort, title="Abschlussbefragung")
    fill(survey, questions)
    evaluator = evaluator_user(language="en")
    EvaluatorAssignment.objects.create(cohort=cohort, user=evaluator)
    with transaction.atomic():
        started = [
            jobs.job_start(kind=kind, by=evaluator, target=survey)
            for kind in (
                evaluation_jobs.XLSX_KIND,
                evaluation_jobs.PDF_KIND,
                evaluation_jobs.PUBLISH_KIND,
            )
        ]
    done = _wait([job.pk for job in started], process, log)
    assert "pioneer.tasks.run_job" in log.read_text()

    def result(kind):
        with jobs.result_storage().open(done[kind].result_name, "rb") as handle:
            return handle.read()

    check_xlsx(xlsx_rows(result(evaluation_jobs.XLSX_KIND)), questions)
    check_pdf(pdf_text(result(evaluation_jobs.PDF_KIND)), questions)
    # The library's draft holds the public PDF: aggregated, without free texts.
    blueprint = Blueprint.objects.get()
    assert not blueprint.is_public and blueprint.category == Blueprint.Category.EVALUATION
    assert done[evaluation_jobs.PUBLISH_KIND].summary["url"] == f"/blueprints/{blueprint.slug}/"
    version = blueprint.files.get().versions.get()
    with version.file.open("rb") as handle:
        public = handle.read()
    check_pdf(pdf_text(public), questions, texts=False)
    assert io.BytesIO(public).read(5) == b"%PDF-"
