"""Every key page keeps its query budget at 1 and at 50 rows (tests/queries.py)."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType

from cohorts.models import Cohort, RegistrationNote
from pioneer.models import Notification, Organisation
from tests.factories.blueprints import BlueprintFactory
from tests.factories.cohorts import (
    CohortFactory,
    InterestRegistrationFactory,
    ParticipationFactory,
    ProgrammeFactory,
    external_participation,
)
from tests.factories.core import (
    NotificationFactory,
    OrganisationFactory,
    UserFactory,
    office_user,
    participant_user,
    partner_user,
)
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def ministry():
    return OrganisationFactory(kind=Organisation.Kind.MINISTRY)


@pytest.fixture
def office(client, ministry):
    user = office_user(ministry)
    client.force_login(user)
    return user


@pytest.fixture
def cohort(ministry):
    return CohortFactory(programme=ProgrammeFactory(organisation=ministry))


def _times(factory):
    def make(count):
        for _ in range(count):
            factory()

    return make


def test_landing_and_interest_form_with_open_cohorts(client):
    def open_cohort():
        CohortFactory(state=Cohort.State.OPEN, interest_opens=None, interest_closes=None)

    assert_flat_queries(client, "/", _times(open_cohort))
    assert_flat_queries(client, "/interest/", _times(open_cohort))


def test_blueprint_library(client):
    assert_flat_queries(client, "/blueprints/", _times(BlueprintFactory))


def test_adopting_a_programme(client, office):
    """The adoption form lists the programme's blueprints; the library, its search and a
    blueprint page count the organisations that adopted (tests/blueprints has more)."""
    from blueprints import services as blueprint_services

    origin = OrganisationFactory(kind=Organisation.Kind.MINISTRY)
    programme = ProgrammeFactory(organisation=origin)
    BlueprintFactory(organisation=origin, programme=programme, slug="vorbild", title="Vorbild")
    assert_flat_queries(
        client,
        f"/blueprints/adopt/{programme.slug}/",
        _times(lambda: BlueprintFactory(organisation=origin, programme=programme)),
    )

    def adoption():
        adopter = office_user(OrganisationFactory())
        blueprint_services.programme_adopt(
            source=programme,
            organisation=adopter.roles.get().organisation,
            name="Übernommen",
            cohort_title="1. Durchgang",
            start_date=date(2031, 1, 1),
            by=adopter,
        )

    for url in ("/blueprints/", "/blueprints/?q=Vorbild", "/blueprints/vorbild/"):
        assert_flat_queries(client, url, _times(adoption))


def test_office_home_and_review_queue(client, office, cohort):
    make = _times(lambda: InterestRegistrationFactory(cohort=cohort))
    assert_flat_queries(client, "/home/", make)
    assert_flat_queries(client, "/registrations/", make)
    assert_flat_queries(client, f"/registrations/?cohort={cohort.pk}", make)


def test_programme_list_and_detail(client, office, ministry):
    programme = ProgrammeFactory(organisation=ministry)
    assert_flat_queries(
        client, "/programmes/", _times(lambda: ProgrammeFactory(organisation=ministry))
    )
    assert_flat_queries(
        client,
        f"/programmes/{programme.slug}/",
        _times(lambda: CohortFactory(programme=programme)),
    )


def test_cohort_page_and_its_tabs(client, office, cohort):
    def person():
        ParticipationFactory(cohort=cohort)
        external_participation(cohort)
        InterestRegistrationFactory(cohort=cohort)

    for url in (
        f"/cohorts/{cohort.pk}/",
        f"/cohorts/{cohort.pk}/participants/",
        f"/cohorts/{cohort.pk}/registrations/",
        f"/cohorts/{cohort.pk}/copy/",
    ):
        assert_flat_queries(client, url, _times(person))


def test_registration_with_notes(client, office, cohort):
    registration = InterestRegistrationFactory(cohort=cohort)

    def note():
        RegistrationNote.objects.create(registration=registration, author=office, text="Notiz")

    assert_flat_queries(client, f"/registrations/{registration.pk}/", _times(note))


def test_participant_detail_with_history(client, office, cohort):
    participation = ParticipationFactory(cohort=cohort)

    def change():
        participation.position = f"{participation.position}+"
        participation.save()

    assert_flat_queries(
        client, f"/cohorts/{cohort.pk}/participants/{participation.pk}/", _times(change)
    )


def test_partner_pages(client, cohort):
    company = OrganisationFactory(kind=Organisation.Kind.COMPANY)
    client.force_login(partner_user(company))

    def row():
        InterestRegistrationFactory(
            cohort=CohortFactory(state=Cohort.State.OPEN), organisation=company, state="accepted"
        )
        external_participation(cohort, organisation=company)

    for url in ("/home/", "/registrations/", "/partner/people/"):
        assert_flat_queries(client, url, _times(row))


def test_notifications_and_participant_home(client):
    user = participant_user()
    client.force_login(user)
    target_type = ContentType.objects.get_for_model(user)

    def notification():
        NotificationFactory(
            recipient=user,
            target_object=UserFactory(),
            content_type=target_type,
            state=Notification.State.SENT,
            subject="Betreff",
        )

    assert_flat_queries(client, "/notifications/", _times(notification))
    assert_flat_queries(client, "/home/", _times(notification))


def test_organisation_pages(client, office, ministry):
    from tests.factories.core import partner_of

    partner = partner_of(ministry, name="Partner GmbH")

    def linked_partner():
        partner_user(partner_of(ministry))

    assert_flat_queries(client, "/organisations/", _times(linked_partner))
    assert_flat_queries(
        client, f"/organisations/{partner.pk}/", _times(lambda: partner_user(partner))
    )


def test_evaluator_and_admin_homes(client, ministry):
    from tests.factories.core import evaluator_user

    evaluator = evaluator_user()
    evaluator.roles.update(organisation=ministry)  # an evaluator of the ministry's programmes
    programme = ProgrammeFactory(organisation=ministry)
    client.force_login(evaluator)
    assert_flat_queries(
        client,
        "/home/",
        _times(lambda: CohortFactory(programme=programme, state=Cohort.State.EVALUATION)),
    )
    assert client.get("/home/").content.decode().count(programme.name) >= 1
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert_flat_queries(client, "/home/", _times(OrganisationFactory))
    assert_flat_queries(client, "/admin/", _times(OrganisationFactory))


def test_job_pages(client, office, cohort):
    """A job's page, and the preview of a checked import with 1 and with 50 rows."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cohorts.services import imports
    from pioneer.models import Job

    text = "Name;E-Mail;Seite;Organisation;Position;Themen;Sprache\r\n"
    text += (
        f"Anna Albrecht;anna@example.org;Verwaltung;{cohort.programme.organisation.name};;;de\r\n"
    )
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    _report, job = imports.participations_import_check(cohort=cohort, upload=upload, by=office)
    template = job.payload["rows"][0]

    def more_rows(count):
        job.refresh_from_db()
        rows = job.payload["rows"]
        for _ in range(count):
            n = len(rows)
            rows.append({**template, "line": n + 2, "email": f"p{n}@example.org"})
        Job.objects.filter(pk=job.pk).update(payload=job.payload)

    url = f"/cohorts/{cohort.pk}/participants/import/{job.public_id}/"
    assert_flat_queries(client, url, more_rows)

    done = Job.objects.create(
        kind=imports.IMPORT_KIND,
        requested_by=office,
        target=cohort,
        state=Job.State.DONE,
        summary={"created": 1, "accounts": 1, "invitations": 1, "held": 0},
    )
    assert_flat_queries(
        client,
        f"/jobs/{done.public_id}/",
        _times(lambda: ParticipationFactory(cohort=cohort)),
    )


