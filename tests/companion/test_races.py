"""Two people take the last place at the same moment: one gets it, the other joins the
waiting list; the places are never exceeded. Two PostgreSQL connections (the pattern of
tests/test_races.py: the rival holds its transaction open until ours waits on its lock).
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from companion import services
from companion.models import EventRegistration
from pioneer.services import notification_dispatch_due
from tests.factories.companion import EventFactory, participant_in, register
from tests.test_races import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): two connections writing at once")


def test_two_people_take_the_last_place_at_once():
    event = EventFactory(capacity=2)
    register(event, participant_in(event.cohort))
    first, second = participant_in(event.cohort), participant_in(event.cohort)
    # race(rival, ours): the rival's transaction holds the event's lock first.
    ours, rival = race(lambda: register(event, first), lambda: register(event, second))
    assert rival.state == "registered" and rival.participation == first
    assert ours.state == "waiting" and ours.waiting_position == 1
    assert event.registrations.filter(state=EventRegistration.State.REGISTERED).count() == 2


def test_a_cancel_and_a_registration_at_once_keep_the_count():
    event = EventFactory(capacity=1)
    holder = participant_in(event.cohort)
    held = register(event, holder)
    waiting = register(event, participant_in(event.cohort))
    newcomer = participant_in(event.cohort)
    ours, rival = race(
        lambda: register(event, newcomer),
        lambda: services.registration_cancel(registration=held, by=holder.user),
    )
    waiting.refresh_from_db()
    # The newcomer queued behind the first waiting person, who got the freed place.
    assert rival.state == "waiting" and ours.state == "cancelled"
    assert waiting.state == "registered"
    assert event.registrations.filter(state="registered").count() == 1


def test_two_dispatchers_at_once_send_each_reminder_once(mailoutbox):
    """The beat task and the cron command (or two beat runs) find the same due reminders
    at the same moment: each is sent once (the ledger's claim)."""
    event = EventFactory(starts_at=timezone.now() + timedelta(days=10))
    event.ends_at = event.starts_at + timedelta(hours=2)
    event.save()
    for _ in range(20):
        register(event, participant_in(event.cohort))
    due = event.starts_at - timedelta(days=7) + timedelta(minutes=1)
    start = threading.Barrier(2)
    sent = []

    def dispatch():
        try:
            start.wait(10)
            sent.append(notification_dispatch_due(inline=True, now=due))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(sent) == 20
    reminders = [m for m in mailoutbox if event.title in m.subject]
    assert len(reminders) == 20
    assert len({m.to[0] for m in reminders}) == 20
