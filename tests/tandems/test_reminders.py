"""Reminders of a tandem's phases and milestones through the notification ledger: sent
once even when the dispatcher runs twice, moved with the dates, taken back when the
tandem ends early, in each person's language."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from pioneer.models import Notification
from pioneer.services import notification_dispatch_due
from tandems import reminders, services
from tandems.models import Milestone
from tests.factories.cohorts import CohortFactory
from tests.factories.core import office_user
from tests.factories.tandems import tandem

pytestmark = pytest.mark.django_db


@pytest.fixture
def future():
    """A cohort that starts in two months, so every reminder is still ahead."""
    start = timezone.localdate() + timedelta(days=60)
    cohort = CohortFactory(start_date=start, end_date=start + timedelta(days=182), state="matching")
    t = tandem(cohort)
    t.administration.user.language = "de"
    t.administration.user.save(update_fields=["language"])
    t.external.user.language = "en"
    t.external.user.save(update_fields=["language"])
    return {"tandem": t, "office": office_user(cohort.programme.organisation)}


def _pending(t, kind=None):
    rows = Notification.objects.filter(state=Notification.State.PENDING)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def _morning(day):
    return timezone.make_aware(datetime.combine(day, time(8)))


def test_a_new_tandem_has_its_reminders_scheduled(future):
    t = future["tandem"]
    first = t.phases.get(number=1)
    people = {t.administration.user_id, t.external.user_id}
    starts = _pending(t, reminders.PHASE_STARTS).filter(object_id=first.pk)
    assert {row.recipient_id for row in starts} == people
    assert {row.due_at for row in starts} == {_morning(first.start - timedelta(days=7))}
    # Two phases × (start, end) and four milestones, for both people.
    assert _pending(t).count() == 2 * (4 + len(reminders.REMINDED_MILESTONES))
    mid = t.milestones.get(kind=Milestone.Kind.MID_REFLECTION)
    due = _pending(t, reminders.MILESTONE_DUE).filter(object_id=mid.pk)
    assert {row.due_at for row in due} == {_morning(mid.due_date)}


def test_sent_once_even_when_the_dispatch_runs_twice(future):
    t = future["tandem"]
    first = t.phases.get(number=1)
    due = _morning(first.start - timedelta(days=7))
    mail.outbox.clear()
    notification_dispatch_due(inline=True, now=due + timedelta(minutes=1))
    notification_dispatch_due(inline=True, now=due + timedelta(minutes=2))
    sent = [
        m
        for m in mail.outbox
        if "In a week: Phase 1 of your tandem starts" in m.subject or "beginnt Phase 1" in m.subject
    ]
    assert sorted(m.to[0] for m in sent) == sorted(
        [t.administration.user.email, t.external.user.email]
    )
    assert (
        Notification.objects.filter(
            kind=reminders.PHASE_STARTS, object_id=first.pk, state=Notification.State.SENT
        ).count()
        == 2
    )
    # Scheduling again (any later change of the tandem) does not send it a second time.
    reminders.reminders_reschedule(tandem=t, now=due - timedelta(days=1))
    mail.outbox.clear()
    notification_dispatch_due(inline=True, now=due + timedelta(minutes=3))
    assert [m for m in mail.outbox if t.external.user.email in m.to] == []


def test_a_date_change_moves_the_reminder(future):
    t = future["tandem"]
    first, second = t.phases.order_by("number")
    later = first.start + timedelta(days=10)
    services.tandem_set_dates(
        tandem=t,
        first_start=later,
        first_end=first.end,
        second_start=second.start,
        second_end=second.end,
        by=future["office"],
    )
    rows = _pending(t, reminders.PHASE_STARTS).filter(object_id=first.pk)
    assert {row.due_at for row in rows} == {_morning(later - timedelta(days=7))}
    assert rows.count() == 2
    # Nothing is sent on the old day; on the new one, once each.
    sent = Notification.objects.filter(
        kind=reminders.PHASE_STARTS, object_id=first.pk, state=Notification.State.SENT
    )
    notification_dispatch_due(inline=True, now=_morning(first.start - timedelta(days=7)))
    assert sent.count() == 0
    notification_dispatch_due(inline=True, now=_morning(later - timedelta(days=7)))
    assert sent.count() == 2


def test_an_early_end_takes_the_reminders_back(future):
    t = future["tandem"]
    assert _pending(t).exists()
    services.tandem_end_early(tandem=t, reason="Wechsel", by=future["office"])
    assert not _pending(t).exists()
    # Dates made again for an ended tandem schedule nothing.
    services.milestones_make(tandem=t)
    assert not _pending(t).exists()


def test_a_milestone_marked_done_is_not_reminded(future):
    t = future["tandem"]
    mid = t.milestones.get(kind=Milestone.Kind.MID_REFLECTION)
    services.milestone_set_done(milestone=mid, done=True, by=future["office"])
    assert not _pending(t, reminders.MILESTONE_DUE).filter(object_id=mid.pk).exists()
    services.milestone_set_done(milestone=mid, done=False, by=future["office"])
    assert _pending(t, reminders.MILESTONE_DUE).filter(object_id=mid.pk).count() == 2


def test_e_mails_in_each_persons_language(future):
    t = future["tandem"]
    mid = t.milestones.get(kind=Milestone.Kind.MID_REFLECTION)
    first = t.phases.get(number=1)
    mail.outbox.clear()
    notification_dispatch_due(inline=True, now=_morning(first.start - timedelta(days=7)))
    notification_dispatch_due(inline=True, now=_morning(mid.due_date))
    by_person = {}
    for message in mail.outbox:
        by_person.setdefault(message.to[0], []).append(message)
    english = by_person[t.external.user.email]
    german = by_person[t.administration.user.email]
    assert any(m.subject.endswith("In a week: Phase 1 of your tandem starts") for m in english)
    assert any(m.subject.endswith("Due today: Mid-point reflection") for m in english)
    assert any(m.subject.endswith("In einer Woche beginnt Phase 1 Ihres Tandems") for m in german)
    assert any(m.subject.endswith("Heute fällig: Zwischenreflexion") for m in german)
    # In phase 1 the administration partner is the guest, the external partner hosts.
    en = next(m for m in english if m.subject.endswith("Phase 1 of your tandem starts"))
    de = next(m for m in german if m.subject.endswith("beginnt Phase 1 Ihres Tandems"))
    assert "you host your partner" in en.body
    assert "sind Sie zu Gast" in de.body


def test_the_demo_world_past_dates_schedule_nothing():
    """A tandem whose dates are all past has nothing to remind."""
    cohort = CohortFactory(start_date=date(2023, 4, 1), end_date=date(2023, 9, 30))
    t = tandem(cohort)
    assert t.phases.count() == 2
    assert not Notification.objects.filter(kind__startswith="tandems.").exists()


def test_the_guest_is_told_whom_to_ask_at_the_host(future):
    t = future["tandem"]
    first = t.phases.get(number=1)
    first.host_contact = None
    first.host_contact_name = "Frau Gastgeberin"
    first.host_contact_email = "gastgeberin@host.example"
    first.save()
    mail.outbox.clear()
    notification_dispatch_due(inline=True, now=_morning(first.start - timedelta(days=7)))
    by_person = {m.to[0]: m for m in mail.outbox}
    guest, host = first.guest.user, t.partner_of(first.guest.user).user
    for message in (by_person[guest.email].body, by_person[guest.email].alternatives[0][0]):
        assert "Frau Gastgeberin" in message and "gastgeberin@host.example" in message
    assert "Frau Gastgeberin" not in by_person[host.email].body  # the host needs no contact
    phrase = {"de": "Ihre Ansprechperson dort", "en": "Your contact there"}[guest.language]
    assert phrase in by_person[guest.email].body
