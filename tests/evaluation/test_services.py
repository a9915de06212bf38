"""The evaluation services: each question type's validation, answering once, drafts,
closing, invitations and reminders through the ledger, copying a survey set, and the
absence of any path from a person to an answer (models and admin)."""

from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from cohorts import services as cohort_services
from evaluation import pseudonyms, services
from evaluation.models import Answer, Question, Response, Survey, SurveyInvitation
from pioneer.access import SYSTEM
from pioneer.models import Notification, OutgoingMail
from tests.factories.cohorts import CohortFactory, ParticipationFactory, external_participation
from tests.factories.core import office_user
from tests.factories.evaluation import SurveyFactory, survey_with_questions

pytestmark = pytest.mark.django_db


def _q(type_, choices=()):
    return Question(text="?", type=type_, choices=list(choices))


# --- each question type's validation ----------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "raw", "expected"),
    [
        (Question.Type.LIKERT, ["1"], {"number": 1}),
        (Question.Type.LIKERT, ["5"], {"number": 5}),
        (Question.Type.NPS, ["0"], {"number": 0}),
        (Question.Type.NPS, ["10"], {"number": 10}),
        (Question.Type.NUMBER, ["-3"], {"number": -3}),
        (Question.Type.TEXT, ["  gut  "], {"text": "gut"}),
        (Question.Type.SINGLE, ["Ja"], {"text": "Ja"}),
        (Question.Type.MULTIPLE, ["Netzwerk", "Workshop"], {"choices": ["Workshop", "Netzwerk"]}),
        (Question.Type.LIKERT, [""], None),
        (Question.Type.MULTIPLE, [], None),
    ],
)
def test_valid_answers_are_parsed(type_, raw, expected):
    question = _q(type_, ["Ja", "Nein"] if type_ == "single" else ["Workshop", "Netzwerk"])
    assert services.parse_answer(question, raw) == expected


@pytest.mark.parametrize(
    ("type_", "raw"),
    [
        (Question.Type.LIKERT, ["0"]),
        (Question.Type.LIKERT, ["6"]),
        (Question.Type.LIKERT, ["gut"]),
        (Question.Type.LIKERT, ["2", "3"]),
        (Question.Type.NPS, ["11"]),
        (Question.Type.NPS, ["-1"]),
        (Question.Type.NUMBER, ["1.5"]),
        (Question.Type.NUMBER, ["99999999999"]),
        (Question.Type.SINGLE, ["Vielleicht"]),
        (Question.Type.SINGLE, ["Ja", "Nein"]),
        (Question.Type.MULTIPLE, ["Workshop", "Workshop"]),
        (Question.Type.MULTIPLE, ["Kaffee"]),
        (Question.Type.TEXT, ["x" * (services.TEXT_MAX + 1)]),
        (Question.Type.TEXT, ["a\x00b"]),
    ],
)
def test_invalid_answers_are_refused_with_a_message(type_, raw):
    question = _q(type_, ["Ja", "Nein"] if type_ == "single" else ["Workshop", "Netzwerk"])
    with pytest.raises(ValidationError) as error:
        services.parse_answer(question, raw)
    assert error.value.messages and all(error.value.messages)


# --- answering once ---------------------------------------------------------------------


@pytest.fixture
def invited():
    survey, questions = survey_with_questions()
    participation = ParticipationFactory(cohort=survey.cohort)
    invitation = SurveyInvitation.objects.create(
        survey=survey, participation=participation, token_hash=services.token_hash("t")
    )
    return survey, questions, invitation


def _data(questions, likert="4"):
    return {
        questions["likert5"].pk: [likert],
        questions["single"].pk: ["Ja"],
        questions["multiple"].pk: ["Workshop", "Netzwerk"],
        questions["text"].pk: ["Sehr lehrreich"],
        questions["number"].pk: ["12"],
        questions["nps"].pk: ["9"],
    }


def test_a_submit_stores_the_answers_with_the_code_and_only_the_day(invited):
    survey, questions, invitation = invited
    response, token = services.response_save(
        invitation=invitation, data=_data(questions), finish=True
    )
    assert token == ""
    invitation.refresh_from_db()
    assert invitation.has_answered and invitation.answered_on == timezone.localdate()
    assert response.submitted
    assert response.pseudonym == pseudonyms.pseudonym(
        programme_id=survey.cohort.programme_id, user_id=invitation.participation.user_id
    )
    assert response.pseudonym != str(invitation.participation.user_id)
    assert Answer.objects.filter(response=response).count() == 6


