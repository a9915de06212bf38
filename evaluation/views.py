"""Views of the evaluation app: the office's surveys tab and builder, the respondent's page
by personal link (no sign-in), and the reports and CSV export for the office and the
evaluators assigned to a cohort. Someone else's survey answers 404."""

import csv
import hashlib
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts.selectors import cohorts_for, office_cohort_or_404
from cohorts.services.exports import spreadsheet_cell
from cohorts.views._shared import cohort_frame
from evaluation import exports, reports, rows, selectors, services
from evaluation.forms import (
    CompareForm,
    CopyForm,
    EvaluatorForm,
    InviteForm,
    SurveyForm,
)
from evaluation.models import Survey
from pioneer import fragments
from pioneer.models import Role
from pioneer.permissions import require, role_required, scoped_object_or_404

OFFICE = Role.Kind.PROGRAMME_OFFICE
EVALUATOR = Role.Kind.EVALUATOR
DRAFTS = "evaluation_drafts"  # session key: {survey id: draft token}


def _error_text(error):
    return " ".join(error.messages)


def _fields(structure, values, errors):
    """The respondent's form: [(section, [{"question", "current", "errors", "options"}])]."""
    return [
        (
            section,
            [
                {
                    "question": q,
                    "current": [str(v) for v in values.get(q.pk, [])],
                    "errors": errors.get(q.pk, []),
                    "options": q.options(),
                }
                for q in questions
            ],
        )
        for section, questions in structure
    ]


# --- the office: the cohort's surveys and the builder -----------------------------------


def _office_cohort(request, cohort_pk):
    cohort = office_cohort_or_404(request.user, cohort_pk)
    require("evaluation.manage_survey", request.user, cohort)
    return cohort


def _office_survey(request, pk):
    survey = scoped_object_or_404(selectors.managed_surveys(request.user), pk=pk)
    require("evaluation.manage_survey", request.user, survey)
    return survey


@role_required(OFFICE)
def cohort_surveys(request, cohort_pk):
    """The surveys tab: the cohort's surveys with invited and answered counts, a new
    survey, copying an earlier cohort's set, and the assigned evaluators."""
    cohort = _office_cohort(request, cohort_pk)
    others = cohorts_for(request.user).filter(programme=cohort.programme).exclude(pk=cohort.pk)
    evaluators = selectors.evaluators_for_office(request.user)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The survey has been created as a draft."))
            return redirect("evaluation:survey_detail", pk=survey.pk)
    return render(
        request,
        "evaluation/cohort_surveys.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "surveys": list(selectors.cohort_surveys(cohort)),
            "form": form,
            "copy_form": CopyForm(cohorts=others.order_by("-start_date")),
            "evaluator_form": EvaluatorForm(evaluators=evaluators),
            "assigned": list(selectors.cohort_evaluators(cohort)),
            **cohort_frame(request, cohort, "surveys"),
        },
    )


@role_required(OFFICE)
@require_POST
def survey_set_copy(request, cohort_pk):
    cohort = _office_cohort(request, cohort_pk)
    others = cohorts_for(request.user).filter(programme=cohort.programme).exclude(pk=cohort.pk)
    form = CopyForm(request.POST, cohorts=others)
    if form.is_valid():
        source = others.get(pk=form.cleaned_data["source"])
        shift = timedelta(0)
        if source.start_date and cohort.start_date:
            shift = cohort.start_date - source.start_date
        copies = services.survey_set_copy(
            source=source, target=cohort, shift=shift, by=request.user
        )
        messages.success(request, _("%(count)s surveys copied as drafts.") % {"count": len(copies)})
    else:
        messages.error(request, _("Choose one of the cohorts offered."))
    return redirect("evaluation:cohort_surveys", cohort_pk=cohort.pk)


@role_required(OFFICE)
@require_POST
def evaluator_assign(request, cohort_pk):
    cohort = _office_cohort(request, cohort_pk)
    form = EvaluatorForm(request.POST, evaluators=selectors.evaluators_for_office(request.user))
    if form.is_valid():
        services.evaluator_assign(cohort=cohort, user=form.cleaned_data["user"], by=request.user)
        messages.success(request, _("The evaluator can now read this cohort's reports."))
    else:
        messages.error(request, _("Choose one of the evaluators offered."))
    return redirect("evaluation:cohort_surveys", cohort_pk=cohort.pk)


