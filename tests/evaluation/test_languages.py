"""The evaluation's pages in German and in English show no interface text of the other
language (the shared check of tests/test_languages.py, on the builder's, the report's and
the respondent's pages of the demo world, as office and as evaluator)."""

import pytest
from django.conf import settings
from django.test import Client

from evaluation import services
from evaluation.models import Survey, SurveyInvitation
from pioneer.models import User
from tests.test_languages import (
    _data_texts,
    _html,
    _interface_text,
    _other_language_words,
    demo,  # noqa: F401  (the fixture)
)


def _pages(survey, event_survey):
    question = survey.sections.first().questions.first()
    section = survey.sections.first()
    cohort = survey.cohort_id
    return [
        f"/surveys/{survey.pk}/",
        f"/surveys/{survey.pk}/preview/",
        f"/surveys/{survey.pk}/edit/",
        f"/surveys/{survey.pk}/sections/{section.pk}/",
        f"/surveys/{survey.pk}/questions/{question.pk}/",
        f"/surveys/{survey.pk}/report/",
        f"/surveys/{survey.pk}/compare/",
        f"/surveys/{event_survey.pk}/report/",
        f"/cohorts/{cohort}/surveys/new/",
        f"/cohorts/{cohort}/surveys/copy-one/",
    ]


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("email", ["office@mluk.example", "evaluator@mluk.example"])
def test_the_evaluation_pages_speak_one_language(demo, language, email):  # noqa: F811
    data = _data_texts()
    # pioneer4BB's (MIK's adopted programme carries copies of them).
    mine = Survey.objects.filter(cohort__programme__slug="pioneer4bb")
    survey = mine.get(cohort__slug="durchgang-2", kind=Survey.Kind.FINAL)
    event_survey = mine.get(kind=Survey.Kind.EVENT)
    client = Client()
    client.force_login(User.objects.get(email=email))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = _pages(survey, event_survey)
    if email.startswith("office"):
        pages.append(f"/cohorts/{survey.cohort_id}/surveys/")
    problems = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = _html(response)
        assert f'<html lang="{language}">' in html, url
        text = _interface_text(html, language, data)
        problems += [f"{url}: {found}" for found in _other_language_words(text, language)]
    assert problems == []


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_respondents_page_speaks_one_language(demo, language):  # noqa: F811
    survey = Survey.objects.get(cohort__slug="durchgang-2", kind=Survey.Kind.FINAL)
    invitation = survey.invitations.filter(has_answered=False).first() or (
        SurveyInvitation.objects.filter(survey__state="open", has_answered=False).first()
    )
    invitation.token_hash = services.token_hash("sprache")
    invitation.save()
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/s/sprache/")
    assert response.status_code == 200
    text = _interface_text(_html(response), language, _data_texts())
    assert _other_language_words(text, language) == set()
