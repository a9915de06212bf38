"""The review of registrations of interest: one decision (accept or decline) with a
check page, the acceptance e-mail, the next registration to review, and sending the
confirmation link again."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts import services
from cohorts.models import Cohort, InterestRegistration
from pioneer.access import SYSTEM
from pioneer.models import Notification
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

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ministry = OrganisationFactory(name="Ministerium für Landwirtschaft")
    programme = ProgrammeFactory(organisation=ministry, slug="pioneer4bb")
    cohort = CohortFactory(programme=programme, state=Cohort.State.OPEN, interest_closes=None)
    return {
        "cohort": cohort,
        "registration": InterestRegistrationFactory(cohort=cohort),
        "owner": office_user(org=ministry),
        "stranger": office_user(org=OrganisationFactory(name="Ministerium des Innern")),
        "participant": participant_user(),
    }


def _unconfirmed(cohort, **fields):
    token = "t-" + str(InterestRegistration.objects.count())
    registration = InterestRegistrationFactory(
        cohort=cohort,
        state=InterestRegistration.State.UNCONFIRMED,
        confirm_token_hash=services.registrations._hash(token),
        confirm_expires_at=timezone.now() - timedelta(hours=1) + services.CONFIRM_LINK_VALID,
        **fields,
    )
    return registration, token


# ------------------------------------------------------------------------- services


def test_decide_accept_sends_the_acceptance_in_the_registrations_language(
    world, django_capture_on_commit_callbacks
):
    registration = InterestRegistrationFactory(cohort=world["cohort"], language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_decide(
            registration=registration, by=world["owner"], decision="accept", create=True
        )
    registration.refresh_from_db()
    assert registration.state == "accepted"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith("Your registration of interest was accepted")
    assert Notification.objects.filter(kind="mail.interest_accepted").count() == 1


def test_decide_decline_without_reason_is_refused_and_changes_nothing(world):
    registration = world["registration"]
    with pytest.raises(ValidationError) as refused:
        services.registration_decide(
            registration=registration, by=world["owner"], decision="decline", reason="  "
        )
    assert "reason" in refused.value.error_dict
    registration.refresh_from_db()
    assert (registration.state, registration.decline_reason) == ("confirmed", "")
    assert not Notification.objects.exists()


def test_decide_decline_with_reason(world, django_capture_on_commit_callbacks):
    registration = world["registration"]
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_decide(
            registration=registration, by=world["owner"], decision="decline", reason="Voll"
        )
    registration.refresh_from_db()
    assert (registration.state, registration.decline_reason) == ("declined", "Voll")
    assert len(mail.outbox) == 1 and "Voll" in mail.outbox[0].body


def test_decide_refuses_an_unknown_decision(world):
    with pytest.raises(ValidationError):
        services.registration_decide(
            registration=world["registration"], by=world["owner"], decision="maybe"
        )
    assert InterestRegistration.objects.get(pk=world["registration"].pk).state == "confirmed"


def test_preview_renders_without_saving_or_sending(world):
    registration = InterestRegistrationFactory(cohort=world["cohort"], language="en")
    subject, text = services.registration_decision_preview(
        registration=registration, decision="decline", reason="No places left"
    )
    assert subject.endswith("Your registration of interest")
    assert "No places left" in text
    registration.refresh_from_db()
    assert registration.decline_reason == ""
    assert not Notification.objects.exists()


def test_resend_link_makes_the_old_token_invalid_and_schedules_one_email(
    world, django_capture_on_commit_callbacks
):
    registration, old_token = _unconfirmed(world["cohort"])
    before = registration.confirm_expires_at
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_resend_link(registration=registration, by=world["owner"])
    registration.refresh_from_db()
    assert services.registration_by_token(old_token) is None
    assert registration.confirm_expires_at > before
    assert Notification.objects.filter(kind="mail.interest_confirm").count() == 1
    assert len(mail.outbox) == 1
    links = [line for line in mail.outbox[0].body.splitlines() if "/interest/confirm/" in line]
    token = links[0].strip().rstrip("/").rsplit("/", 1)[-1]
    assert services.registration_by_token(token) == registration


def test_resend_link_only_once_per_interval(world):
    registration, _token = _unconfirmed(world["cohort"])
    services.registration_resend_link(registration=registration, by=world["owner"])
    registration.refresh_from_db()
    hash_after_first = registration.confirm_token_hash
    with pytest.raises(services.ResendTooSoon):
        services.registration_resend_link(registration=registration, by=world["owner"])
    registration.refresh_from_db()
    assert registration.confirm_token_hash == hash_after_first
    assert Notification.objects.filter(kind="mail.interest_confirm").count() == 1
    # After the interval it may be sent again.
    later = timezone.now() + services.RESEND_INTERVAL + timedelta(seconds=1)
    services.registration_resend_link(registration=registration, by=world["owner"], now=later)
    registration.refresh_from_db()
    assert registration.confirm_token_hash != hash_after_first


def test_resend_link_refused_for_a_confirmed_registration(world):
    with pytest.raises(ValidationError):
        services.registration_resend_link(registration=world["registration"], by=SYSTEM)
    assert not Notification.objects.exists()


def test_resend_link_refused_for_another_ministrys_office(world):
    registration, _token = _unconfirmed(world["cohort"])
    with pytest.raises(ValidationError):
        services.registration_resend_link(registration=registration, by=world["stranger"])
    assert not Notification.objects.exists()


# ---------------------------------------------------------------------------- views


def test_decide_access(world):
    registration = world["registration"]
    assert_access(
        f"/registrations/{registration.pk}/decide/",
        method="post",
        data={"decision": "decline", "reason": "Voll"},
        owner=world["owner"],
        stranger=world["stranger"],
        foreign_partner=partner_user(),
        foreign_partner_status=403,
        wrong_role=world["participant"],
    )
    # The owner saw the check page; nothing was decided yet.
    assert InterestRegistration.objects.get(pk=registration.pk).state == "confirmed"


def test_resend_link_access(world):
    registration, _token = _unconfirmed(world["cohort"])
    assert_access(
        f"/registrations/{registration.pk}/resend-link/",
        method="post",
        owner=world["owner"],
        owner_status=302,
        stranger=world["stranger"],
        foreign_partner=partner_user(),
        foreign_partner_status=403,
        wrong_role=world["participant"],
    )
    assert Notification.objects.filter(kind="mail.interest_confirm").count() == 1


def test_check_page_previews_the_email_in_the_recipients_language(client, world):
    registration = InterestRegistrationFactory(cohort=world["cohort"], language="en")
    client.force_login(world["owner"])
    response = client.post(
        f"/registrations/{registration.pk}/decide/", {"decision": "accept", "choice": "new"}
    )
    assert response.status_code == 200
    assert "cohorts/registration_decide_check.html" in [t.name for t in response.templates]
    assert response.context["subject"].endswith("Your registration of interest was accepted")
    assert "Your registration of interest was accepted" in response.content.decode()
    assert registration.contact_email in response.content.decode()
    assert InterestRegistration.objects.get(pk=registration.pk).state == "confirmed"
    assert not Notification.objects.exists()


def test_confirmed_decision_decides_and_offers_the_next_registration(
    client, world, django_capture_on_commit_callbacks
):
    registration = world["registration"]
    following = InterestRegistrationFactory(cohort=world["cohort"])
    client.force_login(world["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/registrations/{registration.pk}/decide/",
            {"decision": "decline", "reason": "Voll", "confirmed": "1"},
            follow=True,
        )
    registration.refresh_from_db()
    assert registration.state == "declined"
    assert len(mail.outbox) == 1
    assert f"/registrations/{following.pk}/" in response.content.decode()


def test_decline_without_reason_through_the_form_changes_nothing(client, world):
    registration = world["registration"]
    client.force_login(world["owner"])
    response = client.post(
        f"/registrations/{registration.pk}/decide/",
        {"decision": "decline", "reason": "", "confirmed": "1"},
    )
    assert response.status_code == 400
    assert "reason" in response.context["decision_form"].errors
    assert InterestRegistration.objects.get(pk=registration.pk).state == "confirmed"
    assert not Notification.objects.exists()


def test_resend_too_soon_says_nothing_was_sent(client, world):
    registration, _token = _unconfirmed(world["cohort"])
    client.force_login(world["owner"])
    client.post(f"/registrations/{registration.pk}/resend-link/", follow=True)
    response = client.post(f"/registrations/{registration.pk}/resend-link/", follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert any("nichts" in t.lower() or "nothing" in t.lower() for t in texts)
    assert Notification.objects.filter(kind="mail.interest_confirm").count() == 1


# ------------------------------------------------------------- inviting again


@pytest.fixture
def invited(world):
    return ParticipationFactory(cohort=world["cohort"], user=UserFactory(password=False))


def test_invite_again_schedules_one_invitation_per_day(world, invited):
    services.participation_invite_again(participation=invited, by=world["owner"])
    assert Notification.objects.filter(kind="account.invitation").count() == 1
    with pytest.raises(services.InvitationRefused):
        services.participation_invite_again(participation=invited, by=world["owner"])
    assert Notification.objects.filter(kind="account.invitation").count() == 1


def test_invite_again_refused_once_taken_up(world):
    participation = ParticipationFactory(cohort=world["cohort"])  # has a password
    with pytest.raises(services.InvitationRefused):
        services.participation_invite_again(participation=participation, by=world["owner"])
    assert not Notification.objects.exists()


def test_invite_again_refused_for_another_ministrys_office(world, invited):
    with pytest.raises(ValidationError):
        services.participation_invite_again(participation=invited, by=world["stranger"])
    assert not Notification.objects.exists()


def test_invite_again_access(world, invited):
    assert_access(
        f"/cohorts/{world['cohort'].pk}/participants/{invited.pk}/invite-again/",
        method="post",
        owner=world["owner"],
        owner_status=302,
        stranger=world["stranger"],
        foreign_partner=partner_user(),
        foreign_partner_status=403,
        wrong_role=world["participant"],
    )
    assert Notification.objects.filter(kind="account.invitation").count() == 1


def test_invite_again_page_tells_the_truth(client, world, invited):
    url = f"/cohorts/{world['cohort'].pk}/participants/{invited.pk}/"
    client.force_login(world["owner"])
    page = client.get(url)
    assert "invite-again/" in page.content.decode()
    first = client.post(url + "invite-again/", follow=True)
    second = client.post(url + "invite-again/", follow=True)
    assert [m.level_tag for m in first.context["messages"]] == ["success"]
    assert [m.level_tag for m in second.context["messages"]] == ["error"]
    assert Notification.objects.filter(kind="account.invitation").count() == 1


# ------------------------------------------------------------------ the lists' badges


def test_lists_show_who_has_not_taken_up_their_link(client, world, invited):
    _unconfirmed(world["cohort"])
    client.force_login(world["owner"])
    queue = client.get("/registrations/").content.decode()
    assert queue.count("kern-badge--warning") == 1  # only the unconfirmed one
    people = client.get(f"/cohorts/{world['cohort'].pk}/participants/").content.decode()
    assert "invitation not taken up" in people or "Einladung nicht angenommen" in people


def test_decided_and_check_pages_keep_the_query_budget(
    client, world, django_assert_max_num_queries
):
    declined = InterestRegistrationFactory(cohort=world["cohort"], state="declined")
    for _ in range(5):
        InterestRegistrationFactory(cohort=world["cohort"])
    client.force_login(world["owner"])
    client.get("/registrations/")  # warm the session and the roles
    with django_assert_max_num_queries(10):
        page = client.get(f"/registrations/{declined.pk}/")
    assert page.context["next_registration"] is not None
    with django_assert_max_num_queries(10):
        check = client.post(
            f"/registrations/{world['registration'].pk}/decide/",
            {"decision": "decline", "reason": "Voll"},
        )
    assert check.status_code == 200


@pytest.mark.parametrize("old", ["accept", "decline"])
def test_the_old_addresses_that_skipped_the_check_page_are_gone(client, old):
    # Anyone, signed in or not, meets no address that decides without the check page.
    assert client.post(f"/registrations/1/{old}/", {"reason": "x"}).status_code == 404


def test_the_next_registration_to_review_is_the_oldest_confirmed_of_the_same_office(world):
    """Read by SQL compiled once per process: for each registration and office asked
    about, the oldest confirmed one of the same programme organisation's queue (by
    confirmation, creation, id), never the one decided, never another office's."""
    from cohorts import selectors

    cohort, owner = world["cohort"], world["owner"]
    now = timezone.now()
    decided = InterestRegistrationFactory(cohort=cohort, state="declined")
    later = InterestRegistrationFactory(cohort=cohort, confirmed_at=now - timedelta(days=1))
    oldest = InterestRegistrationFactory(cohort=cohort, confirmed_at=now - timedelta(days=3))
    InterestRegistrationFactory(
        cohort=cohort, state="declined", confirmed_at=now - timedelta(days=9)
    )
    InterestRegistration.objects.filter(pk=world["registration"].pk).update(confirmed_at=now)
    elsewhere = CohortFactory(state=Cohort.State.OPEN, interest_closes=None)
    theirs = InterestRegistrationFactory(cohort=elsewhere, confirmed_at=now - timedelta(days=30))
    following = selectors.registration_next_to_review(user=owner, after=decided)
    assert (following.pk, following.organisation_name) == (oldest.pk, oldest.organisation_name)
    assert selectors.registration_next_to_review(user=owner, after=oldest).pk == later.pk
    other_office = office_user(org=elsewhere.programme.organisation)
    assert selectors.registration_next_to_review(user=other_office, after=decided) is None
    assert selectors.registration_next_to_review(user=other_office, after=theirs) is None
    InterestRegistration.objects.exclude(pk=decided.pk).filter(cohort=cohort).update(
        state="accepted"
    )
    assert selectors.registration_next_to_review(user=owner, after=decided) is None
