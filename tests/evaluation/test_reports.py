"""Reports on known numbers, and the small-group rule everywhere: totals, questions,
breakdowns and their complements, free texts, the comparison, the change from baseline
to final, and the CSV export."""

import csv
import io
import statistics

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cohorts.models import Participation
from evaluation import exports, reports
from evaluation.models import Question, Survey
from tests.factories.cohorts import CohortFactory
from tests.factories.evaluation import answer_directly, survey_with_questions

pytestmark = pytest.mark.django_db


def _fill(survey, questions, likerts, *, sides=None, start=0, texts=None):
    for i, likert in enumerate(likerts):
        values = {questions["likert5"]: {"number": likert}}
        if texts:
            values[questions["text"]] = {"text": texts[i]}
        answer_directly(
            survey,
            start + i,
            values,
            side=(sides[i] if sides else "administration"),
        )


def _result(report, question):
    for _section, results in report["sections"]:
        for result in results:
            if result.question == question:
                return result
    raise AssertionError("question not in report")


def test_counts_distribution_mean_and_median_on_known_numbers():
    survey, questions = survey_with_questions()
    _fill(survey, questions, [1, 2, 4, 4, 5, 5])
    report = reports.survey_report(survey)
    result = _result(report, questions["likert5"])
    assert report["n"] == 6 and result.n == 6
    assert [row.count for row in result.rows] == [1, 1, 0, 2, 2]
    assert result.rows[3].percent == 33.3
    assert result.mean == 3.5 and result.median == 4.0


def test_a_survey_below_the_threshold_shows_nothing_with_the_reason():
    survey, questions = survey_with_questions()
    _fill(survey, questions, [5, 5, 5, 5], texts=["a", "b", "c", "d"])
    report = reports.survey_report(survey)
    assert report["n"] is None and report["sections"] == []
    assert "fewer than 5" in report["suppressed"]


def test_a_question_answered_by_too_few_is_suppressed_with_its_texts():
    survey, questions = survey_with_questions()
    _fill(survey, questions, [3] * 6)
    answer_directly(survey, 99, {questions["text"]: {"text": "Nur ich schrieb das"}})
    report = reports.survey_report(survey)
    text = _result(report, questions["text"])
    assert text.suppressed and text.texts == [] and text.n == 1
    assert "Nur ich" not in str(report)


def test_free_texts_above_the_threshold_are_shown_sorted_not_in_order_given():
    survey, questions = survey_with_questions()
    _fill(survey, questions, [3] * 5, texts=["e", "c", "a", "d", "b"])
    result = _result(reports.survey_report(survey), questions["text"])
    assert result.texts == [(t, 1) for t in "abcde"] and result.texts_more == 0


def test_a_text_given_several_times_is_shown_once_with_its_count():
    survey, questions = survey_with_questions()
    _fill(survey, questions, [3] * 6, texts=["gut", "gut", "neu", "gut", "neu", "alt"])
    result = _result(reports.survey_report(survey), questions["text"])
    assert result.n == 6 and result.texts == [("alt", 1), ("gut", 3), ("neu", 2)]


def test_a_page_shows_the_first_texts_and_counts_the_rest():
    survey, questions = survey_with_questions()
    _fill(survey, questions, [3] * 7, texts=["g", "f", "e", "d", "c", "b", "a"])
    result = _result(reports.survey_report(survey, text_limit=3), questions["text"])
    assert result.n == 7
    assert result.texts == [("a", 1), ("b", 1), ("c", 1)] and result.texts_more == 4
    pdf = _result(reports.survey_report(survey), questions["text"])
    assert len(pdf.texts) == 7 and pdf.texts_more == 0


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=st.lists(
        st.tuples(
            st.integers(1, 5),
            st.sampled_from(["administration", "external"]),
            st.lists(st.sampled_from(["Workshop", "Hospitation", "Netzwerk"]), unique=True),
        ),
        min_size=5,
        max_size=30,
    )
)
def test_grouping_in_the_database_gives_what_the_answers_written_out_give(answers):
    """The report counts in SQL; its figures equal the plain computation over every answer."""
    survey, questions = survey_with_questions()
    for i, (likert, side, choices) in enumerate(answers):
        answer_directly(
            survey,
            i,
            {questions["likert5"]: {"number": likert}, questions["multiple"]: {"choices": choices}},
            side=side,
        )
    report = reports.survey_report(survey)
    likert = _result(report, questions["likert5"])
    numbers = [a[0] for a in answers]
    assert likert.n == len(numbers)
    assert [r.count for r in likert.rows] == [numbers.count(v) for v in range(1, 6)]
    assert likert.mean == round(statistics.fmean(numbers), 2)
    assert likert.median == statistics.median(numbers)
    for group, side in zip(likert.groups, ("administration", "external"), strict=True):
        mine = [a[0] for a in answers if a[1] == side]
        if not group.suppressed:
            assert group.n == len(mine) and group.median == statistics.median(mine)
    multiple = _result(report, questions["multiple"])
    options = ["Workshop", "Hospitation", "Netzwerk"]
    assert [r.count for r in multiple.rows] == [
        sum(option in a[2] for a in answers) for option in options
    ]


