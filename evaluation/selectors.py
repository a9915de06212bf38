"""Reads of the evaluation app, and the querysets scoped to who may see what.

The office sees the surveys of the cohorts it runs; an evaluator those of the cohorts
assigned to them (`EvaluatorAssignment`). Nobody gets a queryset of responses joined to
invitations: the two are read apart, always.
"""

from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q

from cohorts.models import Cohort
from cohorts.selectors import cohorts_for, office_organisation_ids
from evaluation.models import EvaluatorAssignment, Question, Survey, SurveyInvitation
from evaluation.services import token_hash
from pioneer import compiled


def surveys_for(user):
    """Surveys the user may read the reports of: of the cohorts their office runs
    (`cohorts_for`) or is assigned to evaluate. Both as conditions on the survey's own
    row (a programme's organisation, a cohort among the assignments), so no join can
    repeat a survey and no DISTINCT has to sort whole rows to undo it."""
    if not user.is_authenticated:
        return Survey.objects.none()
    return Survey.objects.filter(
        Q(cohort__programme__organisation_id__in=office_organisation_ids(user))
        | Q(cohort_id__in=EvaluatorAssignment.objects.filter(user=user).values("cohort_id"))
    ).select_related("cohort", "cohort__programme")


def managed_surveys(user):
    """Surveys the user's programme office builds and sends."""
    return Survey.objects.filter(cohort__in=cohorts_for(user)).select_related(
        "cohort", "cohort__programme"
    )


def cohort_surveys(cohort):
    """The surveys of one cohort with their invited and answered counts (one query)."""
    return cohort.surveys.annotate(
        invited=Count("invitations", distinct=True),
        answered=Count("invitations", filter=Q(invitations__has_answered=True), distinct=True),
    ).order_by("opens", "id")


def assigned_surveys(user):
    """The surveys of the cohorts assigned to an evaluator (their home reads narrow rows
    of the newest: `home_surveys`)."""
    return (
        Survey.objects.filter(cohort__evaluators__user=user)
        .select_related("cohort", "cohort__programme")
        .order_by("cohort__start_date", "opens", "id")
    )


def survey_questions(survey):
    """The survey's sections and questions in order: [(section, [questions])]."""
    questions = list(Question.objects.filter(section__survey=survey).select_related("section"))
    sections = {}
    for section in survey.sections.all():
        sections[section.pk] = (section, [])
    for question in questions:
        sections[question.section_id][1].append(question)
    return list(sections.values())


def invitation_by_token(token):
    return (
        SurveyInvitation.objects.filter(token_hash=token_hash(token))
        .select_related("survey", "survey__cohort", "survey__cohort__programme", "participation")
        .first()
    )


def invitation_counts(survey):
    """{"invited", "answered"} of one survey (one query)."""
    return survey.invitations.aggregate(
        invited=Count("id"), answered=Count("id", filter=Q(has_answered=True))
    )


def evaluators_for_office(user):
    """People with the evaluator role bound to an organisation the user's office acts
    for: whom the office may assign (never found by a name)."""
    from pioneer.models import Role, User
    from pioneer.rules import roles_of

    org_ids = roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)
    return (
        User.objects.filter(
            roles__kind=Role.Kind.EVALUATOR, roles__organisation_id__in=org_ids, is_active=True
        )
        .distinct()
        .order_by("name", "email")
    )


def cohort_evaluators(cohort):
    return cohort.evaluators.select_related("user").order_by("user__name", "user__email")


def baselines(survey):
    """The baseline surveys of the same cohort, the first of which a later wave is
    compared with (a queryset), or None for a survey that has none (a baseline, an
    event's feedback)."""
    if survey.kind not in (Survey.Kind.MIDPOINT, Survey.Kind.FINAL, Survey.Kind.FOLLOWUP):
        return None
    return Survey.objects.filter(cohort_id=survey.cohort_id, kind=Survey.Kind.BASELINE).order_by(
        "id"
    )


def baseline_for(survey):
    """The baseline survey of the same cohort that a later wave is compared with."""
    found = baselines(survey)
    return found.first() if found is not None else None


def comparable_surveys(survey, user):
    """Surveys of the same kind in the programme's other cohorts that the user may read,
    the earliest cohort (the pilot) first."""
    return (
        surveys_for(user)
        .filter(kind=survey.kind, cohort__programme_id=survey.cohort.programme_id)
        .exclude(cohort_id=survey.cohort_id)
        .order_by("cohort__start_date", "id")
    )


