"""Aggregated results, with the small-group rule applied before anything leaves here.

The rule (`EVALUATION_THRESHOLD`, default 5): a group of fewer answers than the threshold
is not shown at all: not its count, not its distribution, mean or texts, not in a breakdown,
a comparison or an export. A breakdown group is also withheld when what remains beside it
is below the threshold, because the whole minus the shown group would reveal the small
rest (with 12 answers, "administration side: 10" tells that 2 answered on the other side,
and the difference of the two distributions shows how those 2 answered). Suppressed
results carry the reason, so a page can say why nothing is shown.

Every function reads the answers of one survey grouped by the database, so a report costs
the same number of queries, and about the same time, whatever the number of answers.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import (
    Case,
    Count,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import gettext as _

from cohorts.models import Participation
from evaluation.models import Answer, Question, Response, Survey
from pioneer import compiled

# The distinct free texts a report page shows per question; the rest are in the exports.
PAGE_TEXTS = 50
# The other cohorts a comparison sets beside a survey (a table, on screen or on paper).
MAX_COMPARED = 4


# How long a page keeps a computed report or comparison (seconds). Its key changes with
# what it was computed from, so this only bounds how long an unused one takes space.
CACHE_SECONDS = 24 * 60 * 60


def threshold():
    return settings.EVALUATION_THRESHOLD


def submitted_counts(surveys):
    """{survey id: submitted responses} of the surveys (None skipped), one query (none
    for no survey; the SQL kept per process and number of surveys)."""
    ids = [survey.pk for survey in surveys if survey is not None]
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts

    def build(**markers):
        return (
            Response.objects.filter(
                survey__in=[markers[name] for name in sorted(markers)], submitted=True
            )
            .values("survey_id")
            .annotate(n=Count("pk"))
            .order_by()
        )

    rows = compiled.values(
        f"evaluation.submitted_counts.{len(ids)}",
        build,
        **{f"survey{index}": pk for index, pk in enumerate(ids)},
    )
    counts.update((row["survey_id"], row["n"]) for row in rows)
    return counts


def _report_rows(survey, cohort):
    """The survey `survey` and the first baseline of the cohort `cohort` (by id), each
    with `n`, its submitted responses."""
    submitted = (
        Response.objects.filter(survey=OuterRef("pk"), submitted=True)
        .order_by()
        .values("survey")
        .annotate(n=Count("pk"))
        .values("n")
    )
    baseline = Survey.objects.filter(cohort_id=cohort, kind=Survey.Kind.BASELINE).order_by("id")
    return (
        Survey.objects.filter(Q(pk=survey) | Q(pk__in=baseline.values("pk")[:1]))
        .annotate(n=Coalesce(Subquery(submitted), 0))
        .order_by("pk")
    )


def report_inputs(survey):
    """(baseline, {survey id: submitted responses}) for the report of `survey`: its
    baseline (`selectors.baseline_for`, or None) and the counts of both, in one query
    (its SQL kept per process)."""
    from evaluation.selectors import baselines

    if baselines(survey) is None:
        return None, submitted_counts([survey])
    rows = compiled.objects(
        "evaluation.report_inputs", _report_rows, survey=survey.pk, cohort=survey.cohort_id
    )
    counts = {row.pk: row.n for row in rows}
    found = next((row for row in rows if row.pk != survey.pk), None)
    counts.setdefault(survey.pk, 0)
    return found, counts


def state_key(kind, surveys, counts, *parts):
    """A cache key for what is computed from the answers of `surveys` (None skipped):
    each survey's `results_state` (renewed when the survey or its structure changes) and
    its count of submitted responses (a submitted response and its answers are never
    changed, so the count grows with every answer written), the threshold and `parts`.
    Whatever changes the result changes the key: a cached result is never stale."""
    states = ",".join(
        f"{survey.pk}.{survey.results_state.hex}.{counts[survey.pk]}"
        for survey in surveys
        if survey is not None
    )
    return ":".join(["evaluation", kind, str(threshold()), states, *map(str, parts)])


def cached(key, compute):
    """The value cached under `key`, or `compute()`'s, kept for the next request."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def too_few(n):
    return _(
        "Not shown: fewer than %(threshold)s answers (%(what)s), so that nobody can be recognised."
    ) % {"threshold": threshold(), "what": _("this group")}


