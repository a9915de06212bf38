"""Every evaluation view with the shared access helper (owner, another ministry's office,
an evaluator not assigned, a participant, anonymous), the respondent's page by personal
link, flat queries on the reports and lists, German and English."""

import pytest

from evaluation import pseudonyms, services
from evaluation.models import EvaluatorAssignment, Question, Response, Survey, SurveyInvitation
from tests.access import assert_access
from tests.factories.cohorts import CohortFactory, ParticipationFactory
from tests.factories.core import evaluator_user, office_user, participant_user
from tests.factories.evaluation import answer_directly, survey_with_questions
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cohort = CohortFactory()
    survey, questions = survey_with_questions(cohort=cohort)
    evaluator = evaluator_user()
    EvaluatorAssignment.objects.create(cohort=cohort, user=evaluator)
    for i in range(6):
        answer_directly(
            survey,
            i,
            {
                questions["likert5"]: {"number": 1 + i % 5},
                questions["text"]: {"text": f"Antwort {i}"},
            },
        )
    return {
        "cohort": cohort,
        "survey": survey,
        "questions": questions,
        "owner": office_user(org=cohort.programme.organisation),
        "stranger": office_user(),
        "evaluator": evaluator,
        "other_evaluator": evaluator_user(),
        "participant": participant_user(),
    }


def _en(client):
    client.cookies["django_language"] = "en"


# --- access -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/cohorts/{cohort}/surveys/"])
def test_office_pages(world, url):
    url = url.format(cohort=world["cohort"].pk, survey=world["survey"].pk)
    assert_access(
        url, owner=world["owner"], stranger=world["stranger"], wrong_role=world["participant"]
    )
    # An evaluator builds nothing.
    assert_access(url, owner=world["owner"], wrong_role=world["evaluator"], check_anonymous=False)


@pytest.mark.parametrize(
    "url",
    ["/surveys/{survey}/report/", "/surveys/{survey}/compare/", "/surveys/{survey}/export.csv"],
)
def test_report_pages_for_the_office_and_the_assigned_evaluator(world, url):
    url = url.format(survey=world["survey"].pk)
    for owner in (world["owner"], world["evaluator"]):
        assert_access(url, owner=owner, stranger=world["stranger"], wrong_role=world["participant"])
    # An evaluator of another cohort: someone else's survey does not exist.
    assert_access(
        url, owner=world["evaluator"], stranger=world["other_evaluator"], check_anonymous=False
    )


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/surveys/{survey}/invite/", {"side": ""}),
        ("/surveys/{survey}/remind/", {}),
        ("/surveys/{survey}/close/", {}),
        ("/cohorts/{cohort}/surveys/copy/", {"source": "0"}),
        ("/cohorts/{cohort}/evaluators/", {"user": "0"}),
        ("/cohorts/{cohort}/surveys/", {"kind": "final", "title": "Ende", "audience": "all"}),
    ],
)
def test_office_actions(world, url, data):
    url = url.format(cohort=world["cohort"].pk, survey=world["survey"].pk)
    assert_access(
        url,
        owner=world["owner"],
        stranger=world["stranger"],
        wrong_role=world["evaluator"],
        method="post",
        data=data,
        owner_status=302,
    )


def test_the_office_builds_a_survey_and_previews_it_as_respondents_see_it(client, world):
    _en(client)
    client.force_login(world["owner"])
    response = client.post(
        f"/cohorts/{world['cohort'].pk}/surveys/",
        {"kind": "final", "title": "Abschluss", "audience": "all", "intro": "Danke!"},
    )
    survey = Survey.objects.get(title="Abschluss")
    assert response.headers["Location"] == f"/surveys/{survey.pk}/"
    client.post(f"/surveys/{survey.pk}/sections/", {"title": "Rückblick"})
    section = survey.sections.get()
    client.post(
        f"/surveys/{survey.pk}/questions/",
        {"section": section.pk, "text": "Wie war es?", "type": "likert5", "required": "on"},
    )
    client.post(
        f"/surveys/{survey.pk}/questions/",
        {"section": section.pk, "text": "Was?", "type": "multiple", "choices": "A\nB"},
    )
    preview = client.get(f"/surveys/{survey.pk}/preview/").content.decode()
    assert "Wie war es?" in preview and "Strongly agree" in preview and "disabled" in preview
    assert (
        "nobody can see who answered what" in preview.lower() or "can see who answered" in preview
    )
    tab = client.get(f"/cohorts/{world['cohort'].pk}/surveys/").content.decode()
    assert "Abschluss" in tab and 'aria-current="page">Surveys' in tab


