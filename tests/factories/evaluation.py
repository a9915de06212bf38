"""Factories and builders for the evaluation app.

survey_with_questions(cohort)     an open survey with one question of each type
answer_directly(survey, participation, {question: value})
                                   a submitted response as the service stores it
"""

import factory

from evaluation import pseudonyms
from evaluation.models import Answer, Question, Response, Section, Survey
from tests.factories.cohorts import CohortFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    cohort = factory.SubFactory(CohortFactory)
    kind = Survey.Kind.BASELINE
    title = factory.Sequence(lambda n: f"Befragung {n}")
    state = Survey.State.OPEN


def survey_with_questions(cohort=None, **fields):
    survey = SurveyFactory(cohort=cohort or CohortFactory(), **fields)
    section = Section.objects.create(survey=survey, title="Allgemein", order=1)
    questions = {}
    for order, (type_, choices) in enumerate(
        [
            (Question.Type.LIKERT, []),
            (Question.Type.SINGLE, ["Ja", "Nein"]),
            (Question.Type.MULTIPLE, ["Workshop", "Hospitation", "Netzwerk"]),
            (Question.Type.TEXT, []),
            (Question.Type.NUMBER, []),
            (Question.Type.NPS, []),
        ],
        start=1,
    ):
        questions[type_] = Question.objects.create(
            section=section,
            text=f"Frage {type_}",
            type=type_,
            required=type_ == Question.Type.LIKERT,
            order=order,
            choices=choices,
        )
    return survey, questions


def answer_directly(survey, user_id, values, *, side="administration"):
    """A submitted response with `values` {question: {"number"|"text"|"choices": ...}}."""
    response = Response.objects.create(
        survey=survey,
        pseudonym=pseudonyms.pseudonym(programme_id=survey.cohort.programme_id, user_id=user_id),
        side=side,
        submitted=True,
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=question, **value) for question, value in values.items()
    )
    return response
