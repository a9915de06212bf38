"""The survey builder: the programme office and the evaluators assigned to a cohort make
surveys, change their details, sections and questions (order by moving up and down, no
script needed), preview them exactly as respondents see them, and copy a survey from an
earlier cohort or within the cohort. Someone else's survey answers 404; a participant 403.

The structure locks once anybody has answered (see `evaluation.building`): the page then
says why, and offers a copy to change instead.
"""

from datetime import timedelta

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluation import building, selectors, services
from evaluation.forms import (
    InviteForm,
    MoveForm,
    QuestionForm,
    SectionForm,
    SurveyCopyForm,
    SurveyForm,
)
from evaluation.models import Question, Section
from evaluation.views import _fields
from pioneer.models import Role
from pioneer.permissions import require, role_required, scoped_object_or_404

BUILDERS = (Role.Kind.PROGRAMME_OFFICE, Role.Kind.EVALUATOR)


def _survey(request, pk):
    survey = scoped_object_or_404(selectors.surveys_for(request.user), pk=pk)
    require("evaluation.build_survey", request.user, survey)
    return survey


def _cohort(request, cohort_pk):
    cohort = scoped_object_or_404(selectors.buildable_cohorts(request.user), pk=cohort_pk)
    require("evaluation.build_survey", request.user, cohort)
    return cohort


def _frame(request, survey_or_cohort):
    cohort = getattr(survey_or_cohort, "cohort", survey_or_cohort)
    return {
        "cohort": cohort,
        "is_office": rules.has_perm("evaluation.manage_survey", request.user, cohort),
    }


def _error_text(error):
    return " ".join(error.messages)


