"""Two submits of the same invitation at the same moment: one counts, the other is refused
with the clear message and changes nothing (PostgreSQL; the rival commits only once our
conditional UPDATE waits on its lock, as in tests/test_races.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from evaluation import services
from evaluation.models import Answer, Response, SurveyInvitation
from tests.factories.cohorts import ParticipationFactory
from tests.factories.evaluation import survey_with_questions
from tests.test_races import _postgresql_only, race  # noqa: F401  (the fixture is autouse)

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_submits_at_once_store_one_response():
    survey, questions = survey_with_questions()
    invitation = SurveyInvitation.objects.create(
        survey=survey,
        participation=ParticipationFactory(cohort=survey.cohort),
        token_hash=services.token_hash("race"),
    )

    def submit(likert):
        # Each request loads the invitation itself, before the other has committed.
        fresh = SurveyInvitation.objects.select_related("survey__cohort", "participation").get(
            pk=invitation.pk
        )
        return services.response_save(
            invitation=fresh, data={questions["likert5"].pk: [likert]}, finish=True
        )

    with translation.override("en"):
        ours, rival = race(lambda: submit("5"), lambda: submit("1"))
    assert isinstance(ours, ValidationError)
    assert "already answered" in ours.messages[0]
    assert Response.objects.filter(submitted=True).count() == 1
    assert list(Answer.objects.values_list("number", flat=True)) == [5]
    assert SurveyInvitation.objects.get().has_answered


def _invited(state="open"):
    survey, questions = survey_with_questions(state=state)
    invitation = SurveyInvitation.objects.create(
        survey=survey,
        participation=ParticipationFactory(cohort=survey.cohort),
        token_hash=services.token_hash("structure"),
    )
    return survey, questions, invitation


def _fresh(invitation):
    return SurveyInvitation.objects.select_related("survey__cohort", "participation").get(
        pk=invitation.pk
    )


def test_a_question_deleted_while_a_draft_is_saved_is_refused_and_kept():
    from evaluation import building
    from evaluation.models import Question
    from pioneer.access import SYSTEM

    survey, questions, invitation = _invited()

    def save_draft():
        return services.response_save(
            invitation=_fresh(invitation), data={questions["nps"].pk: ["7"]}, finish=False
        )

    def delete():
        question = Question.objects.select_related("section__survey__cohort").get(
            pk=questions["nps"].pk
        )
        return building.question_delete(question=question, by=SYSTEM)

    with translation.override("en"):
        ours, _rival = race(save_draft, delete)
    assert isinstance(ours, ValidationError) and "already has answers" in ours.messages[0]
    assert Question.objects.filter(pk=questions["nps"].pk).exists()
    assert list(Answer.objects.values_list("number", flat=True)) == [7]


def test_an_answer_sent_while_a_required_question_is_added_is_checked_against_it():
    from evaluation.models import Section
    from pioneer.access import SYSTEM

    survey, questions, invitation = _invited()
    section = Section.objects.get(survey=survey)

    def add():
        return services.question_add(
            section=section, text="Neu und Pflicht", type="text", by=SYSTEM
        )

    def submit():
        return services.response_save(
            invitation=_fresh(invitation), data={questions["likert5"].pk: ["4"]}, finish=True
        )

    with translation.override("en"):
        ours, new_question = race(add, submit)
    assert isinstance(ours, ValidationError)
    assert ours.message_dict == {str(new_question.pk): ["Please answer this question."]}
    assert not Response.objects.exists() and not SurveyInvitation.objects.get().has_answered
