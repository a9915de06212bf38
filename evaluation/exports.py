"""The CSV export of a survey's answers: one row per response, one column per question,
streamed (the answers are read with a server-side cursor, grouped as they come), with the
small-group rule applied (evaluation.reports):

- fewer responses than the threshold: only the header and a line saying why;
- a question answered by fewer than the threshold: its column stays empty;
- the side column only when both sides (each, and so its complement) reach the threshold.

Rows are ordered by pseudonymous code, never by when they were given, and carry no person,
invitation or time.
"""

from django.db.models import Count
from django.utils.translation import gettext as _

from cohorts.models import Participation
from evaluation import reports
from evaluation.models import Answer, Question, Response

CHUNK = 2000


def _value(answer_row):
    number, text, choices = answer_row
    if choices:
        return "; ".join(str(c) for c in choices)
    if number is not None:
        return str(number)
    return text


def answer_rows(survey):
    """The rows of the export (lists of strings), header first; a generator."""
    threshold = reports.threshold()
    questions = list(Question.objects.filter(section__survey=survey))
    submitted = Response.objects.filter(survey=survey, submitted=True)
    n = submitted.count()
    sides = dict(
        submitted.values_list("side").annotate(count=Count("id")).values_list("side", "count")
    )
    show_side = all(
        sides.get(side, 0) >= threshold and n - sides.get(side, 0) >= threshold
        for side in Participation.Side.values
    )
    answered = dict(
        Answer.objects.filter(response__in=submitted)
        .values("question_id")
        .annotate(count=Count("id"))
        .values_list("question_id", "count")
    )
    shown = [q for q in questions if answered.get(q.pk, 0) >= threshold]
    header = [_("code")] + ([_("side")] if show_side else []) + [q.text for q in questions]
    yield header
    if n < threshold:
        yield [reports.too_few(n)]
        return
    index = {q.pk: i for i, q in enumerate(questions)}
    shown_ids = {q.pk for q in shown}
    side_labels = dict(Participation.Side.choices)
    rows = (
        Answer.objects.filter(response__survey=survey, response__submitted=True)
        .order_by("response__pseudonym", "question_id")
        .values_list(
            "response__pseudonym", "response__side", "question_id", "number", "text", "choices"
        )
        .iterator(chunk_size=CHUNK)
    )
    current, side, values = None, "", None
    for code, answer_side, question_id, number, text, choices in rows:
        if code != current:
            if current is not None:
                yield [current] + ([str(side_labels.get(side, ""))] if show_side else []) + values
            current, side, values = code, answer_side, [""] * len(questions)
        if question_id in shown_ids:
            values[index[question_id]] = _value((number, text, choices))
    if current is not None:
        yield [current] + ([str(side_labels.get(side, ""))] if show_side else []) + values
