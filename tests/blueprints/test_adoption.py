"""Adopt this programme: another organisation's programme office starts its own programme
and first cohort from a programme and its blueprints. What is copied (lengths, the event
plan with its dates relative to the start, the survey set, the agreement text through
`programme_adopted`), what is not (people, partners, places, evaluators), and that the
source stays as it was."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from blueprints import selectors, services
from blueprints.models import Adoption
from cohorts import hooks
from cohorts.models import Cohort, Participation, Programme
from companion.models import Event
from evaluation.models import EvaluatorAssignment, Question, Survey
from pioneer.access import SYSTEM
from pioneer.models import Organisation
from tests.factories.blueprints import BlueprintFactory
from tests.factories.cohorts import CohortFactory, ParticipationFactory, ProgrammeFactory
from tests.factories.companion import EventFactory
from tests.factories.core import (
    OrganisationFactory,
    evaluator_user,
    office_user,
    participant_user,
    partner_user,
)
from tests.factories.evaluation import survey_with_questions
from tests.hooks import connected

pytestmark = pytest.mark.django_db

START = date(2024, 3, 1)
NEW_START = date(2030, 9, 1)
SHIFT = NEW_START - START


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour))


@pytest.fixture
def world():
    mluk = OrganisationFactory(name="Ministerium für Landwirtschaft", kind="ministry")
    mik = OrganisationFactory(name="Ministerium des Innern", kind="ministry")
    agency = OrganisationFactory(name="DigitalAgentur", kind="company")
    source = ProgrammeFactory(
        organisation=mluk,
        name="pioneer4BB",
        slug="pioneer4bb",
        default_cohort_months=6,
        default_phase_months=3,
    )
    cohort = CohortFactory(
        programme=source,
        title="2. Durchgang",
        state=Cohort.State.RUNNING,
        start_date=START,
        end_date=date(2024, 8, 31),
        interest_opens=START - timedelta(days=80),
        interest_closes=START - timedelta(days=32),
        planned_tandems=10,
    )
    # A later cohort not yet begun, and a draft: the plan tried out is the running one's.
    CohortFactory(
        programme=source,
        title="3. Durchgang",
        state=Cohort.State.OPEN,
        start_date=date(2099, 1, 1),
        end_date=date(2099, 6, 30),
        interest_opens=None,
        interest_closes=None,
    )
    CohortFactory(programme=source, title="Entwurf", state=Cohort.State.DRAFT, start_date=None)
    workshop = EventFactory(
        cohort=cohort,
        kind=Event.Kind.WORKSHOP,
        title="Design Thinking Workshop",
        starts_at=_at(START + timedelta(days=20), 9),
        ends_at=_at(START + timedelta(days=20), 16),
        host_organisation=agency,
        online_link="https://meet.example/mluk",
    )
    own_host = EventFactory(
        cohort=cohort,
        kind=Event.Kind.KICK_OFF,
        title="Auftakt",
        starts_at=_at(START, 10),
        ends_at=_at(START, 13),
        host_organisation=mluk,
    )
    survey, _questions = survey_with_questions(
        cohort,
        title="Eingangsbefragung",
        opens=START,
        closes=START + timedelta(days=14),
    )
    evaluator = evaluator_user()
    EvaluatorAssignment.objects.create(cohort=cohort, user=evaluator)
    ParticipationFactory(cohort=cohort)
    blueprints = [
        BlueprintFactory(organisation=mluk, programme=source, title="Workshop"),
        BlueprintFactory(
            organisation=mluk, programme=source, title="Intern", visibility="signed_in"
        ),
    ]
    draft = BlueprintFactory(organisation=mluk, programme=source, title="Entwurf", draft=True)
    return {
        "mluk": mluk,
        "mik": mik,
        "agency": agency,
        "source": source,
        "cohort": cohort,
        "workshop": workshop,
        "own_host": own_host,
        "survey": survey,
        "blueprints": blueprints,
        "draft": draft,
        "owner": office_user(mluk),
        "adopter": office_user(mik),
    }


def _adopt(world, by=None, **changes):
    values = {
        "source": world["source"],
        "organisation": world["mik"],
        "name": "Tandem MIK",
        "cohort_title": "1. Durchgang",
        "start_date": NEW_START,
        "by": by or world["adopter"],
        "description": "Unser Programm.",
        "format": Programme.Format.TANDEM,
        "default_cohort_months": 6,
        "default_phase_months": 3,
        "today": date(2025, 1, 1),
    }
    values.update(changes)
    return services.programme_adopt(**values)


def _snapshot(world):
    """Everything of the source that an adoption could touch, as plain values."""
    cohort = world["cohort"]
    return {
        "programme": Programme.objects.filter(pk=world["source"].pk).values().get(),
        "cohorts": list(Cohort.objects.filter(programme=world["source"]).values().order_by("pk")),
        "events": list(Event.objects.filter(cohort=cohort).values().order_by("pk")),
        "surveys": list(Survey.objects.filter(cohort=cohort).values().order_by("pk")),
        "questions": list(
            Question.objects.filter(section__survey__cohort=cohort).values().order_by("pk")
        ),
        "participations": Participation.objects.filter(cohort=cohort).count(),
        "evaluators": EvaluatorAssignment.objects.filter(cohort=cohort).count(),
    }


def test_adoption_copies_lengths_event_plan_and_survey_set(world):
    before = _snapshot(world)
    adoption = _adopt(world)

    programme, cohort = adoption.programme, adoption.cohort
    assert programme.organisation == world["mik"]
    assert (programme.default_cohort_months, programme.default_phase_months) == (6, 3)
    assert programme.format == Programme.Format.TANDEM
    assert cohort.programme == programme and cohort.state == Cohort.State.DRAFT
    assert cohort.start_date == NEW_START
    assert cohort.end_date == date(2031, 2, 28)  # six months, the day before
    # The interest window keeps its distance to the start.
    assert cohort.interest_opens == world["cohort"].interest_opens + SHIFT
    assert cohort.interest_closes == world["cohort"].interest_closes + SHIFT
    assert cohort.planned_tandems == 10
    assert cohort.created_from is None  # another organisation's cohort is no predecessor

    # The event plan: kinds, titles and dates relative to the start.
    events = {e.title: e for e in Event.objects.filter(cohort=cohort)}
    assert set(events) == {"Design Thinking Workshop", "Auftakt"}
    workshop = events["Design Thinking Workshop"]
    assert workshop.kind == Event.Kind.WORKSHOP
    # The same time of day on the same day after the start (summer time or not).
    assert timezone.localtime(workshop.starts_at).time().hour == 9
    assert timezone.localtime(workshop.starts_at).date() == NEW_START + timedelta(days=20)
    # The source organisation's own arrangements are not the adopter's: no partner as
    # host, no place, no link.
    assert workshop.host_organisation is None
    assert workshop.online_link == "" and workshop.venue == "" and workshop.address == ""
    assert events["Auftakt"].host_organisation is None
    assert not workshop.registrations.exists()

    # The survey set: as drafts, dates moved, questions copied, no evaluator assigned.
    surveys = list(Survey.objects.filter(cohort=cohort))
    assert [s.title for s in surveys] == ["Eingangsbefragung"]
    assert surveys[0].state == Survey.State.DRAFT
    assert surveys[0].opens == START + SHIFT
    assert (
        Question.objects.filter(section__survey=surveys[0]).count()
        == Question.objects.filter(section__survey=world["survey"]).count()
        == 6
    )
    assert not EvaluatorAssignment.objects.filter(cohort=cohort).exists()
    assert not Participation.objects.filter(cohort=cohort).exists()

    # The record: who adopted what from which blueprints (not the draft).
    assert adoption.source_programme == world["source"]
    assert adoption.source_cohort == world["cohort"]
    assert adoption.by == world["adopter"]
    assert set(adoption.blueprints.all()) == set(world["blueprints"])

    # The source is as it was.
    assert _snapshot(world) == before


def test_the_adopter_may_change_what_was_copied(world):
    adoption = _adopt(world, default_cohort_months=9, default_phase_months=4, format="journey")
    assert adoption.programme.default_cohort_months == 9
    assert adoption.programme.default_phase_months == 4
    assert adoption.programme.format == "journey"
    assert adoption.cohort.end_date == date(2031, 5, 31)
    # Theirs to change: an event of the copy moves without the source's.
    copied = Event.objects.get(cohort=adoption.cohort, title="Auftakt")
    Event.objects.filter(pk=copied.pk).update(title="Kick-off MIK")
    world["own_host"].refresh_from_db()
    assert world["own_host"].title == "Auftakt"


def test_the_agreement_text_travels_through_programme_adopted(world):
    """The tandems app answers `programme_adopted` with the agreement text; a stand-in
    receiver here proves the service sends it once, inside its transaction, with the
    source, the new programme, its cohort and the person."""
    seen = []

    def copy_agreement(source, target, cohort, by):
        assert Adoption.objects.filter(programme=target).exists()  # inside the transaction
        seen.append((source, target, cohort, by))

    with connected(hooks.programme_adopted, copy_agreement):
        adoption = _adopt(world)
    assert seen == [(world["source"], adoption.programme, adoption.cohort, world["adopter"])]


def test_cohort_copied_is_sent_with_the_shift_and_marked_as_adoption(world):
    seen = []

    def receiver(source, target, shift, by, adopted=False):
        seen.append((source, shift, adopted))

    with connected(hooks.cohort_copied, receiver):
        _adopt(world)
    assert seen == [(world["cohort"], SHIFT, True)]


def test_a_failing_receiver_leaves_nothing_behind(world):
    def broken(**kwargs):
        raise RuntimeError("agreement text could not be copied")

    with connected(hooks.programme_adopted, broken), pytest.raises(RuntimeError):
        _adopt(world)
    assert not Programme.objects.filter(organisation=world["mik"]).exists()
    assert not Adoption.objects.exists()
    assert Event.objects.count() == 2 and Survey.objects.count() == 1


def test_a_programme_without_a_begun_cohort_takes_the_latest_planned_one(world):
    Cohort.objects.filter(pk=world["cohort"].pk).update(state=Cohort.State.DRAFT)
    adoption = _adopt(world)
    assert adoption.source_cohort.title == "3. Durchgang"
    assert not Event.objects.filter(cohort=adoption.cohort).exists()


def test_a_programme_without_cohorts_is_adopted_with_its_settings_only(world):
    source = ProgrammeFactory(organisation=world["mluk"], default_cohort_months=4)
    BlueprintFactory(organisation=world["mluk"], programme=source)
    adoption = _adopt(world, source=source, default_cohort_months=4)
    assert adoption.source_cohort is None
    assert adoption.cohort.start_date == NEW_START
    assert adoption.cohort.end_date == date(2030, 12, 31)
    assert adoption.cohort.interest_opens is None


# ---------------------------------------------------------------------------- who may


@pytest.mark.parametrize("who", ["participant", "partner", "evaluator"])
def test_other_roles_may_not_adopt(world, who):
    user = {"participant": participant_user, "partner": partner_user, "evaluator": evaluator_user}[
        who
    ]()
    with pytest.raises(PermissionDenied):
        _adopt(world, by=user)
    assert not Adoption.objects.exists()


def test_an_office_adopts_only_into_its_own_organisation(world):
    other = OrganisationFactory(kind="ministry")
    with pytest.raises(PermissionDenied):
        _adopt(world, organisation=other)
    assert not Programme.objects.filter(organisation=other).exists()


def test_the_own_organisations_programme_is_not_adopted(world):
    for by in (world["owner"], SYSTEM):
        with pytest.raises(ValidationError):
            _adopt(world, by=by, organisation=world["mluk"])
    assert list(Programme.objects.all()) == [world["source"]]


def test_a_programme_with_only_drafts_cannot_be_adopted(world):
    source = ProgrammeFactory(organisation=world["mluk"])
    BlueprintFactory(organisation=world["mluk"], programme=source, draft=True)
    with pytest.raises(PermissionDenied):
        _adopt(world, source=source)
    assert source not in selectors.adoptable_programmes(world["adopter"])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"cohort_title": "   "}, "cohort_title"),
        ({"start_date": date(1850, 1, 1)}, "start_date"),
        ({"default_phase_months": 9}, "default_phase_months"),
        ({"default_cohort_months": 0}, "default_cohort_months"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(world, changes, field):
    with pytest.raises(ValidationError) as refused:
        _adopt(world, **changes)
    assert field in refused.value.message_dict
    assert not Programme.objects.filter(organisation=world["mik"]).exists()
    assert not Adoption.objects.exists()


def test_the_library_counts_adoptions_per_blueprint_and_names_the_organisations(world):
    _adopt(world)
    _adopt(world, name="Zweites Programm")  # the same organisation counts once
    third = OrganisationFactory(name="Landesamt", kind="authority", parent=world["mik"])
    _adopt(world, by=office_user(third), organisation=third, name="Drittes")
    workshop = world["blueprints"][0]
    assert selectors.adoption_counts([workshop.pk, world["draft"].pk]) == {workshop.pk: 2}
    names = [o.name for o in selectors.adopting_organisations(workshop)]
    assert names == ["Landesamt", "Ministerium des Innern"]
    assert Organisation.objects.count() == 4
