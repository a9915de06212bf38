"""The evaluation app's jobs (pioneer.jobs): the answers as XLSX, the report as a PDF,
and the report published into the document library.

All three show only what the reports and the CSV show (evaluation.reports,
evaluation.exports): a group below EVALUATION_THRESHOLD is left out, and so is a group
whose complement is (a difference of two shown figures must not reveal a small one).

- XLSX: the same rows as the CSV (`exports.answer_rows`, read with a server-side cursor),
  written by openpyxl in write-only mode to a temporary file: memory stays flat however
  many answers there are.
- PDF: WeasyPrint, tagged PDF/UA as the handbook (blueprints.handbook), in the
  requester's language (the job runs in it); each chart is the report page's SVG with its
  data table beside it.
- publish: the PDF without free texts and without other cohorts, offered to the library
  through `pioneer.hooks.publish_document` (the evaluation app does not import the
  library); the library makes a draft that the cohort's office publishes.

The job holds only the survey's id; when it runs it reads the survey again through the
requester's scope, so someone who lost access meanwhile gets nothing.
"""

import os

import rules
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohorts.services.exports import XLSX_CONTENT_TYPE, clean_text, write_xlsx
from evaluation import exports, reports, selectors
from evaluation.models import Response
from pioneer import hooks, jobs

XLSX_KIND = "evaluation.answers_xlsx"
PDF_KIND = "evaluation.report_pdf"
PUBLISH_KIND = "evaluation.report_publish"
PDF_CONTENT_TYPE = "application/pdf"
XLSX_WIDTH_CODE = 18
XLSX_WIDTH_QUESTION = 30
# Other cohorts beside this one in the PDF's comparison (the page on screen shows all).


def may_read(user, job):
    """The requester may (still) read the survey's reports: its office, or an evaluator
    assigned to its cohort."""
    survey = selectors.surveys_for(user).filter(pk=job.object_id).first()
    return survey is not None and rules.has_perm("evaluation.read_report", user, survey)


def _survey(job):
    survey = selectors.surveys_for(job.requested_by).filter(pk=job.object_id).first()
    if survey is None or not may_read(job.requested_by, job):
        raise jobs.JobError(_("The survey no longer exists or you may no longer read it."))
    return survey


def _back(job):
    return reverse("evaluation:report", kwargs={"pk": job.object_id})


def filename(survey, extension, label):
    stamp = timezone.localdate().isoformat()
    base = slugify(f"{survey.cohort.title} {survey.title}")[:80] or "survey"
    return f"{base}-{slugify(label)}-{stamp}.{extension}"


# --- XLSX -------------------------------------------------------------------------------


def write_answers_xlsx(survey, path, progress=None):
    """The answers of `survey` as XLSX at `path` (the CSV's rows, the same suppression)."""
    rows = exports.answer_rows(survey)
    header = next(rows)
    widths = [XLSX_WIDTH_CODE] + [XLSX_WIDTH_QUESTION] * (len(header) - 1)
    total = Response.objects.filter(survey=survey, submitted=True).count()

    def cleaned():
        yield [clean_text(value) for value in header]
        for row in rows:
            yield [clean_text(value) for value in row]

    write_xlsx(
        path, title=_("Answers"), widths=widths, rows=cleaned(), total=total, progress=progress
    )


def run_xlsx(job, progress):
    survey = _survey(job)
    path = jobs.temporary_path(".xlsx")
    try:
        write_answers_xlsx(survey, path, progress=progress)
    except BaseException:
        os.unlink(path)
        raise
    return jobs.JobOutput(
        path=path,
        filename=filename(survey, "xlsx", _("answers")),
        content_type=XLSX_CONTENT_TYPE,
    )


# --- PDF --------------------------------------------------------------------------------


def report_context(survey, user, *, for_library=False):
    """What the PDF shows: the report, the change since the baseline and (not in the
    library's copy) the comparison with the other cohorts the requester may read and the
    free texts."""
    report = reports.survey_report(survey)
    baseline = selectors.baseline_for(survey)
    change = reports.baseline_final_change(baseline, survey) if baseline is not None else None
    comparison, compared = None, []
    if not for_library:
        # A printed table holds a few columns: the pilot (the earliest) and the latest.
        others = reports.default_compared(selectors.comparable_surveys(survey, user))
        if others:
            compared = [survey, *others]
            comparison = reports.cohort_comparison(compared)
    if for_library:
        for _section, results in report["sections"]:
            for result in results:
                result.texts = []
    return {
        "survey": survey,
        "report": report,
        "baseline": baseline,
        "change": change,
        "compared": compared,
        "comparison": comparison,
        "threshold": reports.threshold(),
        "for_library": for_library,
        "made_at": timezone.now(),
        "title": _("Report: %(title)s") % {"title": survey.title},
    }