def test_the_surveys_tab_is_on_the_cohort_page(client, world):
    _en(client)
    client.force_login(world["owner"])
    page = client.get(f"/cohorts/{world['cohort'].pk}/").content.decode()
    assert f"/cohorts/{world['cohort'].pk}/surveys/" in page


def test_the_evaluators_home_lists_the_assigned_surveys(client, world):
    _en(client)
    client.force_login(world["evaluator"])
    page = client.get("/home/").content.decode()
    assert f"/surveys/{world['survey'].pk}/report/" in page


# --- the respondent ---------------------------------------------------------------------


@pytest.fixture
def invitation(world):
    invitation = SurveyInvitation.objects.create(
        survey=world["survey"],
        participation=ParticipationFactory(cohort=world["cohort"]),
        token_hash=services.token_hash("my-link"),
    )
    return invitation


def test_the_personal_link_works_without_signing_in_and_says_what_is_stored(client, invitation):
    _en(client)
    page = client.get("/s/my-link/").content.decode()
    assert "What is stored, and who can see it" in page
    assert "not the time" in page and "nobody can tell from it who you are" in page
    assert client.get("/s/not-a-link/").status_code == 404


def test_answering_once_by_the_personal_link(client, world, invitation):
    _en(client)
    q = world["questions"]
    response = client.post("/s/my-link/", {f"q{q['likert5'].pk}": "4", "finish": "1"})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    again = client.post("/s/my-link/", {f"q{q['likert5'].pk}": "1", "finish": "1"})
    assert again.status_code == 400
    assert "already answered" in again.content.decode()
    assert Response.objects.filter(survey=world["survey"]).count() == 7


