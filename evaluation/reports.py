"""Aggregated results, with the small-group rule applied before anything leaves here.

The rule (`EVALUATION_THRESHOLD`, default 5): a group of fewer answers than the threshold
is not shown at all: not its count, not its distribution, mean or texts, not in a breakdown,
a comparison or an export. A breakdown group is also withheld when what remains beside it
is below the threshold, because the whole minus the shown group would reveal the small
rest (with 12 answers, "administration side: 10" tells that 2 answered on the other side,
and the difference of the two distributions shows how those 2 answered). Suppressed
results carry the reason, so a page can say why nothing is shown.

Every function reads the answers of one survey in a single query and computes in Python,
so a report costs the same number of queries whatever the number of answers.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from cohorts.models import Participation
from evaluation.models import Answer, Question, Response


def threshold():
    return settings.EVALUATION_THRESHOLD


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
    texts: list = field(default_factory=list)
    groups: list = field(default_factory=list)  # GroupResult, the breakdown by side


@dataclass
class GroupResult:
    label: str
    n: int = 0
    suppressed: str = ""
    rows: list = field(default_factory=list)
    mean: float | None = None
    median: float | None = None


def _answers(survey):
    """(question id, number, text, choices, side) of every submitted answer: one query."""
    return Answer.objects.filter(response__survey=survey, response__submitted=True).values_list(
        "question_id", "number", "text", "choices", "response__side"
    )


def _values(question, answers):
    """The values one question's answers count as: numbers, or option labels."""
    if question.type == Question.Type.MULTIPLE:
        return [c for _n, _t, choices, _s in answers for c in choices]
    if question.type == Question.Type.SINGLE:
        return [text for _n, text, _c, _s in answers]
    if question.type == Question.Type.TEXT:
        return [text for _n, text, _c, _s in answers]
    return [number for number, _t, _c, _s in answers if number is not None]


def _distribution(question, answers):
    values = _values(question, answers)
    if question.type == Question.Type.TEXT:
        return [], None, None
    counts = Counter(values)
    n = len(answers)
    rows = [
        Row(label, counts.get(_option_value(question, value), 0), 0.0)
        for value, label in _option_pairs(question)
    ]
    for row in rows:
        row.percent = round(100 * row.count / n, 1) if n else 0.0
    numbers = [v for v in values if isinstance(v, int)] if question.is_scaled else []
    mean = round(statistics.fmean(numbers), 2) if numbers else None
    median = statistics.median(numbers) if numbers else None
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


def question_result(question, answers, *, breakdown=True):
    """The result of one question from its answers (tuples as `_answers` gives them)."""
    result = QuestionResult(question=question, n=len(answers))
    if result.n < threshold():
        result.suppressed = too_few(result.n)
        return result
    result.rows, result.mean, result.median = _distribution(question, answers)
    if question.type == Question.Type.TEXT:
        # Sorted, not in the order given: the order must not hint at who wrote what.
        result.texts = sorted(text for _n, text, _c, _s in answers)
    if breakdown and question.type != Question.Type.TEXT:
        by_side = defaultdict(list)
        for answer in answers:
            by_side[answer[3]].append(answer)
        for side, label in side_labels().items():
            group = by_side.get(side, [])
            rest = result.n - len(group)
            item = GroupResult(label=str(label), n=len(group))
            if len(group) < threshold():
                item.suppressed = too_few(len(group))
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


def survey_report(survey, *, breakdown=True):
    """{"n", "suppressed", "sections": [(section, [QuestionResult])]} for one survey
    (three queries: the count, the questions, the answers)."""
    n = Response.objects.filter(survey=survey, submitted=True).count()
    report = {"survey": survey, "n": n, "suppressed": "", "sections": []}
    if n < threshold():
        report["suppressed"] = too_few(n)
        report["n"] = None
        return report
    questions = list(Question.objects.filter(section__survey=survey).select_related("section"))
    by_question = defaultdict(list)
    for question_id, number, text, choices, side in _answers(survey):
        by_question[question_id].append((number, text, choices, side))
    sections = {}
    for question in questions:
        sections.setdefault(question.section_id, (question.section, []))[1].append(
            question_result(question, by_question.get(question.pk, []), breakdown=breakdown)
        )
    report["sections"] = list(sections.values())
    return report


# --- across surveys ---------------------------------------------------------------------


def _scaled_answers(surveys):
    """{(survey id, question text, type): {pseudonym: number}} of scaled questions: one
    query for all the surveys."""
    rows = Answer.objects.filter(
        response__survey__in=surveys,
        response__submitted=True,
        question__type__in=list(Question.SCALED),
        number__isnull=False,
    ).values_list(
        "response__survey_id", "question__text", "question__type", "response__pseudonym", "number"
    )
    found = defaultdict(dict)
    for survey_id, text, type_, code, number in rows:
        found[(survey_id, text, type_)][code] = number
    return found


@dataclass
class ComparisonRow:
    question: str
    cells: list  # (n, mean, median) or None when suppressed, one per survey


def cohort_comparison(surveys):
    """The scaled questions the surveys share (same text and type, as a copied set has),
    with n, mean and median per survey; a survey's cell is None below the threshold."""
    surveys = list(surveys)
    data = _scaled_answers(surveys)
    keys = sorted({(text, type_) for (_s, text, type_) in data})
    rows = []
    for text, type_ in keys:
        cells = []
        for survey in surveys:
            values = list(data.get((survey.pk, text, type_), {}).values())
            if len(values) < threshold():
                cells.append(None)
            else:
                cells.append(
                    (len(values), round(statistics.fmean(values), 2), statistics.median(values))
                )
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
    Fewer linked pairs than the threshold: suppressed."""
    data = _scaled_answers([baseline, final])
    keys = sorted({(text, type_) for (_s, text, type_) in data})
    rows = []
    for text, type_ in keys:
        before = data.get((baseline.pk, text, type_), {})
        after = data.get((final.pk, text, type_), {})
        codes = sorted(before.keys() & after.keys())
        if not before or not after:
            continue
        if len(codes) < threshold():
            rows.append(ChangeRow(text, None, suppressed=too_few(len(codes))))
            continue
        diffs = [after[c] - before[c] for c in codes]
        rows.append(
            ChangeRow(
                text,
                len(codes),
                before=round(statistics.fmean(before[c] for c in codes), 2),
                after=round(statistics.fmean(after[c] for c in codes), 2),
                change=round(statistics.fmean(diffs), 2),
                median_change=statistics.median(diffs),
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