def _builder_post(request, pk, action):
    survey = _office_survey(request, pk)
    try:
        action(survey)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("evaluation:survey_detail", pk=survey.pk)


@role_required(OFFICE)
@require_POST
def survey_invite(request, pk):
    def invite(survey):
        form = InviteForm(request.POST, events=services.event_audiences(survey.cohort))
        if not form.is_valid():
            raise ValidationError(_("Choose one of the groups offered."))
        count = services.survey_invite(
            survey=survey,
            side=form.cleaned_data["side"] or None,
            event=form.cleaned_data.get("event") or None,
            by=request.user,
        )
        messages.success(request, _("%(count)s invitations are being sent.") % {"count": count})

    return _builder_post(request, pk, invite)


@role_required(OFFICE)
@require_POST
def survey_remind(request, pk):
    def remind(survey):
        count = services.survey_remind(survey=survey, by=request.user)
        messages.success(request, _("%(count)s reminders are being sent.") % {"count": count})

    return _builder_post(request, pk, remind)


@role_required(OFFICE)
@require_POST
def survey_close(request, pk):
    def close(survey):
        services.survey_set_state(survey=survey, state=Survey.State.CLOSED, by=request.user)
        messages.success(request, _("The survey is closed; it takes no more answers."))

    return _builder_post(request, pk, close)


# --- the respondent (personal link, no sign-in) -----------------------------------------


def respond(request, token):
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        raise Http404
    survey = invitation.survey
    drafts = request.session.get(DRAFTS, {})
    draft_token = request.GET.get("draft") or drafts.get(str(survey.pk), "")
    context = {
        "survey": survey,
        "token": token,
        "is_open": services.survey_is_open(survey),
        "answered": invitation.has_answered,
        "errors": {},
        "message": "",
    }
    status = 200
    structure = selectors.survey_questions(survey)
    if request.method == "POST" and not invitation.has_answered:
        data = {
            question.pk: request.POST.getlist(f"q{question.pk}")
            for _section, questions in structure
            for question in questions
        }
        finish = "finish" in request.POST
        try:
            _response, new_draft = services.response_save(
                invitation=invitation, data=data, finish=finish, draft_token=draft_token
            )
        except ValidationError as error:
            status = 400
            if hasattr(error, "error_dict"):
                context["errors"] = {int(k): v[0].messages for k, v in error.error_dict.items()}
                context["message"] = _("Please check the answers marked below.")
            else:
                context["message"] = _error_text(error)
            context["values"] = data
        else:
            if finish:
                drafts.pop(str(survey.pk), None)
                request.session[DRAFTS] = drafts
                context["answered"] = True
                context["thanks"] = True
            else:
                drafts[str(survey.pk)] = new_draft
                request.session[DRAFTS] = drafts
                context["draft_saved"] = True
                context["draft_token"] = new_draft
                context["values"] = data
    elif request.method == "POST":
        status = 400
        context["message"] = _(
            "You have already answered this survey. Each person answers once; nothing was changed."
        )
    if "values" not in context:
        context["values"] = services.draft_answers(invitation=invitation, draft_token=draft_token)
    context["fields"] = _fields(structure, context.pop("values"), context["errors"])
    return render(request, "evaluation/respond.html", context, status=status)


# --- reports (office and assigned evaluators) -------------------------------------------


def _readable_survey(request, pk, *, siblings=False):
    """The survey, if the user may read its report; with `siblings`, also whether other
    cohorts have comparable surveys (`has_siblings`, in the same query)."""
    survey = selectors.readable_survey_or_404(request.user, pk, siblings=siblings)
    require("evaluation.read_report", request.user, survey)
    return survey


ASSIGNED_PAGE_SIZE = 20


