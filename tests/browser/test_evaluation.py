"""The evaluation in a real browser: a participant answers a survey with one question of
each type by keyboard only, from the personal link without signing in; the evaluator
reads the reports (one suppressed), the comparison and the builder's pages; the office
builds a survey. Every page is audited by axe-core (the `Visitor`), in German and English.
"""

import pytest
from django.utils import translation

from cohorts.models import Cohort, Participation
from evaluation import services
from evaluation.models import Question, Response, Section, Survey, SurveyInvitation
from pioneer.models import User

pytestmark = pytest.mark.browser

LANGUAGES = [("de", "Deutsch"), ("en", "English")]
ACTIVE = "() => { const el = document.activeElement; return [el.name || '', el.value || ''] }"


def _in_language(visitor, code, label):
    if visitor.html_lang() != code:
        visitor.switch_language(label)
    assert visitor.html_lang() == code


def _survey_of_each_type():
    cohort = Cohort.objects.get(slug="durchgang-2")
    survey = Survey.objects.create(
        cohort=cohort, kind=Survey.Kind.MIDPOINT, title="Zwischenbilanz", state="open"
    )
    section = Section.objects.create(survey=survey, title="Bisher", order=1)
    specs = [
        ("likert5", "Die Hospitation ist lehrreich.", []),
        ("single", "Würden Sie wieder teilnehmen?", ["Ja", "Nein"]),
        ("multiple", "Was war hilfreich?", ["Workshop", "Netzwerk", "Tandem"]),
        ("text", "Was nehmen Sie mit?", []),
        ("number", "Wie viele Tage waren Sie vor Ort?", []),
        ("nps", "Wie wahrscheinlich empfehlen Sie das Programm?", []),
    ]
    questions = {}
    for order, (type_, text, choices) in enumerate(specs, start=1):
        questions[type_] = Question.objects.create(
            section=section, text=text, type=type_, order=order, choices=choices
        )
    participation = Participation.objects.get(
        cohort=cohort, user=User.objects.get(email="anna@mluk.example")
    )
    SurveyInvitation.objects.create(
        survey=survey, participation=participation, token_hash=services.token_hash("tastatur")
    )
    return survey, questions


def _tab_to(visitor, name, value=None, limit=80):
    """Press Tab until the field `name` (and `value`) has the focus."""
    for _ in range(limit):
        visitor.page.keyboard.press("Tab")
        active = visitor.page.evaluate(ACTIVE)
        if active[0] == name and (value is None or active[1] == value):
            return
    raise AssertionError(f"Tab never reached {name}={value}")


def _press(visitor, key, times=1):
    for _ in range(times):
        visitor.page.keyboard.press(key)


def test_a_participant_answers_a_survey_by_keyboard_only(demo_world, visitor):
    survey, q = _survey_of_each_type()
    visitor.goto("/s/tastatur/")
    assert visitor.html_lang() == "de"
    with translation.override("de"):
        privacy = translation.gettext("What is stored, and who can see it")
    assert visitor.page.locator("#privacy-heading").inner_text() == privacy
    # Likert: Tab into the group lands on its first point; the arrows choose "Agree" (4).
    _tab_to(visitor, f"q{q['likert5'].pk}")
    _press(visitor, "ArrowRight", 3)
    # Single choice: the first option, chosen with the space bar.
    _tab_to(visitor, f"q{q['single'].pk}")
    _press(visitor, "Space")
    # Multiple choice: each box is a stop of its own.
    _tab_to(visitor, f"q{q['multiple'].pk}", "Workshop")
    _press(visitor, "Space")
    _tab_to(visitor, f"q{q['multiple'].pk}", "Tandem")
    _press(visitor, "Space")
    _tab_to(visitor, f"q{q['text'].pk}")
    visitor.page.keyboard.type("Neue Kontakte")
    _tab_to(visitor, f"q{q['number'].pk}")
    visitor.page.keyboard.type("12")
    _tab_to(visitor, f"q{q['nps'].pk}")
    _press(visitor, "ArrowRight", 9)
    _tab_to(visitor, "finish")
    visitor.press("Enter")
    with translation.override("de"):
        thanks = translation.gettext("Thank you! Your answers have been saved.")
    assert thanks in visitor.page.locator("main").inner_text()
    response = Response.objects.get(survey=survey)
    values = {a.question_id: (a.number, a.text, a.choices) for a in response.answers.all()}
    assert values == {
        q["likert5"].pk: (4, "", []),
        q["single"].pk: (None, "Ja", []),
        q["multiple"].pk: (None, "", ["Workshop", "Tandem"]),
        q["text"].pk: (None, "Neue Kontakte", []),
        q["number"].pk: (12, "", []),
        q["nps"].pk: (9, "", []),
    }
    assert SurveyInvitation.objects.get(survey=survey).has_answered
    # A second visit says it is done, and offers no form.
    visitor.goto("/s/tastatur/")
    assert visitor.page.locator("main form button[name='finish']").count() == 0


