"""Safe actions: a change of status shows what will happen and what looks wrong before it
happens (closing and ending early above all), a reversible change can be taken back for
a few minutes, held invitations are sent after a page that counts and previews them, and
every message counts only the e-mails actually queued."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts import services
from cohorts.models import Cohort, CohortTransition, InterestRegistration, Participation
from pioneer import bulk
from pioneer.models import Notification, Role
from pioneer.services import notification_schedule
from tests.access import assert_access
from tests.factories.cohorts import (
    CohortFactory,
    InterestRegistrationFactory,
    ParticipationFactory,
    ProgrammeFactory,
)
from tests.factories.core import (
    OrganisationFactory,
    UserFactory,
    office_user,
    participant_user,
    partner_user,
)
from tests.queries import BUDGET

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ministry = OrganisationFactory(name="Ministerium für Landwirtschaft")
    programme = ProgrammeFactory(organisation=ministry, slug="pioneer4bb", is_public=True)
    today = timezone.localdate()
    running = CohortFactory(
        programme=programme,
        state=Cohort.State.RUNNING,
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=150),
        interest_opens=today - timedelta(days=120),
        interest_closes=today - timedelta(days=60),
    )
    open_ = CohortFactory(
        programme=programme,
        state=Cohort.State.OPEN,
        interest_opens=today - timedelta(days=5),
        interest_closes=today + timedelta(days=20),
        start_date=today + timedelta(days=60),
        end_date=today + timedelta(days=240),
    )
    return {
        "ministry": ministry,
        "running": running,
        "open": open_,
        "owner": office_user(org=ministry, language="en"),
        "colleague": office_user(org=ministry),
        "stranger": office_user(org=OrganisationFactory(name="Ministerium des Innern")),
        "foreign_partner": partner_user(org=OrganisationFactory(name="Fremd GmbH")),
        "participant": participant_user(),
    }


def _english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _stage(cohort):
    return reverse("cohorts:cohort_transition", args=[cohort.pk])


def _undo(cohort):
    return reverse("cohorts:cohort_transition_undo", args=[cohort.pk])


# ------------------------------------------------------------- the check before a move


def test_closing_an_open_cohort_early_shows_every_warning_and_changes_nothing(client, world):
    cohort = world["open"]
    InterestRegistrationFactory(cohort=cohort)
    InterestRegistrationFactory(cohort=cohort)
    InterestRegistrationFactory(cohort=cohort, state=InterestRegistration.State.UNCONFIRMED)
    _english(client, world["owner"])
    response = client.post(_stage(cohort), {"to_state": "closed", "note": "Zu wenig Interesse"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Check before you close the cohort" in body
    for warning in (
        "The cohort ends early, before its evaluation.",
        "The interest window is still open until",
        "Nobody takes part in this cohort.",
        "2 registrations of interest are still waiting for your decision.",
        "1 registration of interest is not yet confirmed by its contact.",
        "planned end",
    ):
        assert warning in body, warning
    for consequence in (
        "Closing is final",
        "The interest form no longer offers this cohort",
        "No e-mail will be sent",
        "This change cannot be undone.",
        "Zu wenig Interesse",
    ):
        assert consequence in body, consequence
    assert 'name="confirmed" value="1"' in body
    cohort.refresh_from_db()
    assert cohort.state == "open" and not CohortTransition.objects.exists()


def test_closing_after_confirmation_closes_and_offers_no_undo(client, world):
    cohort = world["running"]
    ParticipationFactory(cohort=cohort, invitation_held=True)
    _english(client, world["owner"])
    check = client.post(_stage(cohort), {"to_state": "closed", "note": "Budget"})
    body = check.content.decode()
    assert "1 invitation is held and will not be sent once the cohort is closed." in body
    response = client.post(
        _stage(cohort), {"to_state": "closed", "note": "Budget", "confirmed": "1"}, follow=True
    )
    body = response.content.decode()
    cohort.refresh_from_db()
    assert (cohort.state, cohort.closed_reason) == ("closed", "Budget")
    assert "You can undo" not in body and "Undo the change of status" not in body
    assert mail.outbox == []


def test_a_move_the_guards_refuse_is_shown_on_the_overview_without_a_check_page(client, world):
    _english(client, world["owner"])
    response = client.post(_stage(world["running"]), {"to_state": "closed", "note": ""})
    assert response.status_code == 400
    assert "needs a reason" in response.content.decode()
    assert world["running"].state == Cohort.State.RUNNING


def test_opening_says_when_the_public_form_offers_the_cohort(client, world):
    today = timezone.localdate()
    draft = CohortFactory(
        programme=world["open"].programme,
        state=Cohort.State.DRAFT,
        interest_opens=today,
        interest_closes=today + timedelta(days=10),
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=200),
    )
    _english(client, world["owner"])
    body = client.post(_stage(draft), {"to_state": "open"}).content.decode()
    assert "The public interest form offers this cohort at once, until" in body
    assert "You can undo this change on the overview for 10 minutes." in body


def test_check_page_keeps_its_query_budget_flat(client, world):
    cohort = world["running"]
    _english(client, world["owner"])
    data = {"to_state": "closed", "note": "Ende"}

    def count():
        client.post(_stage(cohort), data)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(_stage(cohort), data)
        assert response.status_code == 200
        return len(queries)

    def add(n):
        for _ in range(n):
            ParticipationFactory(cohort=cohort, invitation_held=True)
            InterestRegistrationFactory(cohort=cohort)

    add(1)
    at_one = count()
    add(49)
    assert count() == at_one <= BUDGET


# ------------------------------------------------------------------------------ undo


def _move(client, cohort, to_state):
    return client.post(
        _stage(cohort), {"to_state": to_state, "note": "", "confirmed": "1"}, follow=True
    )


def test_a_reversible_move_can_be_undone_by_its_author_within_minutes(client, world):
    cohort = world["open"]
    _english(client, world["owner"])
    page = _move(client, cohort, "matching").content.decode()
    assert "You can undo this change on the overview for 10 minutes." in page
    assert "Undo the change of status" in page
    move = CohortTransition.objects.get(cohort=cohort)
    response = client.post(_undo(cohort), {"transition": move.pk}, follow=True)
    body = response.content.decode()
    assert "The change has been undone: the status is “Open for interest” again." in body
    cohort.refresh_from_db()
    assert cohort.state == "open"
    back = CohortTransition.objects.filter(cohort=cohort).first()
    assert (back.from_state, back.to_state, back.undoes) == ("matching", "open", move)
    # An undo is not undone, and a second click changes nothing more.
    assert "Undo the change of status" not in body
    client.post(_undo(cohort), {"transition": move.pk})
    assert CohortTransition.objects.filter(cohort=cohort).count() == 2
    cohort.refresh_from_db()
    assert cohort.state == "open"


def test_undo_is_refused_to_a_colleague_after_the_window_and_for_a_final_move(client, world):
    cohort = world["open"]
    move = services.cohort_transition(cohort=cohort, to_state="matching", by=world["owner"])
    latest = CohortTransition.objects.get(cohort=cohort)
    assert "Only the person" in services.cohort_transition_undo_refusal(
        move, latest, by=world["colleague"]
    )
    later = timezone.now() + services.UNDO_WINDOW + timedelta(seconds=1)
    assert "within 10 minutes" in services.cohort_transition_undo_refusal(
        move, latest, by=world["owner"], now=later
    )
    _english(client, world["colleague"])
    response = client.post(_undo(cohort), {"transition": latest.pk}, follow=True)
    assert "Only the person who changed the status can undo it." in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.state == "matching"
    # Starting a cohort (matching to running) has no way back in the lifecycle.
    services.cohort_transition(cohort=cohort, to_state="running", by=world["owner"])
    started = CohortTransition.objects.filter(cohort=cohort).first()
    assert "no way back" in services.cohort_transition_undo_refusal(
        cohort, started, by=world["owner"]
    )


def test_undo_of_an_older_move_is_refused(client, world):
    cohort = world["open"]
    services.cohort_transition(cohort=cohort, to_state="matching", by=world["owner"])
    first = CohortTransition.objects.get(cohort=cohort)
    services.cohort_transition(cohort=cohort, to_state="open", by=world["owner"])
    _english(client, world["owner"])
    response = client.post(_undo(cohort), {"transition": first.pk}, follow=True)
    assert "changed since" in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.state == "open"


def test_undo_with_a_bad_or_foreign_transition_changes_nothing(client, world):
    other = world["running"]
    services.cohort_transition(cohort=world["open"], to_state="matching", by=world["owner"])
    move = CohortTransition.objects.get()
    _english(client, world["owner"])
    for data in ({"transition": "x"}, {}, {"transition": move.pk + 999}):
        response = client.post(_undo(world["open"]), data, follow=True)
        assert "There is no change of status to undo." in response.content.decode()
    # Another cohort's address with this move: not its move.
    client.post(_undo(other), {"transition": move.pk})
    world["open"].refresh_from_db()
    assert world["open"].state == "matching"


def test_access_to_the_check_page_and_the_undo(world):
    cohort = world["open"]
    services.cohort_transition(cohort=cohort, to_state="matching", by=world["owner"])
    move = CohortTransition.objects.get()
    common = {
        "owner": world["owner"],
        "stranger": world["stranger"],
        "foreign_partner": world["foreign_partner"],
        "wrong_role": world["participant"],
        "method": "post",
        "foreign_partner_status": 403,
    }
    assert_access(_stage(cohort), data={"to_state": "open"}, owner_status=200, **common)
    assert_access(_undo(cohort), data={"transition": move.pk}, owner_status=302, **common)
    cohort.refresh_from_db()
    assert cohort.state == "open"


# ------------------------------------------------------------- held invitations, counts


def test_held_invitations_page_access_and_budget(client, world):
    cohort = world["running"]
    url = reverse("cohorts:participation_send_invitations", args=[cohort.pk])
    ParticipationFactory(cohort=cohort, invitation_held=True, user=UserFactory(language="en"))
    assert_access(
        url,
        owner=world["owner"],
        stranger=world["stranger"],
        foreign_partner=world["foreign_partner"],
        wrong_role=world["participant"],
        foreign_partner_status=403,
    )
    _english(client, world["owner"])

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    at_one, body = count()
    assert "1 e-mail will be sent." in body
    for n in range(49):
        ParticipationFactory(
            cohort=cohort,
            invitation_held=True,
            user=UserFactory(language="de" if n % 2 else "en"),
        )
    at_fifty, body = count()
    assert "50 e-mails will be sent." in body
    assert "The e-mail in German" in body and "The e-mail in English" in body
    assert at_fifty == at_one <= BUDGET


def test_held_invitations_of_a_closed_cohort_are_refused(client, world):
    cohort = world["running"]
    ParticipationFactory(cohort=cohort, invitation_held=True)
    services.cohort_transition(cohort=cohort, to_state="closed", by=world["owner"], note="Ende")
    _english(client, world["owner"])
    url = reverse("cohorts:participation_send_invitations", args=[cohort.pk])
    assert "The cohort is closed" in client.get(url).content.decode()
    response = client.post(url, {"confirmed": "1"}, follow=True)
    assert "no longer sent" in response.content.decode()
    assert Participation.objects.filter(invitation_held=True).count() == 1
    assert not Notification.objects.exists()


def test_someone_invited_today_already_is_not_counted_nor_sent_twice(world):
    cohort = world["running"]
    first = ParticipationFactory(cohort=cohort, invitation_held=True)
    ParticipationFactory(cohort=cohort, invitation_held=True)
    for participation in Participation.objects.filter(cohort=cohort):
        Role.objects.get_or_create(user=participation.user, kind=Role.Kind.PARTICIPANT)
    first.user.set_unusable_password()
    first.user.save()
    notification_schedule(
        kind="account.invitation",
        target=first.user,
        recipient=first.user,
        # Due today in the local time zone whatever the hour (an hour later crossed
        # midnight in Berlin when the suite ran between 22:00 and 23:00 UTC).
        due_at=timezone.now(),
    )
    from cohorts.services import imports

    count = imports.participations_send_held_invitations(cohort=cohort, by=world["owner"])
    assert count == 1
    assert Notification.objects.count() == 2  # the earlier one and one new


def test_bulk_scheduling_counts_only_new_rows(world):
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    invitee = bulk.Invitee(user=user, role=None, created=False, role_created=False)
    assert bulk.invitations_schedule_in_bulk(invitees=[invitee]) == 1
    assert bulk.invitations_schedule_in_bulk(invitees=[invitee]) == 0
    assert Notification.objects.count() == 1


# ------------------------------------------------------------------- the import preview


def test_the_import_preview_shows_the_invitation_in_the_persons_language(client, world):
    from tests.cohorts.test_import import _csv, _preview_url, _url

    cohort = world["running"]
    _english(client, world["owner"])
    rows = [
        ["Name", "E-Mail", "Seite", "Organisation", "Sprache"],
        ["Gerda Groß", "gerda@mlul.example", "Verwaltung", world["ministry"].name, "de"],
    ]
    client.post(_url(cohort), {"file": _csv(rows)})
    from pioneer.models import Job

    job = Job.objects.get()
    body = client.get(_preview_url(cohort, job)).content.decode()
    assert "Unless you hold it, 1 e-mail will be sent when the import is done." in body
    assert "Sie sind zu Pioneer eingeladen" in body and 'lang="de"' in body
    assert "(Link nur per E-Mail)" in body and "/password/" not in body
    assert not Notification.objects.exists()  # a preview sends nothing


def test_adding_someone_who_takes_part_already_says_no_e_mail_was_sent(client, world):
    cohort = world["open"]
    known = UserFactory(email="kim@mlul.example", name="Kim Kurz")
    known.set_password("x-secret-1")
    known.save()
    ParticipationFactory(cohort=world["running"], user=known)
    Role.objects.get_or_create(user=known, kind=Role.Kind.PARTICIPANT)
    _english(client, world["owner"])
    response = client.post(
        reverse("cohorts:participation_add", args=[cohort.pk]),
        {
            "name": "Kim Kurz",
            "email": "kim@mlul.example",
            "language": "en",
            "organisation": world["ministry"].pk,
            "side": "administration",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "has been added. No e-mail was sent" in body, body[:3000]
    assert not Notification.objects.exists()


def test_inviting_the_same_person_twice_a_day_says_the_second_sent_nothing(client, world):
    _english(client, world["owner"])
    data = {
        "name": "Nele Neu",
        "email": "nele@mlul.example",
        "language": "de",
        "kind": Role.Kind.PROGRAMME_OFFICE,
        "organisation": world["ministry"].pk,
    }
    first = client.post(reverse("invite"), data, follow=True).content.decode()
    assert "nele@mlul.example has been invited." in first
    second = client.post(reverse("invite"), data, follow=True).content.decode()
    assert "no e-mail was sent" in second
    assert Notification.objects.filter(kind="account.invitation").count() == 1


def test_sending_a_held_invitation_from_the_persons_page_clears_the_hold(client, world):
    cohort = world["running"]
    held = ParticipationFactory(cohort=cohort, invitation_held=True)
    held.user.set_unusable_password()
    held.user.save()
    _english(client, world["owner"])
    page = client.get(reverse("cohorts:participation_detail", args=[cohort.pk, held.pk]))
    assert "is held: the import did not send it" in page.content.decode()
    client.post(reverse("cohorts:participation_invite_again", args=[cohort.pk, held.pk]))
    held.refresh_from_db()
    assert not held.invitation_held
    assert Notification.objects.filter(recipient=held.user, kind="account.invitation").count() == 1


def test_a_move_whose_way_back_the_guards_would_refuse_is_announced_as_final(world):
    # Open with a window that closed yesterday: back from matching to open is refused,
    # so the check page must not promise an undo.
    today = timezone.localdate()
    cohort = CohortFactory(
        programme=world["open"].programme,
        state=Cohort.State.OPEN,
        interest_opens=today - timedelta(days=30),
        interest_closes=today - timedelta(days=1),
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=200),
    )
    assert services.cohort_transition_consequences(cohort, "matching")["final"]
    assert not services.cohort_transition_consequences(world["open"], "matching")["final"]
    assert services.cohort_transition_consequences(world["running"], "closed")["final"]
    assert not services.cohort_transition_consequences(world["running"], "evaluation")["final"]