def render_pdf(survey, user, path, *, for_library=False):
    from weasyprint import HTML

    html = render_to_string(
        "evaluation/report_pdf.html", report_context(survey, user, for_library=for_library)
    )
    HTML(string=html, base_url=None).write_pdf(path, pdf_variant="pdf/ua-1")


def run_pdf(job, progress):
    survey = _survey(job)
    progress(0, 1)
    path = jobs.temporary_path(".pdf")
    try:
        render_pdf(survey, job.requested_by, path)
    except BaseException:
        os.unlink(path)
        raise
    progress(1, 1)
    return jobs.JobOutput(
        path=path, filename=filename(survey, "pdf", _("report")), content_type=PDF_CONTENT_TYPE
    )


# --- publishing into the library ---------------------------------------------------------


def library_text(survey):
    """(title, summary, body) of the library's entry: aggregated words only."""
    n = reports.submitted_counts([survey])[survey.pk]
    threshold = reports.threshold()
    title = _("Evaluation: %(survey)s (%(cohort)s)") % {
        "survey": survey.title,
        "cohort": survey.cohort.title,
    }
    summary = _("Aggregated results of the survey “%(survey)s” of %(programme)s, %(cohort)s.") % {
        "survey": survey.title,
        "programme": survey.cohort.programme.name,
        "cohort": survey.cohort.title,
    }
    if n < threshold:
        answered = _("Fewer than %(threshold)s people answered, so no results are shown.") % {
            "threshold": threshold
        }
    else:
        answered = _("%(n)s people answered.") % {"n": n}
    body = "\n\n".join(
        [
            f"{survey.get_kind_display()}: {answered}",
            _(
                "The attached PDF holds only aggregated figures. Any group of fewer than "
                "%(threshold)s answers is left out, and so is any group whose difference to "
                "the total would reveal fewer than %(threshold)s; free texts are not "
                "published."
            )
            % {"threshold": threshold},
        ]
    )
    return title, summary, body


def run_publish(job, progress):
    """Make the library's PDF and offer it; safe to run twice (the offer's URL in the
    summary is the "already done?" mark, written in the same transaction)."""
    survey = _survey(job)
    progress(0, 2)
    path = jobs.temporary_path(".pdf")
    try:
        render_pdf(survey, job.requested_by, path, for_library=True)
        with open(path, "rb") as handle:
            content = handle.read()
    except BaseException:
        os.unlink(path)
        raise
    progress(1, 2)
    name = filename(survey, "pdf", _("report"))
    if not job.summary.get("url"):
        title, summary, body = library_text(survey)
        with transaction.atomic():
            url = hooks.publish(
                title=title,
                summary=summary,
                body_markdown=body,
                files=[(name, content, PDF_CONTENT_TYPE)],
                origin_cohort=survey.cohort,
                category=hooks.DOCUMENT_EVALUATION_REPORT,
                by=job.requested_by,
                language=translation.get_language() or "de",
            )
            if url is None:
                raise jobs.JobError(_("There is no document library to publish into."))
            jobs.job_summary_store(job=job, url=url, title=title)
    progress(2, 2)
    return jobs.JobOutput(path=path, filename=name, content_type=PDF_CONTENT_TYPE)


def publish_outcome(job):
    return _(
        "“%(title)s” is now a draft in the blueprint library (%(url)s). The programme office "
        "of the cohort reviews it; it becomes public only when they publish it."
    ) % {"title": job.summary.get("title", ""), "url": job.summary.get("url", "")}


def register():
    jobs.register(
        XLSX_KIND,
        run=run_xlsx,
        may_see=may_read,
        label=gettext_lazy("Export of survey answers (XLSX)"),
        back=_back,
    )
    jobs.register(
        PDF_KIND,
        run=run_pdf,
        may_see=may_read,
        label=gettext_lazy("Survey report (PDF)"),
        back=_back,
    )
    jobs.register(
        PUBLISH_KIND,
        run=run_publish,
        may_see=may_read,
        label=gettext_lazy("Survey report for the blueprint library"),
        back=_back,
        describe=publish_outcome,
    )