def has_comparable(user):
    """A column for a survey of `surveys_for(user)`: whether `comparable_surveys` of it
    would find any (the report's link to the comparison, read with the survey)."""
    return Exists(
        surveys_for(user)
        .filter(kind=OuterRef("kind"), cohort__programme_id=OuterRef("cohort__programme_id"))
        .exclude(cohort_id=OuterRef("cohort_id"))
    )


def buildable_cohorts(user):
    """Cohorts the user may build surveys in: those their office runs, and those they are
    assigned to as an evaluator."""
    from cohorts.models import Cohort

    if not user.is_authenticated:
        return Cohort.objects.none()
    return (
        Cohort.objects.filter(Q(pk__in=cohorts_for(user).values("pk")) | Q(evaluators__user=user))
        .distinct()
        .select_related("programme")
    )


def copy_sources(user, cohort):
    """Surveys of the programme's other cohorts the user may read, to copy into `cohort`:
    the earliest cohort (the pilot) first, with their question counts (one query)."""
    return (
        surveys_for(user)
        .filter(cohort__programme_id=cohort.programme_id)
        .exclude(cohort_id=cohort.pk)
        .annotate(question_count=Count("sections__questions", distinct=True))
        .order_by("cohort__start_date", "cohort_id", "opens", "id")
    )


def assigned_cohorts(user):
    """The cohorts assigned to an evaluator (one query)."""
    from cohorts.models import Cohort

    return (
        Cohort.objects.filter(evaluators__user=user)
        .select_related("programme")
        .order_by("start_date", "id")
    )


class AssignedCohort(NamedTuple):
    """A cohort assigned to an evaluator as their lists show it (`evaluation.rows`)."""

    pk: int
    title: str
    programme: str
    assigned_surveys: tuple = ()


class SurveyRow(NamedTuple):
    pk: int
    title: str
    kind: str


class HomeSurvey(NamedTuple):
    pk: int
    title: str
    kind: str
    cohort: str
    programme: str


def _assigned_cohort_rows(user):
    # Newest first; only what the lists show (the cohort's title, its programme's name).
    return (
        Cohort.objects.filter(evaluators__user_id=user)
        .order_by("-start_date", "-id")
        .values_list("pk", "title", "programme__name")
    )


def assigned_cohort_rows(user):
    """The cohorts assigned to an evaluator, newest first, as (id, title, programme's
    name) rows: a queryset for the paginator (`AssignedCohort.pk`, `.title`, ...)."""
    return _assigned_cohort_rows(user.pk)


def assigned_cohort_count(user):
    """How many cohorts are assigned to the evaluator (the SQL kept per process)."""
    return compiled.count(
        "evaluation.assigned_cohorts",
        lambda user: Cohort.objects.filter(evaluators__user_id=user),
        user=user.pk,
    )


def assigned_cohorts_with_surveys(rows):
    """`rows` (a page of `assigned_cohort_rows`) as `AssignedCohort`s, each with its
    surveys in order (`SurveyRow`s; one query for all)."""
    by_cohort = {row[0]: [] for row in rows}
    surveys = (
        Survey.objects.filter(cohort_id__in=by_cohort)
        .order_by("opens", "id")
        .values_list("pk", "cohort_id", "title", "kind")
    )
    for pk, cohort_id, title, kind in surveys:
        by_cohort[cohort_id].append(SurveyRow(pk, title, kind))
    return [AssignedCohort(*row, tuple(by_cohort[row[0]])) for row in rows]


def _home_surveys(user):
    return (
        Survey.objects.filter(cohort__evaluators__user_id=user)
        .order_by("-cohort__start_date", "-cohort_id", "opens", "id")
        .values("pk", "title", "kind", "cohort__title", "cohort__programme__name")
    )


def home_surveys(user, limit):
    """The evaluator's home: the surveys of their newest assigned cohorts (`HomeSurvey`s),
    at most `limit` (the SQL kept per process)."""
    rows = compiled.values(
        f"evaluation.home_surveys:{limit}", lambda user: _home_surveys(user)[:limit], user=user.pk
    )
    return [
        HomeSurvey(r["pk"], r["title"], r["kind"], r["cohort__title"], r["cohort__programme__name"])
        for r in rows
    ]