@dataclass
class Row:
    label: str
    count: int
    percent: float


@dataclass
class QuestionResult:
    question: Question
    n: int = 0
    suppressed: str = ""
    rows: list = field(default_factory=list)  # Row, for choice-like questions
    mean: float | None = None
    median: float | None = None
    texts: list = field(default_factory=list)  # (text, how often given), sorted by text
    texts_more: int = 0  # further distinct texts a page leaves to the export
    groups: list = field(default_factory=list)  # GroupResult, the breakdown by side


@dataclass
class GroupResult:
    label: str
    n: int = 0
    suppressed: str = ""
    rows: list = field(default_factory=list)
    mean: float | None = None
    median: float | None = None


def _grouped_answers(questions):
    """{question id: [(number, text, choices, side, count)]}: the submitted answers to the
    questions (of one survey) grouped by their value and the respondent's side, one query.
    The database counts; Python sees one row per distinct answer, however many people gave
    it. A free text counts here without its words (they come from `_free_texts`)."""
    free = [q.pk for q in questions if q.type == Question.Type.TEXT]
    rows = (
        Answer.objects.filter(question__in=[q.pk for q in questions], response__submitted=True)
        .annotate(
            value_text=Case(
                When(question__in=free, then=Value("")),
                default=F("text"),
                output_field=Answer._meta.get_field("text"),
            ),
            value_choices=Case(
                When(question__in=free, then=Value(None)),
                default=F("choices"),
                output_field=Answer._meta.get_field("choices"),
            ),
        )
        .values_list("question_id", "number", "value_text", "value_choices", "response__side")
        .annotate(count=Count("pk"))
        .order_by()
    )
    grouped = defaultdict(list)
    for question_id, number, text, choices, side, count in rows:
        grouped[question_id].append((number, text, choices or [], side, count))
    return grouped


def _free_texts(questions, limit):
    """{question id: ([(text, count)], distinct texts in all)} of the free-text questions
    among `questions`, each text once with how often it was given, sorted by text (never in
    the order given); one query. With `limit`, the first `limit` texts of each question."""
    free = [q.pk for q in questions if q.type == Question.Type.TEXT]
    if not free:
        return {}
    rows = (
        Answer.objects.filter(question__in=free, response__submitted=True)
        .values("question_id", "text")
        .annotate(count=Count("pk"))
        .order_by("question_id", "text")
    )
    if limit is not None:
        rows = rows.annotate(
            rank=Window(RowNumber(), partition_by=[F("question_id")], order_by=F("text").asc()),
            distinct=Window(Count("question_id"), partition_by=[F("question_id")]),
        ).filter(rank__lte=limit)
    found = {}
    for row in rows:
        texts, _total = found.setdefault(row["question_id"], ([], 0))
        texts.append((row["text"], row["count"]))
        found[row["question_id"]] = (texts, row.get("distinct", len(texts)))
    for texts, _total in found.values():
        texts.sort()
    return found


def _counted(question, answers):
    """Counter of the values one question's answers count as (numbers, or option values),
    and the number of answers, from (number, text, choices, side, count) groups."""
    counts = Counter()
    for number, text, choices, _side, count in answers:
        if question.type == Question.Type.MULTIPLE:
            for choice in choices:
                counts[choice] += count
        elif question.type == Question.Type.SINGLE:
            counts[text] += count
        elif question.type != Question.Type.TEXT and number is not None:
            counts[number] += count
    return counts, sum(group[4] for group in answers)


