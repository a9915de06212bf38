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