def test_a_bad_answer_is_shown_at_its_question_and_nothing_is_saved(client, world, invitation):
    _en(client)
    q = world["questions"]
    response = client.post(
        "/s/my-link/", {f"q{q['likert5'].pk}": "9", f"q{q['nps'].pk}": "3", "finish": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "Please give a number from 1 to 5." in html
        and "aria-invalid" not in html.split("Frage nps")[0][-10:]
    )
    assert 'value="3" checked' in html  # what was given stays
    invitation.refresh_from_db()
    assert not invitation.has_answered


def test_a_draft_is_saved_and_shown_again_from_the_session(client, world, invitation):
    _en(client)
    q = world["questions"]
    saved = client.post("/s/my-link/", {f"q{q['single'].pk}": "Nein", "draft": "1"})
    assert "Your draft has been saved" in saved.content.decode()
    again = client.get("/s/my-link/").content.decode()
    assert 'value="Nein" checked' in again
    invitation.refresh_from_db()
    assert not invitation.has_answered
    # Another browser without the token sees an empty form.
    from django.test import Client

    assert 'value="Nein" checked' not in Client().get("/s/my-link/").content.decode()


def test_a_closed_survey_refuses_answers_with_a_clear_message(client, world, invitation):
    _en(client)
    world["survey"].state = Survey.State.CLOSED
    world["survey"].save()
    assert "This survey is closed" in client.get("/s/my-link/").content.decode()
    q = world["questions"]
    response = client.post("/s/my-link/", {f"q{q['likert5'].pk}": "4", "finish": "1"})
    assert response.status_code == 400 and "This survey is closed" in response.content.decode()


# --- reports ----------------------------------------------------------------------------


def test_the_report_shows_a_chart_with_its_table_and_no_person(client, world):
    _en(client)
    client.force_login(world["evaluator"])
    html = client.get(f"/surveys/{world['survey'].pk}/report/").content.decode()
    assert "<svg" in html and "<table" in html and "Strongly agree" in html
    assert "Antwort 0" in html  # six texts: above the threshold
    for person in ParticipationFactory._meta.model.objects.select_related("user"):
        assert person.user.email not in html


def test_a_small_survey_is_shown_as_suppressed_with_the_reason(client, world):
    _en(client)
    small, questions = survey_with_questions(cohort=world["cohort"], kind=Survey.Kind.EVENT)
    answer_directly(small, 1, {questions["text"]: {"text": "Ganz allein"}})
    client.force_login(world["owner"])
    html = client.get(f"/surveys/{small.pk}/report/").content.decode()
    assert "No results are shown for this survey." in html and "fewer than 5" in html
    assert "Ganz allein" not in html
    export = b"".join(client.get(f"/surveys/{small.pk}/export.csv").streaming_content).decode()
    assert "Ganz allein" not in export and "fewer than 5" in export


def test_the_report_in_german_and_english(client, world):
    client.force_login(world["owner"])
    client.cookies["django_language"] = "de"
    german = client.get(f"/surveys/{world['survey'].pk}/report/").content.decode()
    assert '<html lang="de"' in german
    _en(client)
    english = client.get(f"/surveys/{world['survey'].pk}/report/").content.decode()
    assert '<html lang="en"' in english and "Strongly agree" in english


def test_the_export_streams(client, world):
    client.force_login(world["evaluator"])
    response = client.get(f"/surveys/{world['survey'].pk}/export.csv")
    assert response.streaming
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert len(rows) == 7


def test_the_export_cannot_run_a_free_text_as_a_formula(client, world):
    """A respondent's text that starts like a formula reaches the spreadsheet as text;
    numbers, also negative ones, stay numbers."""
    from cohorts.services.exports import spreadsheet_cell

    survey, questions = survey_with_questions(cohort=world["cohort"])
    for number in range(1, 7):
        answer_directly(survey, 500 + number, {questions["text"]: {"text": '=HYPERLINK("x")'}})
    client.force_login(world["owner"])
    export = b"".join(client.get(f"/surveys/{survey.pk}/export.csv").streaming_content).decode()
    assert "'=HYPERLINK" in export
    assert ',"=HYPERLINK' not in export and ",=HYPERLINK" not in export
    assert spreadsheet_cell("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_cell("-3") == "-3" and spreadsheet_cell(-3) == -3
    assert spreadsheet_cell("2,5") == "2,5" and spreadsheet_cell(None) == ""


def _add_responses(survey, questions):
    start = [1000]

    def make(count):
        for _ in range(count):
            start[0] += 1
            answer_directly(
                survey,
                start[0],
                {questions["likert5"]: {"number": 3}, questions["text"]: {"text": "x"}},
                side="external" if start[0] % 2 else "administration",
            )

    return make


def test_report_queries_stay_flat(client, world):
    client.force_login(world["evaluator"])
    survey = world["survey"]
    assert_flat_queries(
        client, f"/surveys/{survey.pk}/report/", _add_responses(survey, world["questions"])
    )


def test_compare_queries_stay_flat(client, world):
    client.force_login(world["owner"])
    survey = world["survey"]
    other, _ = survey_with_questions(cohort=CohortFactory(programme=world["cohort"].programme))
    assert other.kind == survey.kind
    assert_flat_queries(
        client, f"/surveys/{survey.pk}/compare/", _add_responses(survey, world["questions"])
    )


def test_the_surveys_tab_queries_stay_flat(client, world):
    client.force_login(world["owner"])

    def make(count):
        for _ in range(count):
            survey_with_questions(cohort=world["cohort"])

    assert_flat_queries(client, f"/cohorts/{world['cohort'].pk}/surveys/", make)


def test_the_evaluators_home_queries_stay_flat(client, world):
    client.force_login(world["evaluator"])

    def make(count):
        for _ in range(count):
            cohort = CohortFactory()
            EvaluatorAssignment.objects.create(cohort=cohort, user=world["evaluator"])
            survey_with_questions(cohort=cohort)

    assert_flat_queries(client, "/home/", make)


def _add_questions(survey):
    section = survey.sections.first()

    def make(count):
        for _ in range(count):
            Question.objects.create(
                section=section, text="Noch eine?", type="single", choices=["Ja", "Nein"]
            )

    return make


def test_the_builder_queries_stay_flat(client, world):
    client.force_login(world["owner"])
    survey = world["survey"]
    assert_flat_queries(client, f"/surveys/{survey.pk}/", _add_questions(survey))


def test_the_respondents_page_queries_stay_flat(client, world, invitation):
    assert_flat_queries(client, "/s/my-link/", _add_questions(world["survey"]))


def test_no_log_line_joins_the_person_to_the_answer(client, world, invitation, caplog):
    """Answering logs nothing that names the response, its code or the person together."""
    q = world["questions"]
    with caplog.at_level("DEBUG"):
        client.post("/s/my-link/", {f"q{q['likert5'].pk}": "4", "finish": "1"})
    person = invitation.participation.user
    code = pseudonyms.pseudonym(programme_id=world["cohort"].programme_id, user_id=person.pk)
    response = Response.objects.get(survey=world["survey"], pseudonym=code, submitted=True)
    for record in caplog.records:
        line = record.getMessage()
        assert response.pseudonym not in line and str(response.pk) not in line
        assert person.email not in line


# --- choosing what to compare -------------------------------------------------------------


def _cohorts_with_surveys(world, count):
    programme = world["cohort"].programme
    made = []
    for i in range(count):
        cohort = CohortFactory(programme=programme, title=f"Vergleich {i}")
        cohort.start_date = world["cohort"].start_date.replace(year=2000 + i)
        cohort.save(update_fields=["start_date"])
        made.append(survey_with_questions(cohort=cohort)[0])
    return made


def test_the_comparison_shows_the_pilot_and_the_latest_until_someone_chooses(client, world):
    others = _cohorts_with_surveys(world, 7)
    client.force_login(world["owner"])
    page = client.get(f"/surveys/{world['survey'].pk}/compare/")
    shown = [s.cohort.title for s in page.context["surveys"][1:]]
    assert shown == ["Vergleich 0", "Vergleich 4", "Vergleich 5", "Vergleich 6"]
    html = page.content.decode()
    assert html.count('type="checkbox"') == 7  # every other cohort can be chosen
    chosen = client.get(
        f"/surveys/{world['survey'].pk}/compare/",
        {"surveys": [others[1].pk, others[2].pk]},
    )
    assert [s.pk for s in chosen.context["surveys"]] == [
        world["survey"].pk,
        *[o.pk for o in others[1:3]],
    ]


@pytest.mark.parametrize("language", ["de", "en"])
def test_choosing_too_many_or_a_foreign_survey_is_refused_with_a_message(client, world, language):
    others = _cohorts_with_surveys(world, 6)
    stranger, _ = survey_with_questions()  # another programme's survey
    client.force_login(world["owner"])
    client.cookies["django_language"] = language
    url = f"/surveys/{world['survey'].pk}/compare/"
    too_many = client.get(url, {"surveys": [o.pk for o in others[:5]]})
    assert too_many.status_code == 200
    message = {"de": "Wählen Sie höchstens 4", "en": "Choose at most 4"}[language]
    assert message in too_many.content.decode()
    assert len(too_many.context["surveys"]) == 5  # the survey and the default four
    foreign = client.get(url, {"surveys": [stranger.pk]})
    assert stranger.pk not in [s.pk for s in foreign.context["surveys"]]
    assert foreign.context["form"].errors