def test_the_breakdown_hides_a_small_side_and_the_side_whose_complement_is_small():
    survey, questions = survey_with_questions()
    sides = ["administration"] * 10 + ["external"] * 2
    _fill(survey, questions, [4] * 10 + [1, 1], sides=sides)
    result = _result(reports.survey_report(survey), questions["likert5"])
    assert result.n == 12  # the whole is shown
    administration, external = result.groups
    # External (2) is too small; administration (10) would reveal it as 12 - 10.
    assert all(g.suppressed and g.n == 0 and g.rows == [] for g in result.groups)
    assert "difference" in administration.suppressed
    assert "fewer than 5" in external.suppressed


def test_the_breakdown_shows_both_sides_when_both_are_large_enough():
    survey, questions = survey_with_questions()
    sides = ["administration"] * 5 + ["external"] * 6
    _fill(survey, questions, [5] * 5 + [2] * 6, sides=sides)
    groups = _result(reports.survey_report(survey), questions["likert5"]).groups
    assert [(g.n, g.mean) for g in groups] == [(5, 5.0), (6, 2.0)]


def test_the_comparison_between_cohorts_on_known_numbers_hides_a_small_cohort():
    pilot, q1 = survey_with_questions()
    running, q2 = survey_with_questions(cohort=CohortFactory(programme=pilot.cohort.programme))
    small, q3 = survey_with_questions(cohort=CohortFactory(programme=pilot.cohort.programme))
    _fill(pilot, q1, [2, 2, 3, 3, 5])
    _fill(running, q2, [4, 4, 4, 5, 5, 5], start=100)
    _fill(small, q3, [1, 1], start=200)
    rows = reports.cohort_comparison([pilot, running, small])
    likert = next(r for r in rows if r.question == "Frage likert5")
    assert likert.cells == [(5, 3.0, 3), (6, 4.5, 4.5), None]


def test_the_change_from_baseline_to_final_uses_only_linked_codes():
    cohort = CohortFactory()
    baseline, qb = survey_with_questions(cohort=cohort)
    final, qf = survey_with_questions(cohort=cohort, kind=Survey.Kind.FINAL)
    _fill(baseline, qb, [2, 2, 3, 3, 4, 1])  # people 0-5
    _fill(final, qf, [4, 3, 3, 5, 5])  # people 0-4; person 5 did not answer the final
    answer_directly(final, 50, {qf["likert5"]: {"number": 1}})  # not in the baseline
    row = next(r for r in reports.baseline_final_change(baseline, final) if r.pairs)
    assert row.pairs == 5
    assert row.before == 2.8 and row.after == 4.0
    assert row.change == 1.2 and row.median_change == 1


def test_the_change_is_suppressed_below_the_threshold_of_linked_pairs():
    cohort = CohortFactory()
    baseline, qb = survey_with_questions(cohort=cohort)
    final, qf = survey_with_questions(cohort=cohort, kind=Survey.Kind.FINAL)
    _fill(baseline, qb, [2] * 6)
    _fill(final, qf, [4] * 4 + [5, 5], start=3)  # only 3 people answered both
    (row,) = reports.baseline_final_change(baseline, final)
    assert row.pairs is None and row.before is None and row.suppressed


def test_the_threshold_is_a_setting(settings):
    settings.EVALUATION_THRESHOLD = 3
    survey, questions = survey_with_questions()
    _fill(survey, questions, [1, 2, 3])
    assert reports.survey_report(survey)["n"] == 3