def test_the_offices_lists_sorted_filtered_and_printed(client, office, cohort):
    """Every sort, view and filter of the three lists, and their print views: the note
    counts are the page's own (one grouped query over its rows), the print view reads all
    rows in one query while it streams."""

    def row():
        registration = InterestRegistrationFactory(cohort=cohort)
        RegistrationNote.objects.create(registration=registration, author=office, text="Notiz")
        ParticipationFactory(cohort=cohort)
        external_participation(cohort)

    registrations = [
        "/registrations/?show=all&sort=-received",
        "/registrations/?sort=organisation&state=confirmed",
        "/registrations/?sort=offered&q=Firma&select=page",
        f"/cohorts/{cohort.pk}/registrations/?show=all&sort=-sought",
        f"/cohorts/{cohort.pk}/registrations/?sort=state&organisation_kind=company",
    ]
    participants = [
        f"/cohorts/{cohort.pk}/participants/?show=all&sort=-organisation",
        f"/cohorts/{cohort.pk}/participants/?sort=signed_in&side=external",
        f"/cohorts/{cohort.pk}/participants/?show=action&sort=state&state=bogus",
        f"/cohorts/{cohort.pk}/participants/print/?show=all&sort=name",
        f"/cohorts/{cohort.pk}/participants/print/?signed_in=no",
    ]
    for url in registrations + participants:
        assert_flat_queries(client, url, _times(row))


def test_the_print_view_of_a_registration_with_notes(client, office, cohort):
    registration = InterestRegistrationFactory(cohort=cohort)

    def note():
        RegistrationNote.objects.create(registration=registration, author=office, text="Notiz")

    assert_flat_queries(client, f"/registrations/{registration.pk}/print/", _times(note))


def test_the_survey_builders_pages(client, office, cohort):
    """The builder, its preview and its form pages, with 1 and with 50 questions."""
    from evaluation.models import Question
    from tests.factories.evaluation import survey_with_questions

    survey, questions = survey_with_questions(cohort=cohort, state="draft")
    section = survey.sections.get()

    def question():
        Question.objects.create(section=section, text="Noch?", type="single", choices=["A", "B"])

    for url in (
        f"/surveys/{survey.pk}/",
        f"/surveys/{survey.pk}/preview/",
        f"/surveys/{survey.pk}/edit/",
        f"/surveys/{survey.pk}/sections/{section.pk}/",
        f"/surveys/{survey.pk}/questions/{questions['text'].pk}/",
        f"/cohorts/{cohort.pk}/surveys/new/",
    ):
        assert_flat_queries(client, url, _times(question))
    assert_flat_queries(
        client,
        f"/cohorts/{cohort.pk}/surveys/copy-one/",
        _times(lambda: survey_with_questions(cohort=CohortFactory(programme=cohort.programme))),
    )


def test_a_participants_timeline_calendar_page_and_feed(client):
    """My tandem (the timeline), the calendar link's page and the feed itself, with 1 and
    with 50 of the person's events."""
    from django.test import Client

    from pioneer import calendar_feed
    from tests.factories.companion import EventFactory, register
    from tests.factories.tandems import tandem

    t = tandem()
    person = t.administration
    client.force_login(person.user)
    token = calendar_feed.feed_token_make(user=person.user, by=person.user)
    make = _times(lambda: register(EventFactory(cohort=t.cohort), person))
    assert_flat_queries(client, "/tandem/", make)
    assert_flat_queries(client, "/calendar/", make)
    assert_flat_queries(Client(), f"/calendar/{token}.ics", make)