def _weighted_mean_median(counts):
    """Mean (rounded to two places) and median of numbers given as {value: count}, the same
    as statistics.fmean and statistics.median of the values written out."""
    total = sum(counts.values())
    if not total:
        return None, None
    mean = round(math.fsum(value * count for value, count in counts.items()) / total, 2)
    ordered = sorted(counts.items())

    def at(index):
        seen = 0
        for value, count in ordered:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)

    if total % 2:
        return mean, at(total // 2)
    return mean, (at(total // 2 - 1) + at(total // 2)) / 2


def _distribution(question, answers):
    if question.type == Question.Type.TEXT:
        return [], None, None
    counts, n = _counted(question, answers)
    rows = [
        Row(label, counts.get(_option_value(question, value), 0), 0.0)
        for value, label in _option_pairs(question)
    ]
    for row in rows:
        row.percent = round(100 * row.count / n, 1) if n else 0.0
    mean = median = None
    if question.is_scaled:
        mean, median = _weighted_mean_median(
            {value: count for value, count in counts.items() if isinstance(value, int)}
        )
    return rows, mean, median


def _option_pairs(question):
    if question.type == Question.Type.NUMBER:
        return []
    return question.options()


def _option_value(question, value):
    if question.type in (Question.Type.LIKERT, Question.Type.NPS):
        return int(value)
    return value


def side_labels():
    return dict(Participation.Side.choices)


def question_result(question, answers, *, texts=((), 0), breakdown=True):
    """The result of one question from its answers ((number, text, choices, side, count)
    groups as `_grouped_answers` gives them) and, for a free-text question, its texts
    (([(text, count)], distinct texts in all) as `_free_texts` gives them)."""
    result = QuestionResult(question=question, n=sum(group[4] for group in answers))
    if result.n < threshold():
        result.suppressed = too_few(result.n)
        return result
    result.rows, result.mean, result.median = _distribution(question, answers)
    if question.type == Question.Type.TEXT:
        # Sorted, not in the order given: the order must not hint at who wrote what.
        result.texts, distinct = list(texts[0]), texts[1]
        result.texts_more = max(distinct - len(result.texts), 0)
    if breakdown and question.type != Question.Type.TEXT:
        by_side = defaultdict(list)
        for group in answers:
            by_side[group[3]].append(group)
        for side, label in side_labels().items():
            group = by_side.get(side, [])
            size = sum(g[4] for g in group)
            rest = result.n - size
            item = GroupResult(label=str(label), n=size)
            if size < threshold():
                item.suppressed = too_few(size)
                item.n = 0
            elif rest and rest < threshold():
                # The whole minus this group would show the small rest.
                item.suppressed = _(
                    "Not shown: the other answers number fewer than %(threshold)s, and the "
                    "difference to the total would reveal them."
                ) % {"threshold": threshold()}
                item.n = 0
            else:
                item.rows, item.mean, item.median = _distribution(question, group)
            result.groups.append(item)
    return result


def survey_report(survey, *, breakdown=True, text_limit=None, n=None):
    """{"n", "suppressed", "sections": [(section, [QuestionResult])]} for one survey
    (four queries: the count, unless given as `n`, the questions, the answers grouped by
    value, the free texts). Every query groups in the database, so the work in Python
    stays the same however many answered. With `text_limit`, each free-text question
    carries its first `text_limit` distinct texts (a page); without, all of them (the
    PDF)."""
    if n is None:
        n = Response.objects.filter(survey=survey, submitted=True).count()
    report = {"survey": survey, "n": n, "suppressed": "", "sections": []}
    if n < threshold():
        report["suppressed"] = too_few(n)
        report["n"] = None
        return report
    questions = list(Question.objects.filter(section__survey=survey).select_related("section"))
    grouped = _grouped_answers(questions)
    texts = _free_texts(questions, text_limit)
    sections = {}
    for question in questions:
        sections.setdefault(question.section_id, (question.section, []))[1].append(
            question_result(
                question,
                grouped.get(question.pk, []),
                texts=texts.get(question.pk, ((), 0)),
                breakdown=breakdown,
            )
        )
    report["sections"] = list(sections.values())
    return report


# --- across surveys ---------------------------------------------------------------------


def _scaled(surveys):
    """The submitted answers to scaled questions of the surveys, grouped per person: one
    row per (question text, type, pseudonym) of each survey, as a query to count over."""
    return Answer.objects.filter(
        response__survey__in=surveys,
        response__submitted=True,
        question__type__in=list(Question.SCALED),
        number__isnull=False,
    ).order_by()


def _count_rows(inner, columns):
    """[(*columns, count)]: the rows of the grouped query `inner` counted by some of its
    columns, in the database (SELECT columns, COUNT(*) FROM (inner) GROUP BY columns)."""
    sql, params = inner.query.sql_with_params()
    connection = connections[inner.db]
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {names}, COUNT(*) FROM ({sql}) per_person GROUP BY {names}",  # noqa: S608
            params,
        )
        return cursor.fetchall()


def default_compared(others, limit=MAX_COMPARED):
    """Of the other cohorts' surveys (the earliest first), those a comparison shows when
    nobody chose: the pilot (the earliest) and the latest."""
    others = list(others)
    if len(others) <= limit:
        return others
    return others[:1] + others[-(limit - 1) :]


@dataclass
class ComparisonRow:
    question: str
    cells: list  # (n, mean, median) or None when suppressed, one per survey


def cohort_comparison(surveys):
    """The scaled questions the surveys share (same text and type, as a copied set has),
    with n, mean and median per survey; a survey's cell is None below the threshold. One
    query: each person counts once per question, the database counts the values."""
    surveys = list(surveys)
    per_person = (
        _scaled(surveys)
        .values("response__survey_id", "question__text", "question__type", "response__pseudonym")
        .annotate(value=Max("number"))
    )
    data = defaultdict(Counter)
    for survey_id, text, type_, value, count in _count_rows(
        per_person, ["response__survey_id", "question__text", "question__type", "value"]
    ):
        data[(survey_id, text, type_)][value] += count
    keys = sorted({(text, type_) for (_s, text, type_) in data})
    rows = []
    for text, type_ in keys:
        cells = []
        for survey in surveys:
            counts = data.get((survey.pk, text, type_), Counter())
            n = sum(counts.values())
            if n < threshold():
                cells.append(None)
            else:
                cells.append((n, *_weighted_mean_median(counts)))
        if sum(cell is not None for cell in cells) >= 1:
            rows.append(ComparisonRow(text, cells))
    return rows


@dataclass
class ChangeRow:
    question: str
    pairs: int | None
    before: float | None = None
    after: float | None = None
    change: float | None = None
    median_change: float | None = None
    suppressed: str = ""


def baseline_final_change(baseline, final):
    """For each scaled question both surveys ask, the change from baseline to final over
    the people who answered both, linked by their pseudonymous code (never by a person).
    Fewer linked pairs than the threshold: suppressed. One query: the database pairs each
    person's two answers and counts the (before, after) pairs."""
    per_person = (
        _scaled([baseline, final])
        .values("question__text", "question__type", "response__pseudonym")
        .annotate(
            before=Max(Case(When(response__survey=baseline, then=F("number")))),
            after=Max(Case(When(response__survey=final, then=F("number")))),
        )
    )
    data = defaultdict(list)
    for text, type_, before, after, count in _count_rows(
        per_person, ["question__text", "question__type", "before", "after"]
    ):
        data[(text, type_)].append((before, after, count))
    rows = []
    for text, type_ in sorted(data):
        found = data[(text, type_)]
        if not any(b is not None for b, _a, _c in found) or not any(
            a is not None for _b, a, _c in found
        ):
            continue  # asked (or answered) in only one of the two
        pairs = [(b, a, c) for b, a, c in found if b is not None and a is not None]
        linked = sum(c for _b, _a, c in pairs)
        if linked < threshold():
            rows.append(ChangeRow(text, None, suppressed=too_few(linked)))
            continue
        diffs = Counter()
        for b, a, c in pairs:
            diffs[a - b] += c
        change, median_change = _weighted_mean_median(diffs)
        rows.append(
            ChangeRow(
                text,
                linked,
                before=round(math.fsum(b * c for b, _a, c in pairs) / linked, 2),
                after=round(math.fsum(a * c for _b, a, c in pairs) / linked, 2),
                change=change,
                median_change=median_change,
            )
        )
    return rows


# --- charts -----------------------------------------------------------------------------

BAR_HEIGHT = 22
LABEL_WIDTH = 200
BAR_WIDTH = 260


def bar_chart(rows):
    """What templates/evaluation/_bars.svg draws: one bar per row, its count written
    beside it (no meaning carried by colour alone)."""
    top = max((row.count for row in rows), default=0) or 1
    bars = []
    for i, row in enumerate(rows):
        bars.append(
            {
                "label": row.label,
                "count": row.count,
                "percent": row.percent,
                "y": i * (BAR_HEIGHT + 6),
                "text_y": i * (BAR_HEIGHT + 6) + 16,
                "width": round(BAR_WIDTH * row.count / top, 1),
            }
        )
    return {
        "bars": bars,
        "height": len(rows) * (BAR_HEIGHT + 6),
        "width": LABEL_WIDTH + BAR_WIDTH + 80,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }
