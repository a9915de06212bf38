"""Services of the survey builder beyond adding (evaluation.services): changing a survey's
details, renaming, changing, moving and deleting sections and questions.

Who: the office running the cohort, or an evaluator assigned to it (`_check_builder`).
When: the structure (sections, questions, their order, kind and audience) changes only
while nobody has answered, not even a draft (`services.lock_structure`, which also waits
for respondents saving at this moment). Title, introduction and dates may change later:
they change no answer's meaning. Each function is atomic and sends no e-mail.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from evaluation import services
from evaluation.models import Response, Section
from evaluation.services import _check_builder, clean_choices, lock_structure

UP, DOWN = "up", "down"


@transaction.atomic
def survey_update(*, survey, by, title, intro, opens, closes, kind, audience):
    """Change the survey's details. Kind and audience are part of what was asked (the
    report compares by kind), so they change only while nobody has answered."""
    _check_builder(by, survey.cohort)
    if opens and closes and closes < opens:
        raise ValidationError({"closes": _("The survey cannot close before it opens.")})
    if kind != survey.kind or audience != survey.audience:
        lock_structure(survey)
    survey.title = title.strip()
    survey.intro = intro
    survey.opens = opens
    survey.closes = closes
    survey.kind = kind
    survey.audience = audience
    survey.full_clean()
    survey.save(update_fields=["title", "intro", "opens", "closes", "kind", "audience"])
    return survey


def _renumber(items):
    """Orders 1..n in the given sequence, writing only those that changed."""
    changed = []
    for position, item in enumerate(items, start=1):
        if item.order != position:
            item.order = position
            changed.append(item)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["order"])
        first = changed[0]
        if isinstance(first, Section):
            services.results_changed(survey_id=first.survey_id)
        else:
            services.results_changed(section_id=first.section_id)


def _move(items, item, direction):
    if direction not in (UP, DOWN):
        raise ValidationError(_("Move up or down."))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == UP else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    _renumber(items)


@transaction.atomic
def section_update(*, section, title, by):
    _check_builder(by, section.survey.cohort)
    lock_structure(section.survey)
    section.title = title.strip()
    section.full_clean()
    section.save(update_fields=["title"])
    return section


@transaction.atomic
def section_delete(*, section, by):
    """Delete an empty section (a section with questions would take them along)."""
    _check_builder(by, section.survey.cohort)
    lock_structure(section.survey)
    if section.questions.exists():
        raise ValidationError(
            _("Only an empty section can be deleted: move or delete its questions first.")
        )
    survey = section.survey
    section.delete()
    _renumber(list(survey.sections.order_by("order", "id")))


@transaction.atomic
def section_move(*, section, direction, by):
    """Move a section one place up or down (at the end it stays where it is)."""
    _check_builder(by, section.survey.cohort)
    lock_structure(section.survey)
    _move(list(section.survey.sections.order_by("order", "id")), section, direction)


@transaction.atomic
def question_update(*, question, by, section, text, type, required, choices=()):
    """Change a question; moved into another section of the survey, it goes to its end."""
    survey = question.section.survey
    _check_builder(by, survey.cohort)
    lock_structure(survey)
    if section.survey_id != survey.pk:
        raise ValidationError({"section": _("Choose one of the sections of this survey.")})
    question.choices = clean_choices(type, choices)
    old_section = question.section
    if section.pk != old_section.pk:
        question.section = section
        question.order = section.questions.count() + 1
    question.text = text.strip()
    question.type = type
    question.required = required
    question.full_clean()
    question.save()
    if section.pk != old_section.pk:
        _renumber(list(old_section.questions.order_by("order", "id")))
    return question


@transaction.atomic
def question_delete(*, question, by):
    section = question.section
    _check_builder(by, section.survey.cohort)
    lock_structure(section.survey)
    question.delete()
    _renumber(list(section.questions.order_by("order", "id")))


@transaction.atomic
def question_move(*, question, direction, by):
    """Move a question one place up or down within its section."""
    section = question.section
    _check_builder(by, section.survey.cohort)
    lock_structure(section.survey)
    _move(list(section.questions.order_by("order", "id")), question, direction)


def structure_lock_reason(survey):
    """For the builder page: why the structure cannot change now, or "" (one query)."""
    return services.structure_lock_reason(
        survey, has_responses=Response.objects.filter(survey=survey).exists()
    )
