"""The report and the comparison are cached per state of the answers: a new answer, a
changed question, a changed survey or another threshold shows at once, and the small-group
rule applies to what is cached exactly as to what is computed."""

import pytest
from django.test import override_settings

from evaluation import reports
from evaluation.models import EvaluatorAssignment, Survey
from tests.factories.cohorts import CohortFactory
from tests.factories.core import evaluator_user, office_user
from tests.factories.evaluation import answer_directly, survey_with_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    cohort = CohortFactory()
    survey, questions = survey_with_questions(cohort=cohort)
    evaluator = evaluator_user()
    EvaluatorAssignment.objects.create(cohort=cohort, user=evaluator)
    client.force_login(evaluator)
    client.cookies["django_language"] = "en"
    return survey, questions


def _report(client, survey):
    return client.get(f"/surveys/{survey.pk}/report/").content.decode()


def test_a_new_answer_shows_at_once(client, world):
    survey, questions = world
    for i in range(4):
        answer_directly(survey, i, {questions["text"]: {"text": f"Antwort {i}"}})
    assert "No results are shown for this survey." in _report(client, survey)
    assert "No results are shown for this survey." in _report(client, survey)  # cached
    answer_directly(survey, 4, {questions["text"]: {"text": "Antwort 4"}})
    html = _report(client, survey)
    assert "No results are shown for this survey." not in html and "Antwort 4" in html


def test_a_changed_question_or_threshold_shows_at_once(client, world):
    survey, questions = world
    for i in range(5):
        answer_directly(survey, i, {questions["likert5"]: {"number": 1 + i % 5}})
    assert "Frage likert5" in _report(client, survey)
    question = questions["likert5"]
    question.text = "Eine neue Frage"
    question.save()
    assert "Eine neue Frage" in _report(client, survey)
    with override_settings(EVALUATION_THRESHOLD=6):
        assert "No results are shown for this survey." in _report(client, survey)
    assert "No results are shown for this survey." not in _report(client, survey)


def test_the_state_key_changes_with_every_input():
    cohort = CohortFactory()
    survey, questions = survey_with_questions(cohort=cohort)
    before = reports.state_key("x", [survey], reports.submitted_counts([survey]))
    answer_directly(survey, 1, {questions["text"]: {"text": "Antwort"}})
    after_answer = reports.state_key("x", [survey], reports.submitted_counts([survey]))
    survey.title = "Neu"
    survey.save(update_fields=["title"])
    survey = Survey.objects.get(pk=survey.pk)
    after_save = reports.state_key("x", [survey], reports.submitted_counts([survey]))
    questions["nps"].delete()
    survey = Survey.objects.get(pk=survey.pk)
    after_delete = reports.state_key("x", [survey], reports.submitted_counts([survey]))
    assert len({before, after_answer, after_save, after_delete}) == 4


def test_the_comparison_follows_new_answers(client, world):
    survey, questions = world
    other, other_questions = survey_with_questions(
        cohort=CohortFactory(programme=survey.cohort.programme)
    )
    client.force_login(office_user(org=survey.cohort.programme.organisation))
    for i in range(5):
        answer_directly(survey, i, {questions["likert5"]: {"number": 4}})
    for i in range(4):
        answer_directly(other, 100 + i, {other_questions["likert5"]: {"number": 2}})
    url = f"/surveys/{survey.pk}/compare/"
    rows = client.get(url, {"surveys": [other.pk]}).context["rows"]
    assert [row.cells for row in rows if row.question == "Frage likert5"] == [[(5, 4.0, 4), None]]
    answer_directly(other, 104, {other_questions["likert5"]: {"number": 2}})
    rows = client.get(url, {"surveys": [other.pk]}).context["rows"]
    assert [row.cells for row in rows if row.question == "Frage likert5"] == [
        [(5, 4.0, 4), (5, 2.0, 2)]
    ]