def test_a_required_answer_left_out_is_shown_at_its_question(demo_world, visitor):
    survey, q = _survey_of_each_type()
    visitor.goto("/s/tastatur/")
    visitor.page.locator("button[name='finish']").focus()
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    visitor.audit()
    invalid = visitor.page.locator(f"#err_q{q['likert5'].pk}")
    assert invalid.is_visible()
    assert not Response.objects.filter(survey=survey).exists()


@pytest.mark.parametrize(("code", "label"), LANGUAGES)
def test_the_evaluator_reads_reports_with_axe(demo_world, visitor, code, label):
    visitor.login("evaluator@mluk.example")
    _in_language(visitor, code, label)
    surveys = Survey.objects.filter(cohort__evaluators__user__email="evaluator@mluk.example")
    final = surveys.get(cohort__slug="durchgang-2", kind=Survey.Kind.FINAL)
    event = surveys.get(kind=Survey.Kind.EVENT)
    visitor.goto(f"/surveys/{final.pk}/report/")
    main = visitor.page.locator("main")
    assert main.locator("svg[role='img']").count() >= 1
    assert main.locator("table").count() >= 2  # the data beside the charts, and the change
    visitor.goto(f"/surveys/{final.pk}/compare/")
    visitor.goto(f"/surveys/{event.pk}/report/")
    with translation.override(code):
        suppressed = translation.gettext("No results are shown for this survey.")
    assert suppressed in main.inner_text()
    # The builder's pages as the evaluator sees them.
    visitor.goto(f"/surveys/{final.pk}/")
    visitor.goto(f"/surveys/{final.pk}/preview/")
    visitor.goto(f"/surveys/{final.pk}/edit/")
    visitor.goto(f"/cohorts/{final.cohort_id}/surveys/new/")
    visitor.goto(f"/cohorts/{final.cohort_id}/surveys/copy-one/")
    visitor.submit(main.locator("button[type='submit']"))
    assert visitor.path.startswith("/surveys/")


@pytest.mark.parametrize(("code", "label"), LANGUAGES)
def test_the_office_builds_a_survey_with_axe(demo_world, visitor, code, label):
    visitor.login("office@mluk.example")
    _in_language(visitor, code, label)
    cohort = Cohort.objects.get(slug="durchgang-2")
    visitor.goto(f"/cohorts/{cohort.pk}/surveys/")
    main = visitor.page.locator("main")
    form = main.locator("form:has(input[name='title'])").first
    visitor.submit(form.locator("button[type='submit']"))  # empty: the error state
    visitor.goto(f"/cohorts/{cohort.pk}/surveys/new/")
    visitor.page.locator("#id_title").fill("Feedback Workshop")
    visitor.page.locator("#id_kind").select_option("event")
    visitor.submit(main.locator("button[type='submit']"))
    survey = Survey.objects.get(title="Feedback Workshop")
    assert visitor.path == f"/surveys/{survey.pk}/"
    visitor.page.locator("#id_title").fill("Eindrücke")
    visitor.submit(main.locator("form[action$='/sections/'] button"))
    visitor.page.locator("#id_text").fill("Wie hilfreich war der Workshop?")
    visitor.page.locator("#id_type").select_option("likert5")
    visitor.submit(main.locator("form[action$='/questions/'] button"))
    visitor.page.locator("#id_text").fill("Was fehlte?")
    visitor.page.locator("#id_type").select_option("text")
    visitor.submit(main.locator("form[action$='/questions/'] button"))
    # The second question moves up, without a script.
    visitor.submit(main.locator("form[action*='/move/'] button").last)
    texts = list(
        Question.objects.filter(section__survey=survey)
        .order_by("order")
        .values_list("text", flat=True)
    )
    assert texts == ["Was fehlte?", "Wie hilfreich war der Workshop?"]
    question = Question.objects.get(text="Was fehlte?")
    visitor.goto(f"/surveys/{survey.pk}/questions/{question.pk}/")
    visitor.page.locator("#id_type").select_option("single")
    visitor.submit(main.locator("button[type='submit']"))  # no options: the error state
    assert visitor.path == f"/surveys/{survey.pk}/questions/{question.pk}/"
    visitor.goto(f"/surveys/{survey.pk}/preview/")
