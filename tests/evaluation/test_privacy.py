"""No path joins a person to an answer: tests that look for one.

They do not trust a list of places: every model of the project is introspected for a
relation to a response or an answer, every model kept by simple-history is checked, every
admin page of every registered model is opened as the technical administrator, and the
pages and the CSV export the office and evaluators reach are read, each time looking for
the answers' texts next to the invitees' names, e-mail addresses or ids. "Has answered" is
kept as a date column (no time), checked in the database itself.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from evaluation import services
from evaluation.models import Answer, EvaluatorAssignment, Response, Survey, SurveyInvitation
from pioneer.models import Notification
from tests.factories.cohorts import ParticipationFactory
from tests.factories.core import UserFactory, evaluator_user, office_user
from tests.factories.evaluation import survey_with_questions

pytestmark = pytest.mark.django_db

PEOPLE = 6


@pytest.fixture
def answered():
    """Six people invited and answered through the service, each with a text of their own."""
    survey, questions = survey_with_questions()
    invitations = []
    for i in range(PEOPLE):
        participation = ParticipationFactory(
            cohort=survey.cohort,
            user__name=f"Person Nummer{i}",
            user__email=f"person{i}@ministerium.example",
        )
        invitation = SurveyInvitation.objects.create(
            survey=survey, participation=participation, token_hash=services.token_hash(f"t{i}")
        )
        services.response_save(
            invitation=invitation,
            data={
                questions["likert5"].pk: [str(1 + i % 5)],
                questions["text"].pk: [f"Geheime Antwort {i} zum Programm"],
            },
            finish=True,
        )
        invitations.append(invitation)
    evaluator = evaluator_user()
    EvaluatorAssignment.objects.create(cohort=survey.cohort, user=evaluator)
    return {
        "survey": survey,
        "questions": questions,
        "invitations": invitations,
        "texts": [f"Geheime Antwort {i} zum Programm" for i in range(PEOPLE)],
        "owner": office_user(org=survey.cohort.programme.organisation),
        "evaluator": evaluator,
    }


def _identities(world):
    found = []
    for invitation in world["invitations"]:
        user = invitation.participation.user
        found += [user.email, user.name, f"/{invitation.pk}/", f"/{invitation.participation_id}/"]
    return found


def _assert_no_join(html, world):
    """A page may show answers or people, never both."""
    shows_answers = any(text in html for text in world["texts"])
    shows_people = [i for i in _identities(world) if i.strip("/") and i in html]
    if shows_answers:
        assert not any("@" in i or "Nummer" in i for i in shows_people), shows_people


# --- the models -------------------------------------------------------------------------


def test_no_model_of_the_project_relates_a_response_or_answer_to_anything_else():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not field.is_relation or field.related_model is None:
                continue
            ends = {model, field.related_model}
            if ends & {Response, Answer}:
                # The only relations: an answer to its response and question, a response
                # to its survey (and those fields seen from the other side).
                allowed = [
                    {Answer, Response},
                    {Answer, Answer._meta.get_field("question").related_model},
                    {Response, Survey},
                ]
                assert ends in allowed, (model.__name__, field.name)


def test_no_timestamp_is_kept_with_an_answer_or_with_has_answered():
    for model in (Response, Answer, SurveyInvitation):
        for field in model._meta.concrete_fields:
            assert not isinstance(field, models.DateTimeField), (model.__name__, field.name)
    # In the database itself: the day only.
    with connection.cursor() as cursor:
        columns = {
            c.name: c
            for c in connection.introspection.get_table_description(
                cursor, SurveyInvitation._meta.db_table
            )
        }
    column = columns["answered_on"]
    assert connection.introspection.get_field_type(column.type_code, column) == "DateField"


def test_simple_history_keeps_no_answers_invitations_or_responses():
    from simple_history.models import registered_models

    tracked = set(registered_models.values())
    assert tracked  # the project does keep history (of cohorts and people)
    for model in tracked:
        assert model._meta.app_label != "evaluation", model
    historical = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    assert historical
    for model in historical:
        assert model._meta.app_label != "evaluation", model
        for field in model._meta.concrete_fields:
            if field.is_relation:
                assert field.related_model not in (Response, Answer, SurveyInvitation), model


# --- what people reach ------------------------------------------------------------------


def test_every_admin_page_shows_answers_or_people_never_both(answered):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    opened = 0
    for model in admin.site._registry:
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        changelist = client.get(reverse(f"admin:{info}_changelist"))
        assert changelist.status_code == 200, info
        _assert_no_join(changelist.content.decode(), answered)
        for obj in model._default_manager.all()[:3]:
            page = client.get(reverse(f"admin:{info}_change", args=[obj.pk]))
            assert page.status_code == 200, info
            html = page.content.decode()
            _assert_no_join(html, answered)
            # An answer's text is shown nowhere in the admin.
            assert not any(text in html for text in answered["texts"]), info
            opened += 1
    assert opened >= 5  # the walk really opened objects (invitations among them)


def test_the_office_and_evaluator_pages_and_the_export_join_nobody(answered):
    survey = answered["survey"]
    pages = [
        f"/surveys/{survey.pk}/report/",
        f"/surveys/{survey.pk}/compare/",
        f"/surveys/{survey.pk}/",
        f"/cohorts/{survey.cohort_id}/surveys/",
        "/home/",
    ]
    for who in ("owner", "evaluator"):
        client = Client()
        client.force_login(answered[who])
        for url in pages:
            response = client.get(url)
            if response.status_code == 200:
                _assert_no_join(response.content.decode(), answered)
        export = client.get(f"/surveys/{survey.pk}/export.csv")
        csv = b"".join(export.streaming_content).decode()
        assert "Geheime Antwort 0" in csv  # the export does carry the answers
        for invitation in answered["invitations"]:
            user = invitation.participation.user
            for identity in (user.email, user.name, invitation.token_hash):
                assert identity not in csv
    # The report shows the free texts (six, above the threshold) and no name.
    client = Client()
    client.force_login(answered["evaluator"])
    report = client.get(f"/surveys/{survey.pk}/report/").content.decode()
    assert "Geheime Antwort 3" in report and "Nummer" not in report


def test_the_export_is_not_in_the_order_of_the_invitations(answered):
    """Rows follow the pseudonymous code, so their order says nothing of who came first."""
    client = Client()
    client.force_login(answered["owner"])
    csv = b"".join(
        client.get(f"/surveys/{answered['survey'].pk}/export.csv").streaming_content
    ).decode()
    codes = [line.split(",")[0] for line in csv.splitlines()[1:]]
    assert codes == sorted(codes) and len(codes) == PEOPLE


def test_answering_writes_nothing_to_the_ledger(answered):
    """No e-mail, no notification, nothing with the person's address is caused by an
    answer (an invitation's mail was sent before, and carries no answer)."""
    survey, questions = survey_with_questions(cohort=answered["survey"].cohort)
    invitation = SurveyInvitation.objects.create(
        survey=survey,
        participation=answered["invitations"][0].participation,
        token_hash=services.token_hash("ledger"),
    )
    before = Notification.objects.count()
    services.response_save(
        invitation=invitation, data={questions["likert5"].pk: ["3"]}, finish=True
    )
    assert Notification.objects.count() == before