def _apply_error(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- the builder page -------------------------------------------------------------------


@role_required(*BUILDERS)
def survey_builder(request, pk):
    """Sections and questions with their actions, adding them, and (the office) sending."""
    survey = _survey(request, pk)
    structure = selectors.survey_questions(survey)
    sections = [section for section, _questions in structure]
    frame = _frame(request, survey)
    invite_form = None
    if frame["is_office"] and survey.state != survey.State.CLOSED:
        invite_form = InviteForm(events=services.event_audiences(survey.cohort))
    return render(
        request,
        "evaluation/survey_builder.html",
        {
            "survey": survey,
            "structure": structure,
            "lock_reason": building.structure_lock_reason(survey),
            "section_form": SectionForm(),
            "question_form": QuestionForm(sections=sections),
            "invite_form": invite_form,
            "counts": selectors.invitation_counts(survey),
            **frame,
        },
    )


def _builder_post(request, pk, action):
    survey = _survey(request, pk)
    try:
        action(survey)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("evaluation:survey_detail", pk=survey.pk)


@role_required(*BUILDERS)
@require_POST
def section_add(request, pk):
    def add(survey):
        form = SectionForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Please give the section a title."))
        services.section_add(survey=survey, title=form.cleaned_data["title"], by=request.user)
        messages.success(request, _("The section has been added."))

    return _builder_post(request, pk, add)


@role_required(*BUILDERS)
@require_POST
def question_add(request, pk):
    def add(survey):
        form = QuestionForm(request.POST, sections=survey.sections.all())
        if not form.is_valid():
            raise ValidationError([str(m) for errors in form.errors.values() for m in errors])
        data = form.cleaned_data
        services.question_add(
            section=survey.sections.get(pk=data["section"]),
            text=data["text"],
            type=data["type"],
            required=data["required"],
            choices=data["choices"].splitlines(),
            by=request.user,
        )
        messages.success(request, _("The question has been added."))

    return _builder_post(request, pk, add)


def _move_direction(request):
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Move up or down."))
    return form.cleaned_data["direction"]


@role_required(*BUILDERS)
@require_POST
def section_move(request, pk, section_pk):
    def move(survey):
        section = get_object_or_404(Section, pk=section_pk, survey=survey)
        building.section_move(section=section, direction=_move_direction(request), by=request.user)
        messages.success(request, _("The section has been moved."))

    return _builder_post(request, pk, move)


@role_required(*BUILDERS)
@require_POST
def section_delete(request, pk, section_pk):
    def delete(survey):
        section = get_object_or_404(Section, pk=section_pk, survey=survey)
        building.section_delete(section=section, by=request.user)
        messages.success(request, _("The section has been deleted."))

    return _builder_post(request, pk, delete)


def _question(survey, question_pk):
    return get_object_or_404(
        Question.objects.select_related("section"), pk=question_pk, section__survey=survey
    )


@role_required(*BUILDERS)
@require_POST
def question_move(request, pk, question_pk):
    def move(survey):
        question = _question(survey, question_pk)
        building.question_move(
            question=question, direction=_move_direction(request), by=request.user
        )
        messages.success(request, _("The question has been moved."))

    return _builder_post(request, pk, move)


@role_required(*BUILDERS)
@require_POST
def question_delete(request, pk, question_pk):
    def delete(survey):
        building.question_delete(question=_question(survey, question_pk), by=request.user)
        messages.success(request, _("The question has been deleted."))

    return _builder_post(request, pk, delete)


# --- pages with a form of their own -----------------------------------------------------


def _form_page(request, context, status=200):
    return render(request, "evaluation/builder_form.html", context, status=status)


@role_required(*BUILDERS)
def survey_new(request, cohort_pk):
    """A new survey of the cohort (the evaluator's way in; the office also has the
    form on the cohort's surveys tab)."""
    cohort = _cohort(request, cohort_pk)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The survey has been created as a draft."))
            return redirect("evaluation:survey_detail", pk=survey.pk)
    return _form_page(
        request,
        {
            "form": form,
            "heading": _("New survey"),
            "submit": _("Create the survey"),
            "back": None,
            **_frame(request, cohort),
        },
        status=400 if form.errors else 200,
    )


@role_required(*BUILDERS)
def survey_edit(request, pk):
    survey = _survey(request, pk)
    initial = {
        "kind": survey.kind,
        "title": survey.title,
        "intro": survey.intro,
        "audience": survey.audience,
        "opens": survey.opens,
        "closes": survey.closes,
    }
    form = SurveyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            building.survey_update(survey=survey, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            survey.refresh_from_db()
            _apply_error(form, error)
        else:
            messages.success(request, _("The survey's details have been saved."))
            return redirect("evaluation:survey_detail", pk=survey.pk)
    return _form_page(
        request,
        {
            "form": form,
            "survey": survey,
            "heading": _("Details of the survey"),
            "submit": _("Save"),
            "hint": _(
                "Title, introduction and dates can change at any time. Kind and audience "
                "change only while nobody has answered."
            ),
            **_frame(request, survey),
        },
        status=400 if form.errors else 200,
    )


@role_required(*BUILDERS)
def section_edit(request, pk, section_pk):
    survey = _survey(request, pk)
    section = get_object_or_404(Section, pk=section_pk, survey=survey)
    form = SectionForm(
        request.POST if request.method == "POST" else None, initial={"title": section.title}
    )
    if request.method == "POST" and form.is_valid():
        try:
            building.section_update(
                section=section, title=form.cleaned_data["title"], by=request.user
            )
        except ValidationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The section has been renamed."))
            return redirect("evaluation:survey_detail", pk=survey.pk)
    return _form_page(
        request,
        {
            "form": form,
            "survey": survey,
            "heading": _("Rename the section"),
            "submit": _("Save"),
            "lock_reason": building.structure_lock_reason(survey),
            **_frame(request, survey),
        },
        status=400 if form.errors else 200,
    )


@role_required(*BUILDERS)
def question_edit(request, pk, question_pk):
    survey = _survey(request, pk)
    question = _question(survey, question_pk)
    sections = list(survey.sections.all())
    initial = {
        "section": question.section_id,
        "text": question.text,
        "type": question.type,
        "required": question.required,
        "choices": "\n".join(question.choices),
    }
    form = QuestionForm(
        request.POST if request.method == "POST" else None, initial=initial, sections=sections
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            building.question_update(
                question=question,
                by=request.user,
                section=next(s for s in sections if s.pk == data["section"]),
                text=data["text"],
                type=data["type"],
                required=data["required"],
                choices=data["choices"].splitlines(),
            )
        except ValidationError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The question has been saved."))
            return redirect("evaluation:survey_detail", pk=survey.pk)
    return _form_page(
        request,
        {
            "form": form,
            "survey": survey,
            "heading": _("Change the question"),
            "submit": _("Save"),
            "lock_reason": building.structure_lock_reason(survey),
            **_frame(request, survey),
        },
        status=400 if form.errors else 200,
    )


@role_required(*BUILDERS)
@require_POST
def survey_duplicate(request, pk):
    """A draft copy of the survey in its own cohort: how a locked survey is changed."""
    survey = _survey(request, pk)
    copy = services.survey_copy(
        survey=survey,
        cohort=survey.cohort,
        by=request.user,
        title=_("Copy of %(title)s") % {"title": survey.title},
    )
    messages.success(request, _("The copy has been made as a draft; it can be changed."))
    return redirect("evaluation:survey_detail", pk=copy.pk)


@role_required(*BUILDERS)
def survey_copy_from(request, cohort_pk):
    """Copy one survey of an earlier cohort of the programme into this cohort."""
    cohort = _cohort(request, cohort_pk)
    sources = list(selectors.copy_sources(request.user, cohort))
    form = SurveyCopyForm(request.POST if request.method == "POST" else None, surveys=sources)
    if request.method == "POST" and form.is_valid():
        source = next(s for s in sources if s.pk == form.cleaned_data["survey"])
        shift = timedelta(0)
        if source.cohort.start_date and cohort.start_date:
            shift = cohort.start_date - source.cohort.start_date
        copy = services.survey_copy(survey=source, cohort=cohort, shift=shift, by=request.user)
        messages.success(request, _("The survey has been copied as a draft."))
        return redirect("evaluation:survey_detail", pk=copy.pk)
    return _form_page(
        request,
        {
            "form": form,
            "heading": _("Copy a survey of an earlier cohort"),
            "submit": _("Copy the survey"),
            "hint": _(
                "The same questions keep the cohorts comparable. The copy starts as a "
                "draft; its dates move with the cohort's start."
            ),
            "empty": _("The programme's other cohorts have no surveys you may read.")
            if not sources
            else "",
            **_frame(request, cohort),
        },
        status=400 if form.errors else 200,
    )


@role_required(*BUILDERS)
def survey_preview(request, pk):
    """The respondent's page exactly as they see it, with nothing to send."""
    survey = _survey(request, pk)
    return render(
        request,
        "evaluation/respond.html",
        {
            "survey": survey,
            "fields": _fields(selectors.survey_questions(survey), {}, {}),
            "preview": True,
            "is_open": True,
        },
    )


S = "surveys/<int:pk>/"
# Included by evaluation/urls.py (the names live in the "evaluation" namespace).
urlpatterns = [
    path("cohorts/<int:cohort_pk>/surveys/new/", survey_new, name="survey_new"),
    path("cohorts/<int:cohort_pk>/surveys/copy-one/", survey_copy_from, name="survey_copy_from"),
    path(S + "edit/", survey_edit, name="survey_edit"),
    path(S + "duplicate/", survey_duplicate, name="survey_duplicate"),
    path(S + "sections/<int:section_pk>/", section_edit, name="section_edit"),
    path(S + "sections/<int:section_pk>/move/", section_move, name="section_move"),
    path(S + "sections/<int:section_pk>/delete/", section_delete, name="section_delete"),
    path(S + "questions/<int:question_pk>/", question_edit, name="question_edit"),
    path(S + "questions/<int:question_pk>/move/", question_move, name="question_move"),
    path(S + "questions/<int:question_pk>/delete/", question_delete, name="question_delete"),
]
