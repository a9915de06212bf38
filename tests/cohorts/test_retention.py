"""The retention periods the privacy notice promises for registrations of interest, and
the periodic signal that applies them (sent by the beat dispatcher and the cron command)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cohorts.models import InterestRegistration, RegistrationNote
from cohorts.services.registrations import (
    DECLINED_KEPT,
    UNCONFIRMED_KEPT,
    registration_purge_expired,
)
from pioneer import hooks
from pioneer.tasks import dispatch_due_notifications
from tests.factories.cohorts import InterestRegistrationFactory
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db
State = InterestRegistration.State


def unconfirmed(expires_at):
    return InterestRegistrationFactory(state=State.UNCONFIRMED, confirm_expires_at=expires_at)


def test_stale_links_are_marked_expired_and_removed_after_the_period():
    now = timezone.now()
    fresh = unconfirmed(now + timedelta(hours=5))
    just_expired = unconfirmed(now - timedelta(days=1))
    long_expired = unconfirmed(now - UNCONFIRMED_KEPT - timedelta(days=1))
    confirmed = InterestRegistrationFactory(
        state=State.CONFIRMED, confirm_expires_at=now - UNCONFIRMED_KEPT - timedelta(days=5)
    )
    RegistrationNote.objects.create(registration=long_expired, author=UserFactory(), text="x")

    counts = registration_purge_expired(now=now)

    assert counts == {"expired": 2, "deleted_unconfirmed": 1, "deleted_declined": 0}
    remaining = dict(InterestRegistration.objects.values_list("pk", "state"))
    assert remaining == {
        fresh.pk: State.UNCONFIRMED,
        just_expired.pk: State.EXPIRED,
        confirmed.pk: State.CONFIRMED,
    }
    assert not RegistrationNote.objects.exists()


def test_declined_registrations_go_after_six_months_and_accepted_ones_stay():
    now = timezone.now()
    old = now - DECLINED_KEPT - timedelta(days=1)
    InterestRegistrationFactory(state=State.DECLINED, decided_at=old)
    recent = InterestRegistrationFactory(state=State.DECLINED, decided_at=now - timedelta(days=9))
    accepted = InterestRegistrationFactory(state=State.ACCEPTED, decided_at=old)

    counts = registration_purge_expired(now=now)

    assert counts["deleted_declined"] == 1
    assert set(InterestRegistration.objects.values_list("pk", flat=True)) == {
        recent.pk,
        accepted.pk,
    }


def test_running_the_purge_twice_changes_nothing_more():
    now = timezone.now()
    unconfirmed(now - UNCONFIRMED_KEPT - timedelta(hours=1))
    unconfirmed(now - timedelta(hours=1))
    first = registration_purge_expired(now=now)
    second = registration_purge_expired(now=now)
    assert first == {"expired": 2, "deleted_unconfirmed": 1, "deleted_declined": 0}
    assert second == {"expired": 0, "deleted_unconfirmed": 0, "deleted_declined": 0}
    assert InterestRegistration.objects.get().state == State.EXPIRED


def test_the_expiry_is_kept_until_the_period_is_over():
    expires = timezone.now()
    unconfirmed(expires)
    registration_purge_expired(now=expires + UNCONFIRMED_KEPT - timedelta(minutes=1))
    assert InterestRegistration.objects.get().state == State.EXPIRED
    registration_purge_expired(now=expires + UNCONFIRMED_KEPT + timedelta(minutes=1))
    assert not InterestRegistration.objects.exists()


@pytest.fixture
def periodic_calls():
    calls = []

    def record(sender, now, **kwargs):
        calls.append(now)

    hooks.periodic.connect(record, dispatch_uid="test.periodic")
    yield calls
    hooks.periodic.disconnect(dispatch_uid="test.periodic")


def test_the_beat_dispatcher_sends_the_periodic_signal_and_purges(periodic_calls):
    stale = unconfirmed(timezone.now() - UNCONFIRMED_KEPT - timedelta(days=2))
    before = timezone.now()
    dispatch_due_notifications()
    assert len(periodic_calls) == 1 and periodic_calls[0] >= before
    assert not InterestRegistration.objects.filter(pk=stale.pk).exists()


def test_the_cron_command_sends_the_periodic_signal_and_purges(periodic_calls):
    stale = unconfirmed(timezone.now() - UNCONFIRMED_KEPT - timedelta(days=2))
    call_command("dispatch_notifications", stdout=StringIO())
    assert len(periodic_calls) == 1
    assert not InterestRegistration.objects.filter(pk=stale.pk).exists()


def test_the_privacy_notice_states_the_period_the_software_applies():
    # The German text comes with the catalogue (test_translations checks it is there).
    assert timedelta(days=30) == UNCONFIRMED_KEPT
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/datenschutz/")
    assert page.status_code == 200
    assert "deleted 30 days after its confirmation link expired" in page.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert "30 Tage" in client.get("/datenschutz/").content.decode()