def test_a_second_submit_is_refused_and_changes_nothing(invited):
    survey, questions, invitation = invited
    services.response_save(invitation=invitation, data=_data(questions, "4"), finish=True)
    stale = SurveyInvitation.objects.get(pk=invitation.pk)
    stale.has_answered = False  # as a second request that read the row before the first
    with pytest.raises(ValidationError) as error:
        services.response_save(invitation=stale, data=_data(questions, "1"), finish=True)
    assert "already answered" in error.value.messages[0]
    assert list(
        Answer.objects.filter(question=questions["likert5"]).values_list("number", flat=True)
    ) == [4]
    assert Response.objects.count() == 1


def test_a_required_question_left_empty_is_refused(invited):
    _survey, questions, invitation = invited
    data = _data(questions)
    data[questions["likert5"].pk] = []
    with pytest.raises(ValidationError) as error:
        services.response_save(invitation=invitation, data=data, finish=True)
    assert str(questions["likert5"].pk) in error.value.message_dict
    invitation.refresh_from_db()
    assert not invitation.has_answered and Response.objects.count() == 0


def test_after_closing_answers_are_refused_with_a_clear_message(invited):
    survey, questions, invitation = invited
    survey.state = Survey.State.CLOSED
    survey.save()
    with pytest.raises(ValidationError) as error:
        services.response_save(invitation=invitation, data=_data(questions), finish=True)
    assert "closed" in error.value.messages[0]
    assert Response.objects.count() == 0


def test_after_the_closing_day_answers_are_refused(invited):
    survey, questions, invitation = invited
    survey.closes = date(2030, 1, 1)
    survey.save()
    with pytest.raises(ValidationError):
        services.response_save(
            invitation=invitation, data=_data(questions), finish=True, today=date(2030, 1, 2)
        )


def test_a_draft_is_kept_and_finished_later(invited):
    _survey, questions, invitation = invited
    data = _data(questions)
    data[questions["likert5"].pk] = []  # a required one may be empty in a draft
    draft, token = services.response_save(invitation=invitation, data=data, finish=False)
    assert token and not draft.submitted
    invitation.refresh_from_db()
    assert not invitation.has_answered
    assert services.draft_answers(invitation=invitation, draft_token=token)[
        questions["single"].pk
    ] == ["Ja"]
    assert services.draft_answers(invitation=invitation, draft_token="wrong") == {}
    final, _ = services.response_save(
        invitation=invitation, data=_data(questions), finish=True, draft_token=token
    )
    assert final.pk == draft.pk and final.submitted and final.draft_token_hash == ""
    assert Response.objects.count() == 1


# --- no path from a person to an answer -------------------------------------------------


def _relations(model):
    return {
        f.name: f.related_model
        for f in model._meta.get_fields()
        if f.is_relation and f.concrete and f.related_model is not None
    }


def test_responses_and_answers_have_no_field_leading_to_a_person():
    from cohorts.models import Participation
    from pioneer.models import User

    assert set(_relations(Response)) == {"survey"}
    assert set(_relations(Answer)) == {"response", "question"}
    for model in (Response, Answer):
        names = {f.name for f in model._meta.get_fields()}
        assert not names & {"user", "participation", "invitation", "created_at", "submitted_at"}
        for related in _relations(model).values():
            assert related not in (User, Participation, SurveyInvitation)
    # The invitation keeps no time, only the day, and nothing of the response.
    invitation_fields = {f.name: f for f in SurveyInvitation._meta.get_fields()}
    assert isinstance(invitation_fields["answered_on"], models.DateField)
    assert not isinstance(invitation_fields["answered_on"], models.DateTimeField)
    assert Response not in {f.related_model for f in SurveyInvitation._meta.get_fields()}


def test_responses_and_answers_have_random_keys_not_counters(invited):
    survey, questions, invitation = invited
    response, _ = services.response_save(invitation=invitation, data=_data(questions), finish=True)
    assert isinstance(Response._meta.pk, models.UUIDField)
    assert isinstance(Answer._meta.pk, models.UUIDField)
    assert len({a.pk for a in response.answers.all()}) == 6


