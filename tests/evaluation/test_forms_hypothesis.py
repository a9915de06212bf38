"""Hypothesis tries the respondent's form and the builder's forms: whatever is posted, the
answer is never a server error, and a refused answer changes nothing."""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from evaluation import services
from evaluation.models import Question, Response, SurveyInvitation
from tests.factories.cohorts import ParticipationFactory
from tests.factories.core import office_user
from tests.factories.evaluation import survey_with_questions

pytestmark = pytest.mark.django_db

VALUES = st.one_of(
    st.text(max_size=30),
    st.integers().map(str),
    st.sampled_from(["", "0", "5", "10", "11", "-1", "Ja", "Netzwerk", "١", "1e3", "\x00"]),
)


@pytest.fixture
def world():
    survey, questions = survey_with_questions()
    return {
        "survey": survey,
        "questions": questions,
        "owner": office_user(org=survey.cohort.programme.organisation),
    }


@given(
    data=st.dictionaries(st.sampled_from(list(Question.Type.values)), st.lists(VALUES, max_size=3))
)
def test_the_respondent_form(world, data):
    invitation = SurveyInvitation.objects.create(
        survey=world["survey"],
        participation=ParticipationFactory(cohort=world["survey"].cohort),
        token_hash=services.token_hash(f"h{SurveyInvitation.objects.count()}"),
    )
    token = f"h{SurveyInvitation.objects.count() - 1}"
    before = Response.objects.count()
    post = {f"q{world['questions'][type_].pk}": values for type_, values in data.items()}
    post["finish"] = "1"
    response = Client().post(f"/s/{token}/", post)
    assert response.status_code in (200, 400)
    invitation.refresh_from_db()
    if response.status_code == 400:
        assert Response.objects.count() == before and not invitation.has_answered
    else:
        assert Response.objects.count() == before + 1 and invitation.has_answered


@given(
    text=st.text(max_size=600),
    type_=st.text(max_size=10) | st.sampled_from(list(Question.Type.values)),
    choices=st.text(max_size=200),
    section=st.text(max_size=5),
)
def test_the_question_form(world, text, type_, choices, section):
    client = Client()
    client.force_login(world["owner"])
    survey = world["survey"]
    survey.state = "draft"
    survey.save()
    response = client.post(
        f"/surveys/{survey.pk}/questions/",
        {"text": text, "type": type_, "choices": choices, "section": section},
    )
    assert response.status_code == 302
