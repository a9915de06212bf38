"""Views of the evaluation app's jobs: the answers as XLSX, the report as a PDF, and
publishing the report into the blueprint library (a confirmation page that says what will
be public, then a job). Office and evaluators assigned to the cohort; anyone else's
survey answers 404, other roles 403. The jobs' pages and downloads are the core's
(pioneer.views.jobs), which ask `evaluation.jobs.may_read` again."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from evaluation import jobs as evaluation_jobs
from evaluation import reports, selectors
from pioneer import jobs
from pioneer.models import Role
from pioneer.permissions import require, role_required

OFFICE = Role.Kind.PROGRAMME_OFFICE
EVALUATOR = Role.Kind.EVALUATOR


def _readable_survey(request, pk, perm="evaluation.read_report", *, organisation=False):
    survey = selectors.readable_survey_or_404(request.user, pk, organisation=organisation)
    require(perm, request.user, survey)
    return survey


def _start(request, survey, kind):
    job = jobs.job_start(kind=kind, by=request.user, target=survey)
    return redirect("job_detail", public_id=job.public_id)


@role_required(OFFICE, EVALUATOR)
@require_POST
def survey_export_xlsx(request, pk):
    """The answers as XLSX, made by a job (the CSV's rows and suppression)."""
    survey = _readable_survey(request, pk)
    return _start(request, survey, evaluation_jobs.XLSX_KIND)


@role_required(OFFICE, EVALUATOR)
@require_POST
def survey_report_pdf(request, pk):
    """The report with its charts as a tagged PDF, made by a job."""
    survey = _readable_survey(request, pk)
    return _start(request, survey, evaluation_jobs.PDF_KIND)


@role_required(OFFICE, EVALUATOR)
def survey_publish(request, pk):
    """What publishing puts into the library (GET), and doing it (POST: a job)."""
    # With the organisation whose library it goes to (the page names it).
    survey = _readable_survey(request, pk, "evaluation.publish_report", organisation=True)
    if request.method == "POST":
        return _start(request, survey, evaluation_jobs.PUBLISH_KIND)
    title, summary, body = evaluation_jobs.library_text(survey)
    return render(
        request,
        "evaluation/survey_publish.html",
        {
            "survey": survey,
            "library_title": title,
            "library_summary": summary,
            "threshold": reports.threshold(),
            "organisation": survey.cohort.programme.organisation,
        },
    )