def home_cohorts(user, limit):
    """The evaluator's home: their newest assigned cohorts (`AssignedCohort`s, without
    surveys), at most `limit` (the SQL kept per process)."""
    rows = compiled.values(
        f"evaluation.home_cohorts:{limit}",
        lambda user: _assigned_cohort_rows(user).values("pk", "title", "programme__name")[:limit],
        user=user.pk,
    )
    return [AssignedCohort(r["pk"], r["title"], r["programme__name"]) for r in rows]


# --- the report pages' reads, compiled once per process (pioneer.compiled) --------------


def _readable_by(user_id, organisation_ids):
    """`surveys_for` of the user with this id and these office organisations."""
    return Survey.objects.filter(
        Q(cohort__programme__organisation_id__in=organisation_ids)
        | Q(cohort_id__in=EvaluatorAssignment.objects.filter(user_id=user_id).values("cohort_id"))
    )


def _organisations(ids):
    """The organisation ids a compiled build was given (`organisation0`, ...)."""
    return [ids[name] for name in sorted(ids)]


def _organisation_ids(user):
    return {f"organisation{index}": org for index, org in enumerate(office_organisation_ids(user))}


def readable_survey_or_404(user, pk, *, siblings=False, organisation=False):
    """`surveys_for(user)`'s survey `pk` with its cohort and programme (and, with
    `siblings`, `has_siblings` as `has_comparable` gives it; with `organisation`, the
    programme's organisation read with it), else Http404: the same row as
    `scoped_object_or_404`, the SQL kept per process and number of organisations."""
    from django.http import Http404

    if not user.is_authenticated:
        raise Http404
    organisations = _organisation_ids(user)

    def build(survey, user, **organisations):
        org_ids = _organisations(organisations)
        found = _readable_by(user, org_ids).filter(pk=survey)
        if siblings:
            found = found.annotate(
                has_siblings=Exists(
                    _readable_by(user, org_ids)
                    .filter(
                        kind=OuterRef("kind"),
                        cohort__programme_id=OuterRef("cohort__programme_id"),
                    )
                    .exclude(cohort_id=OuterRef("cohort_id"))
                )
            )
        return found

    related = ("cohort", "cohort__programme")
    if organisation:
        related += ("cohort__programme__organisation",)
    return compiled.one_or_404(
        f"evaluation.readable_survey.{siblings}.{organisation}.{len(organisations)}",
        build,
        related=related,
        survey=pk,
        user=user.pk,
        **organisations,
    )


def comparable_choices(survey, user):
    """`comparable_surveys(survey, user)` as the comparison reads them: of each only its
    id, its results' state and its cohort's title and start (the SQL kept per process,
    kind of survey and number of organisations)."""
    if not user.is_authenticated:
        return []
    organisations = _organisation_ids(user)
    kind = survey.kind
    if kind not in Survey.Kind.values:  # pragma: no cover - a kind no choice names
        return list(
            comparable_surveys(survey, user)
            .select_related(None)
            .select_related("cohort")
            .only("id", "results_state", "cohort__title", "cohort__start_date")
        )

    def build(programme, cohort, user, **organisations):
        return (
            _readable_by(user, _organisations(organisations))
            .filter(kind=kind, cohort__programme_id=programme)
            .exclude(cohort_id=cohort)
            .order_by("cohort__start_date", "id")
            .values(*_CHOICE_COLUMNS, *(f"cohort__{name}" for name in _CHOICE_COHORT_COLUMNS))
        )

    rows = compiled.values(
        f"evaluation.comparable_choices.{kind}.{len(organisations)}",
        build,
        programme=survey.cohort.programme_id,
        cohort=survey.cohort_id,
        user=user.pk,
        **organisations,
    )
    # Instances as `only()` with `select_related("cohort")` makes them (the rest deferred).
    alias = connection.alias
    cohort_field = Survey._meta.get_field("cohort")
    found = []
    for row in rows:
        other = Survey.from_db(alias, _CHOICE_COLUMNS, [row[name] for name in _CHOICE_COLUMNS])
        cohort_field.set_cached_value(
            other,
            Cohort.from_db(
                alias,
                _CHOICE_COHORT_COLUMNS,
                [row[f"cohort__{name}"] for name in _CHOICE_COHORT_COLUMNS],
            ),
        )
        found.append(other)
    return found


_CHOICE_COLUMNS = ("id", "cohort_id", "results_state")
_CHOICE_COHORT_COLUMNS = ("id", "title", "start_date")