# --- the export -------------------------------------------------------------------------


def _csv(survey):
    out = io.StringIO()
    csv.writer(out).writerows(exports.answer_rows(survey))
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_the_export_below_the_threshold_has_no_answers():
    survey, questions = survey_with_questions()
    _fill(survey, questions, [5, 4], texts=["geheim", "vertraulich"])
    rows = _csv(survey)
    assert len(rows) == 2 and "fewer than 5" in rows[1][0]
    assert "geheim" not in str(rows)


def test_the_export_leaves_out_small_questions_and_a_small_side():
    survey, questions = survey_with_questions()
    sides = ["administration"] * 6 + ["external"] * 2
    _fill(survey, questions, [4] * 8, sides=sides)
    answer_directly(survey, 77, {questions["text"]: {"text": "Einzelstimme"}})
    rows = _csv(survey)
    header, body = rows[0], rows[1:]
    assert "side" not in header and "Seite" not in header
    assert len(body) == 9
    assert "Einzelstimme" not in str(rows)
    likert = header.index("Frage likert5")
    assert sorted(r[likert] for r in body) == [""] + ["4"] * 8
    assert [r[0] for r in body] == sorted(r[0] for r in body)  # by code, not by time


def test_the_export_shows_sides_when_both_are_large_enough():
    survey, questions = survey_with_questions()
    _fill(survey, questions, [3] * 10, sides=["administration"] * 5 + ["external"] * 5)
    with translation.override("en"):
        header, *body = _csv(survey)
        labels = {str(label) for label in Participation.Side.labels}
    assert header[1] == "side"
    assert {r[1] for r in body} == labels


def test_question_types_without_a_scale_have_no_mean():
    survey, questions = survey_with_questions()
    for i in range(5):
        answer_directly(
            survey,
            i,
            {
                questions["likert5"]: {"number": 3},
                questions["single"]: {"text": "Ja" if i < 3 else "Nein"},
                questions["multiple"]: {"choices": ["Workshop", "Netzwerk"]},
            },
        )
    report = reports.survey_report(survey)
    single = _result(report, questions["single"])
    assert [(r.label, r.count) for r in single.rows] == [("Ja", 3), ("Nein", 2)]
    assert single.mean is None
    multiple = _result(report, questions["multiple"])
    assert [r.count for r in multiple.rows] == [5, 0, 5]
    assert Question.Type.SINGLE not in Question.SCALED


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(
        st.tuples(st.none() | st.integers(1, 5), st.none() | st.integers(1, 5)),
        min_size=1,
        max_size=25,
    )
)
def test_the_change_and_comparison_counted_in_the_database_equal_the_plain_computation(people):
    cohort = CohortFactory()
    baseline, qb = survey_with_questions(cohort=cohort)
    final, qf = survey_with_questions(cohort=cohort, kind=Survey.Kind.FINAL)
    for i, (before, after) in enumerate(people):
        if before is not None:
            answer_directly(baseline, i, {qb["likert5"]: {"number": before}})
        if after is not None:
            answer_directly(final, i, {qf["likert5"]: {"number": after}})
    befores = [b for b, _a in people if b is not None]
    afters = [a for _b, a in people if a is not None]
    pairs = [(b, a) for b, a in people if b is not None and a is not None]
    rows = reports.baseline_final_change(baseline, final)
    if not befores or not afters:
        assert rows == []
    elif len(pairs) < 5:
        assert [(r.pairs, r.suppressed != "") for r in rows] == [(None, True)]
    else:
        (row,) = rows
        diffs = [a - b for b, a in pairs]
        assert row.pairs == len(pairs)
        assert row.before == round(statistics.fmean(b for b, _a in pairs), 2)
        assert row.after == round(statistics.fmean(a for _b, a in pairs), 2)
        assert row.change == round(statistics.fmean(diffs), 2)
        assert row.median_change == statistics.median(diffs)
    cells = {r.question: r.cells for r in reports.cohort_comparison([baseline, final])}.get(
        "Frage likert5", [None, None]
    )
    for cell, values in zip(cells, (befores, afters), strict=True):
        if len(values) < 5:
            assert cell is None
        else:
            expected = (len(values), round(statistics.fmean(values), 2), statistics.median(values))
            assert cell == expected