def test_the_admin_offers_no_responses_or_answers():
    assert Response not in admin.site._registry
    assert Answer not in admin.site._registry
    for model_admin in admin.site._registry.values():
        for inline in getattr(model_admin, "inlines", []):
            assert inline.model not in (Response, Answer)


# --- building, inviting, reminding, copying ---------------------------------------------


def test_only_the_office_running_the_cohort_builds_its_surveys():
    cohort = CohortFactory()
    with pytest.raises(PermissionDenied):
        services.survey_create(cohort=cohort, kind="baseline", title="X", by=office_user())
    with pytest.raises(TypeError):
        services.survey_create(cohort=cohort, kind="baseline", title="X", by=None)
    owner = office_user(org=cohort.programme.organisation)
    survey = services.survey_create(cohort=cohort, kind="baseline", title="Start", by=owner)
    section = services.section_add(survey=survey, title="Teil 1", by=owner)
    with pytest.raises(ValidationError):
        services.question_add(section=section, text="Was?", type="single", choices=["A"], by=owner)
    services.question_add(section=section, text="Was?", type="single", choices=["A", "B"], by=owner)
    assert survey.state == Survey.State.DRAFT


def test_invitations_go_to_one_side_through_the_ledger_with_personal_links():
    survey, _questions = survey_with_questions(state=Survey.State.DRAFT)
    owner = office_user(org=survey.cohort.programme.organisation)
    inside = ParticipationFactory(cohort=survey.cohort)
    outside = external_participation(survey.cohort)
    assert services.survey_invite(survey=survey, side="external", by=owner) == 1
    assert services.survey_invite(survey=survey, side="external", by=owner) == 0
    survey.refresh_from_db()
    assert survey.state == Survey.State.OPEN
    invitation = SurveyInvitation.objects.get()
    assert invitation.participation == outside
    rows = Notification.objects.filter(kind="mail.evaluation_invitation")
    assert rows.count() == 1 and rows.get().email == outside.user.email
    assert services.survey_invite(survey=survey, by=owner) == 1  # now the other side
    assert SurveyInvitation.objects.filter(participation=inside).exists()


def test_reminders_reach_only_those_who_have_not_answered_once_a_day():
    survey, questions = survey_with_questions()
    owner = office_user(org=survey.cohort.programme.organisation)
    first = ParticipationFactory(cohort=survey.cohort)
    ParticipationFactory(cohort=survey.cohort)
    services.survey_invite(survey=survey, by=owner)
    answered = SurveyInvitation.objects.get(participation=first)
    services.response_save(invitation=answered, data=_data(questions), finish=True)
    old_hash = SurveyInvitation.objects.exclude(pk=answered.pk).get().token_hash
    assert services.survey_remind(survey=survey, by=owner) == 1
    assert services.survey_remind(survey=survey, by=owner) == 0  # not twice a day
    assert SurveyInvitation.objects.exclude(pk=answered.pk).get().token_hash != old_hash
    assert Notification.objects.filter(kind="mail.evaluation_reminder").count() == 1
    # The reminder's text was in the ledger's outgoing mail, in the recipient's language.
    assert OutgoingMail.objects.count() == 3


def test_copying_a_cohort_carries_its_survey_set_with_shifted_dates():
    survey, _questions = survey_with_questions(opens=date(2023, 4, 1), closes=date(2023, 4, 14))
    owner = office_user(org=survey.cohort.programme.organisation)
    target = cohort_services.cohort_copy_next(
        cohort=survey.cohort, title="Nächster", by=owner, start_date=date(2024, 4, 1)
    )
    copy = target.surveys.get()
    assert copy.copied_from == survey and copy.state == Survey.State.DRAFT
    assert copy.opens == date(2024, 4, 1) and copy.closes - copy.opens == timedelta(days=13)
    assert list(
        Question.objects.filter(section__survey=copy).values_list("type", flat=True)
    ) == list(Question.objects.filter(section__survey=survey).values_list("type", flat=True))
    assert not copy.invitations.exists() and not copy.responses.exists()


def test_a_survey_copy_needs_the_office_of_both_cohorts():
    survey = SurveyFactory()
    with pytest.raises(PermissionDenied):
        services.survey_copy(survey=survey, cohort=CohortFactory(), by=office_user())
    services.survey_copy(
        survey=survey, cohort=CohortFactory(programme=survey.cohort.programme), by=SYSTEM
    )
