"""The survey builder: the office and the cohort's assigned evaluators build (others do
not), sections and questions change, move and go while nobody has answered, the structure
locks with a clear message once a draft or an answer exists, a survey is copied from an
earlier cohort or within its own, and an event's attendees are invited through the
cohorts app's signal (evaluation does not know events). Every page and action with the
shared access helper, flat queries on the builder."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from companion.models import EventRegistration
from evaluation import building, services
from evaluation.models import EvaluatorAssignment, Question, Section, Survey, SurveyInvitation
from pioneer.models import Notification
from tests.access import assert_access
from tests.factories.cohorts import CohortFactory, ParticipationFactory
from tests.factories.companion import EventFactory
from tests.factories.core import evaluator_user, office_user, participant_user
from tests.factories.evaluation import SurveyFactory, answer_directly, survey_with_questions
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cohort = CohortFactory()  # starts 2023-04-01
    survey, questions = survey_with_questions(cohort=cohort, state=Survey.State.DRAFT)
    evaluator = evaluator_user()
    EvaluatorAssignment.objects.create(cohort=cohort, user=evaluator)
    return {
        "cohort": cohort,
        "survey": survey,
        "section": survey.sections.get(),
        "questions": questions,
        "owner": office_user(org=cohort.programme.organisation),
        "stranger": office_user(),
        "evaluator": evaluator,
        "other_evaluator": evaluator_user(),
        "participant": participant_user(),
    }


def _order(section):
    return list(section.questions.order_by("order").values_list("type", flat=True))


# --- services ---------------------------------------------------------------------------


def test_an_assigned_evaluator_builds_and_another_evaluator_does_not(world):
    cohort = world["cohort"]
    survey = services.survey_create(
        cohort=cohort, kind="event", title="Feedback", by=world["evaluator"]
    )
    section = services.section_add(survey=survey, title="Teil", by=world["evaluator"])
    services.question_add(section=section, text="Gut?", type="nps", by=world["evaluator"])
    for outsider in (world["other_evaluator"], world["stranger"], world["participant"]):
        with pytest.raises(PermissionDenied):
            services.section_add(survey=survey, title="Nein", by=outsider)
        with pytest.raises(PermissionDenied):
            building.question_move(question=section.questions.get(), direction="up", by=outsider)
    assert survey.sections.count() == 1


def test_questions_move_up_and_down_within_their_section(world):
    section, questions, by = world["section"], world["questions"], world["evaluator"]
    before = _order(section)
    building.question_move(question=questions["single"], direction="up", by=by)
    assert _order(section) == [before[1], before[0], *before[2:]]
    building.question_move(question=questions["single"], direction="up", by=by)  # stays
    assert _order(section)[0] == "single"
    building.question_move(question=questions["nps"], direction="down", by=by)  # stays
    assert _order(section)[-1] == "nps"
    building.question_move(question=questions["single"], direction="down", by=by)
    assert _order(section) == before
    with pytest.raises(ValidationError):
        building.question_move(question=questions["single"], direction="sideways", by=by)


def test_sections_move_and_only_an_empty_one_is_deleted(world):
    survey, by = world["survey"], world["owner"]
    second = services.section_add(survey=survey, title="Zweiter Teil", by=by)
    building.section_move(section=second, direction="up", by=by)
    assert list(survey.sections.order_by("order").values_list("title", flat=True)) == [
        "Zweiter Teil",
        "Allgemein",
    ]
    with pytest.raises(ValidationError) as error:
        building.section_delete(section=world["section"], by=by)
    assert "Only an empty section" in error.value.messages[0]
    building.section_delete(section=second, by=by)
    assert list(survey.sections.values_list("title", "order")) == [("Allgemein", 1)]


def test_a_question_is_changed_moved_to_another_section_and_deleted(world):
    survey, by, questions = world["survey"], world["owner"], world["questions"]
    other = services.section_add(survey=survey, title="Mehr", by=by)
    building.question_update(
        question=questions["text"],
        by=by,
        section=other,
        text="  Was nehmen Sie mit?  ",
        type="multiple",
        required=False,
        choices=["Kontakte", "Methoden", ""],
    )
    changed = Question.objects.get(pk=questions["text"].pk)
    assert (changed.section, changed.text, changed.type, changed.order) == (
        other,
        "Was nehmen Sie mit?",
        "multiple",
        1,
    )
    assert changed.choices == ["Kontakte", "Methoden"]
    assert list(world["section"].questions.order_by("order").values_list("order", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]
    with pytest.raises(ValidationError) as error:
        building.question_update(
            question=changed,
            by=by,
            section=other,
            text="X",
            type="single",
            required=True,
            choices=["Nur eine"],
        )
    assert "choices" in error.value.message_dict
    assert Question.objects.get(pk=changed.pk).type == "multiple"  # nothing changed
    foreign = Section.objects.create(survey=SurveyFactory(cohort=survey.cohort), title="F")
    with pytest.raises(ValidationError):
        building.question_update(
            question=changed, by=by, section=foreign, text="X", type="text", required=True
        )
    building.question_delete(question=changed, by=by)
    assert not other.questions.exists()


@pytest.mark.parametrize("submitted", [False, True])
def test_the_structure_locks_once_anybody_has_answered_a_draft_included(world, submitted):
    survey, by, questions = world["survey"], world["owner"], world["questions"]
    survey.state = Survey.State.OPEN  # invited, nobody answered yet: still changeable
    survey.save()
    building.question_move(question=questions["single"], direction="up", by=by)
    response = answer_directly(survey, 1, {questions["likert5"]: {"number": 4}})
    response.submitted = submitted
    response.save()
    before = _order(world["section"])
    attempts = [
        lambda: building.question_move(question=questions["single"], direction="down", by=by),
        lambda: building.question_delete(question=questions["nps"], by=by),
        lambda: building.question_update(
            question=questions["likert5"],
            by=by,
            section=world["section"],
            text="Neu",
            type="text",
            required=True,
        ),
        lambda: services.question_add(section=world["section"], text="Neu", type="text", by=by),
        lambda: services.section_add(survey=survey, title="Neu", by=by),
        lambda: building.section_update(section=world["section"], title="Neu", by=by),
        lambda: building.survey_update(
            survey=survey,
            by=by,
            title=survey.title,
            intro="",
            opens=None,
            closes=None,
            kind=Survey.Kind.FINAL,
            audience=survey.audience,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as error:
            attempt()
        assert "already has answers" in error.value.messages[0]
    assert _order(world["section"]) == before
    assert Question.objects.get(pk=questions["likert5"].pk).type == "likert5"
    assert Survey.objects.get(pk=survey.pk).kind == survey.kind
    # Title, introduction and dates change no answer's meaning.
    building.survey_update(
        survey=survey,
        by=by,
        title="Neuer Titel",
        intro="Bitte",
        opens=None,
        closes=date(2030, 1, 1),
        kind=survey.kind,
        audience=survey.audience,
    )
    assert Survey.objects.get(pk=survey.pk).title == "Neuer Titel"


def test_a_closed_survey_cannot_change_its_questions(world):
    survey = world["survey"]
    survey.state = Survey.State.CLOSED
    survey.save()
    with pytest.raises(ValidationError) as error:
        services.section_add(survey=survey, title="Neu", by=world["owner"])
    assert "closed" in error.value.messages[0]


def test_a_single_survey_is_copied_from_an_earlier_cohort_by_an_evaluator(world):
    pilot = CohortFactory(
        programme=world["cohort"].programme,
        start_date=date(2022, 4, 1),
        end_date=date(2022, 9, 30),
    )
    EvaluatorAssignment.objects.create(cohort=pilot, user=world["evaluator"])
    source, _ = survey_with_questions(
        cohort=pilot, kind=Survey.Kind.FINAL, opens=date(2022, 9, 1), closes=date(2022, 9, 15)
    )
    copy = services.survey_copy(
        survey=source,
        cohort=world["cohort"],
        by=world["evaluator"],
        shift=world["cohort"].start_date - pilot.start_date,
    )
    assert copy.state == Survey.State.DRAFT and copy.kind == Survey.Kind.FINAL
    assert copy.opens == date(2023, 9, 1)
    assert Question.objects.filter(section__survey=copy).count() == 6
    # An evaluator not assigned to the pilot may not copy from it.
    with pytest.raises(PermissionDenied):
        services.survey_copy(survey=source, cohort=world["cohort"], by=world["other_evaluator"])


def test_an_events_attendees_are_invited_through_the_cohorts_signal(world):
    survey, cohort, owner = world["survey"], world["cohort"], world["owner"]
    past = timezone.now() - timedelta(days=2)
    event = EventFactory(cohort=cohort, starts_at=past, ends_at=past + timedelta(hours=3))
    later = EventFactory(cohort=cohort)  # not begun: offered to nobody
    came = ParticipationFactory(cohort=cohort)
    absent = ParticipationFactory(cohort=cohort)
    cancelled = ParticipationFactory(cohort=cohort)
    ParticipationFactory(cohort=cohort)  # not registered
    Reg = EventRegistration
    Reg.objects.create(event=event, participation=came, attendance=Reg.Attendance.ATTENDED)
    Reg.objects.create(event=event, participation=absent, attendance=Reg.Attendance.NO_SHOW)
    Reg.objects.create(event=event, participation=cancelled, state=Reg.State.CANCELLED)
    keys = [a.key for a in services.event_audiences(cohort)]
    assert keys == [f"event:{event.pk}"] and f"event:{later.pk}" not in keys
    with pytest.raises(ValidationError):
        services.survey_invite(survey=survey, by=owner, event=f"event:{later.pk}")
    assert not SurveyInvitation.objects.exists()
    assert services.survey_invite(survey=survey, by=owner, event=f"event:{event.pk}") == 1
    assert list(SurveyInvitation.objects.values_list("participation", flat=True)) == [came.pk]
    assert Notification.objects.filter(kind="mail.evaluation_invitation").count() == 1


# --- views: access ----------------------------------------------------------------------


BUILDER_PAGES = [
    "/surveys/{survey}/",
    "/surveys/{survey}/preview/",
    "/surveys/{survey}/edit/",
    "/surveys/{survey}/sections/{section}/",
    "/surveys/{survey}/questions/{question}/",
    "/cohorts/{cohort}/surveys/new/",
    "/cohorts/{cohort}/surveys/copy-one/",
]


def _url(world, url):
    return url.format(
        cohort=world["cohort"].pk,
        survey=world["survey"].pk,
        section=world["section"].pk,
        question=world["questions"]["text"].pk,
    )


@pytest.mark.parametrize("url", BUILDER_PAGES)
def test_builder_pages_for_the_office_and_the_assigned_evaluator(world, url):
    url = _url(world, url)
    for owner in (world["owner"], world["evaluator"]):
        assert_access(url, owner=owner, stranger=world["stranger"], wrong_role=world["participant"])
    assert_access(
        url, owner=world["evaluator"], stranger=world["other_evaluator"], check_anonymous=False
    )


BUILDER_ACTIONS = [
    ("/surveys/{survey}/sections/", {"title": "Teil 2"}),
    ("/surveys/{survey}/questions/", {"text": "Noch?", "type": "text", "section": "0"}),
    ("/surveys/{survey}/sections/{section}/move/", {"direction": "down"}),
    ("/surveys/{survey}/sections/{section}/delete/", {}),
    ("/surveys/{survey}/questions/{question}/move/", {"direction": "up"}),
    ("/surveys/{survey}/questions/{question}/delete/", {}),
    ("/surveys/{survey}/duplicate/", {}),
    ("/surveys/{survey}/edit/", {"title": ""}),
]


@pytest.mark.parametrize(("url", "data"), BUILDER_ACTIONS)
def test_builder_actions_for_the_office_and_the_assigned_evaluator(world, url, data):
    template = url
    status = 400 if url.endswith("/edit/") else 302
    for owner in (world["owner"], world["evaluator"]):
        # Each round acts on a question of its own (a deleted one would answer 404).
        world["questions"]["text"] = Question.objects.create(
            section=world["section"], text="Zum Löschen", type="text"
        )
        url = _url(world, template)
        assert_access(
            url,
            owner=owner,
            stranger=world["stranger"],
            wrong_role=world["participant"],
            method="post",
            data=data,
            owner_status=status,
        )
    world["questions"]["text"] = Question.objects.create(
        section=world["section"], text="Zum Löschen", type="text"
    )
    assert_access(
        _url(world, template),
        owner=world["evaluator"],
        stranger=world["other_evaluator"],
        method="post",
        data=data,
        owner_status=status,
        check_anonymous=False,
    )


def test_sending_stays_with_the_office(world):
    for url in ("invite", "remind", "close"):
        assert_access(
            f"/surveys/{world['survey'].pk}/{url}/",
            owner=world["owner"],
            wrong_role=world["evaluator"],
            method="post",
            data={},
            owner_status=302,
            check_anonymous=False,
        )


# --- views: behaviour -------------------------------------------------------------------


def _en(client):
    client.cookies["django_language"] = "en"


def test_an_evaluator_builds_a_survey_from_the_home_page(client, world):
    _en(client)
    client.force_login(world["evaluator"])
    home = client.get("/home/").content.decode()
    assert f"/cohorts/{world['cohort'].pk}/surveys/new/" in home
    bad = client.post(f"/cohorts/{world['cohort'].pk}/surveys/new/", {"kind": "x", "title": ""})
    assert bad.status_code == 400 and "pio-error-summary" in bad.content.decode()
    assert not Survey.objects.filter(kind="x").exists()
    response = client.post(
        f"/cohorts/{world['cohort'].pk}/surveys/new/",
        {"kind": "event", "title": "Workshop-Feedback", "audience": "all"},
    )
    survey = Survey.objects.get(title="Workshop-Feedback")
    assert response.headers["Location"] == f"/surveys/{survey.pk}/"
    page = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "Add a section" in page and "Send invitations" not in page
    assert "The programme office sends the invitations" in page


def test_moving_a_question_through_the_page(client, world):
    client.force_login(world["owner"])
    questions = world["questions"]
    client.post(
        f"/surveys/{world['survey'].pk}/questions/{questions['nps'].pk}/move/",
        {"direction": "up"},
    )
    assert _order(world["section"])[-2:] == ["nps", "number"]
    page = client.get(f"/surveys/{world['survey'].pk}/").content.decode()
    assert page.index("Frage nps") < page.index("Frage number")


def test_a_locked_survey_says_why_and_offers_a_copy(client, world):
    _en(client)
    answer_directly(world["survey"], 1, {world["questions"]["likert5"]: {"number": 3}})
    client.force_login(world["owner"])
    page = client.get(f"/surveys/{world['survey'].pk}/").content.decode()
    assert "The questions can no longer change." in page and "Make a copy" in page
    assert "Move up" not in page and "Add a question" not in page
    response = client.post(
        f"/surveys/{world['survey'].pk}/questions/{world['questions']['nps'].pk}/delete/",
        follow=True,
    )
    assert "already has answers" in response.content.decode()
    assert Question.objects.filter(pk=world["questions"]["nps"].pk).exists()
    copied = client.post(f"/surveys/{world['survey'].pk}/duplicate/")
    copy = Survey.objects.exclude(pk=world["survey"].pk).get()
    assert copied.headers["Location"] == f"/surveys/{copy.pk}/"
    assert copy.title.startswith("Copy of") and copy.state == Survey.State.DRAFT
    assert "Move up" in client.get(f"/surveys/{copy.pk}/").content.decode()


def test_a_question_is_edited_on_its_page_with_errors_shown(client, world):
    _en(client)
    client.force_login(world["evaluator"])
    q = world["questions"]["single"]
    url = f"/surveys/{world['survey'].pk}/questions/{q.pk}/"
    page = client.get(url).content.decode()
    assert 'value="Frage single"' in page and "Ja\nNein" in page
    bad = client.post(
        url,
        {"section": world["section"].pk, "text": "Welche?", "type": "single", "choices": "A"},
    )
    assert bad.status_code == 400 and "at least two different options" in bad.content.decode()
    assert Question.objects.get(pk=q.pk).text == "Frage single"
    client.post(
        url,
        {"section": world["section"].pk, "text": "Welche?", "type": "single", "choices": "A\nB"},
    )
    assert Question.objects.get(pk=q.pk).choices == ["A", "B"]


def test_the_copy_page_offers_the_readable_surveys_of_other_cohorts(client, world):
    _en(client)
    pilot = CohortFactory(
        programme=world["cohort"].programme,
        start_date=date(2022, 4, 1),
        end_date=date(2022, 9, 30),
    )
    source, _ = survey_with_questions(cohort=pilot, title="Pilot-Abschluss")
    elsewhere, _ = survey_with_questions(title="Fremd")
    client.force_login(world["owner"])
    url = f"/cohorts/{world['cohort'].pk}/surveys/copy-one/"
    page = client.get(url).content.decode()
    assert "Pilot-Abschluss" in page and "Fremd" not in page
    assert client.post(url, {"survey": elsewhere.pk}).status_code == 400
    response = client.post(url, {"survey": source.pk})
    copy = world["cohort"].surveys.get(title="Pilot-Abschluss")
    assert response.headers["Location"] == f"/surveys/{copy.pk}/"
    # The evaluator is not assigned to the pilot: it is not offered to them.
    client.force_login(world["evaluator"])
    page = client.get(url).content.decode()
    assert "Pilot-Abschluss" not in page and "have no surveys you may read" in page


def test_the_office_invites_an_events_attendees_from_the_builder(client, world):
    _en(client)
    past = timezone.now() - timedelta(days=1)
    event = EventFactory(
        cohort=world["cohort"],
        title="Design Thinking",
        starts_at=past,
        ends_at=past + timedelta(hours=2),
    )
    came = ParticipationFactory(cohort=world["cohort"])
    ParticipationFactory(cohort=world["cohort"])
    EventRegistration.objects.create(event=event, participation=came)
    client.force_login(world["owner"])
    page = client.get(f"/surveys/{world['survey'].pk}/").content.decode()
    assert "Attendees of Design Thinking" in page
    client.post(f"/surveys/{world['survey'].pk}/invite/", {"side": "", "event": "event:0"})
    assert not SurveyInvitation.objects.exists()
    client.post(
        f"/surveys/{world['survey'].pk}/invite/", {"side": "", "event": f"event:{event.pk}"}
    )
    assert list(SurveyInvitation.objects.values_list("participation", flat=True)) == [came.pk]


# --- flat queries -----------------------------------------------------------------------


def _more_questions(world):
    def make(count):
        for _ in range(count):
            Question.objects.create(
                section=world["section"], text="Noch eine?", type="single", choices=["Ja", "Nein"]
            )

    return make


@pytest.mark.parametrize("who", ["owner", "evaluator"])
def test_the_builder_queries_stay_flat_for_both(client, world, who):
    client.force_login(world[who])
    past = timezone.now() - timedelta(days=1)
    EventFactory(cohort=world["cohort"], starts_at=past, ends_at=past + timedelta(hours=2))
    assert_flat_queries(client, f"/surveys/{world['survey'].pk}/", _more_questions(world))


def test_the_copy_page_queries_stay_flat(client, world):
    client.force_login(world["owner"])

    def make(count):
        for _ in range(count):
            survey_with_questions(cohort=CohortFactory(programme=world["cohort"].programme))

    assert_flat_queries(client, f"/cohorts/{world['cohort'].pk}/surveys/copy-one/", make)


def test_the_question_page_queries_stay_flat(client, world):
    client.force_login(world["evaluator"])

    def make(count):
        for i in range(count):
            Section.objects.create(survey=world["survey"], title=f"Teil {i}", order=i + 2)

    assert_flat_queries(
        client,
        f"/surveys/{world['survey'].pk}/questions/{world['questions']['text'].pk}/",
        make,
    )