@role_required(EVALUATOR)
def assigned_cohorts(request):
    """The cohorts assigned to the evaluator, newest first, a page at a time, each with
    its surveys and the ways to build one (the home names the first few). Narrow rows,
    written in Python (`evaluation.rows`)."""
    paginator = Paginator(selectors.assigned_cohort_rows(request.user), ASSIGNED_PAGE_SIZE)
    paginator.count = selectors.assigned_cohort_count(request.user)
    page = paginator.get_page(request.GET.get("page"))
    cohorts = selectors.assigned_cohorts_with_surveys(list(page.object_list))
    return render(
        request,
        "evaluation/assigned_cohorts.html",
        {"page": page, "cohorts": cohorts, "sections": rows.assigned_sections(cohorts)},
    )


@role_required(OFFICE, EVALUATOR)
def survey_report(request, pk):
    """The survey's results. What is computed from the answers (the results and the change
    since the baseline, rendered in the page's language) is cached per state of the
    answers (`reports.state_key`): computed once after each new answer, then read."""
    survey = _readable_survey(request, pk, siblings=True)
    baseline, counts = reports.report_inputs(survey)

    def results():
        report = reports.survey_report(survey, text_limit=reports.PAGE_TEXTS, n=counts[survey.pk])
        change = None
        if baseline is not None:
            change = reports.baseline_final_change(baseline, survey)
        return render_to_string(
            "evaluation/_report_results.html",
            {"survey": survey, "report": report, "baseline": baseline, "change": change},
        )

    key = reports.state_key("report", [survey, baseline], counts, get_language())
    return render(
        request,
        "evaluation/survey_report.html",
        {
            "survey": survey,
            "results": mark_safe(reports.cached(key, results)),  # noqa: S308 (our template)
            "threshold": reports.threshold(),
            "siblings": survey.has_siblings,
        },
    )


@role_required(OFFICE, EVALUATOR)
def survey_compare(request, pk):
    """This survey beside those of the same kind in the programme's other cohorts (the
    comparison cached per state of the compared surveys' answers)."""
    survey = _readable_survey(request, pk)
    # All the programme's other cohorts are choices (dozens at scale): of each only what
    # the choice, the key and the table read (its cohort's title, its results' state).
    others = selectors.comparable_choices(survey, request.user)
    if "surveys" in request.GET:
        form = CompareForm(request.GET, others=others, limit=reports.MAX_COMPARED)
        if form.is_valid():
            chosen = set(form.cleaned_data["surveys"])
            compared = [s for s in others if s.pk in chosen]
        else:
            compared = reports.default_compared(others)
    else:
        compared = reports.default_compared(others)
        form = CompareForm(
            initial={"surveys": [s.pk for s in compared]},
            others=others,
            limit=reports.MAX_COMPARED,
        )
    surveys = [survey, *compared]
    form_html = None
    if others:
        form_html = fragments.form_html(
            form,
            "compare",
            (
                reports.MAX_COMPARED,
                [(s.pk, s.cohort.title) for s in others],
                [s.pk for s in compared],
            ),
        )
    # The table as rendered, per state of the compared surveys' answers, their cohorts'
    # titles (its headers) and the language: a digest of all that (five surveys' states
    # are longer than a cache key should be).
    state = reports.state_key(
        "compare_html",
        surveys,
        reports.submitted_counts(surveys),
        [s.cohort.title for s in surveys],
        get_language(),
    )
    key = "evaluation:compare_html:" + hashlib.blake2b(state.encode(), digest_size=16).hexdigest()
    table = reports.cached(
        key,
        lambda: render_to_string(
            "evaluation/_compare_table.html",
            {"surveys": surveys, "rows": reports.cohort_comparison(surveys)},
        ),
    )
    return render(
        request,
        "evaluation/survey_compare.html",
        {
            "survey": survey,
            "surveys": surveys,
            "form": form if others else None,
            "form_html": form_html,
            "table": mark_safe(table),  # noqa: S308 (rendered by our template)
            "threshold": reports.threshold(),
        },
    )


class _Echo:
    def write(self, value):
        return value


@role_required(OFFICE, EVALUATOR)
def survey_export(request, pk):
    """The answers as CSV, streamed row by row (constant memory), small groups left out;
    a free text cannot run as a formula in a spreadsheet program."""
    survey = _readable_survey(request, pk)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (
            writer.writerow([spreadsheet_cell(cell) for cell in row])
            for row in exports.answer_rows(survey)
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.csv"'
    return response
