"""The notification ledger: one row per key, due ones sent once, in the recipient's
language, retried and finally failed, stale claims recovered, and the in-app list."""

import threading
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from pioneer import services
from pioneer.access import SYSTEM
from pioneer.models import Notification, Role
from tests.factories.core import (
    NotificationFactory,
    OrganisationFactory,
    RoleFactory,
    UserFactory,
    office_user,
    participant_user,
)

SENT = Notification.State.SENT
PENDING = Notification.State.PENDING
SENDING = Notification.State.SENDING
FAILED = Notification.State.FAILED


class BrokenMailServer(BaseEmailBackend):
    """An e-mail backend whose server refuses every message."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def broken_mail(settings):
    settings.EMAIL_BACKEND = "tests.pioneer.test_notifications.BrokenMailServer"


def schedule_role_granted(role, due_at):
    return services.notification_schedule(
        kind="account.role_granted", target=role, recipient=role.user, due_at=due_at
    )


# The ledger key ------------------------------------------------------------------


@pytest.mark.django_db
def test_scheduling_twice_with_the_same_key_keeps_one_row():
    role = RoleFactory()
    # Morning of a local day, so that an hour later is still the same due date.
    tomorrow = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=1), time(8, 0))
    )
    first, created = schedule_role_granted(role, tomorrow)
    second, created_again = schedule_role_granted(role, tomorrow + timedelta(hours=1))
    assert created is True
    assert created_again is False
    assert second.pk == first.pk
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_another_due_date_is_another_notification():
    role = RoleFactory()
    tomorrow = timezone.now() + timedelta(days=1)
    schedule_role_granted(role, tomorrow)
    _, created = schedule_role_granted(role, tomorrow + timedelta(days=1))
    assert created is True
    assert Notification.objects.filter(recipient=role.user).count() == 2


@pytest.mark.django_db
def test_unknown_kind_is_refused():
    user = UserFactory()
    with pytest.raises(LookupError):
        services.notification_schedule(
            kind="account.no_such_kind", target=user, recipient=user, due_at=timezone.now()
        )
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_writer_of_the_same_key_wins_and_nothing_breaks():
    """Another connection inserts the same key and commits only once our INSERT waits
    on it: ours fails with IntegrityError and the service returns their row."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two connections writing at once")
    role = RoleFactory()
    due_at = timezone.now() + timedelta(days=1)
    inserted = threading.Event()
    rival = {}

    def other_writer():
        from django.db import transaction

        try:
            with transaction.atomic():
                rival["row"] = NotificationFactory(
                    kind="account.role_granted",
                    recipient=role.user,
                    target_object=role,
                    due_at=due_at,
                )
                inserted.set()
                # Commit only once our INSERT is blocked on the unique index.
                with connection.cursor() as cursor:
                    for _ in range(200):
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                        )
                        if cursor.fetchone()[0]:
                            rival["waited_on"] = True
                            break
                        threading.Event().wait(0.05)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_writer)
    thread.start()
    assert inserted.wait(10)
    notification, created = schedule_role_granted(role, due_at)
    thread.join(10)
    assert rival.get("waited_on"), "our INSERT never waited on the other writer's row"
    assert created is False
    assert notification.pk == rival["row"].pk
    assert Notification.objects.count() == 1


# Dispatch ------------------------------------------------------------------------


@pytest.mark.django_db
def test_dispatch_sends_due_ones_only_and_each_once():
    now = timezone.now()
    due = NotificationFactory(due_at=now - timedelta(minutes=1))
    later = NotificationFactory(due_at=now + timedelta(days=2))
    assert services.notification_dispatch_due() == 1
    assert services.notification_dispatch_due() == 0
    assert services.notification_send(notification_id=due.pk) is False
    assert [m.to for m in mail.outbox] == [[due.recipient.email]]
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.state, due.attempts) == (SENT, 1)
    assert due.sent_at is not None
    assert later.state == PENDING
    assert services.notification_dispatch_due(now=now + timedelta(days=3)) == 1
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_something_due_now_is_sent_on_commit_without_a_broker(django_capture_on_commit_callbacks):
    role = RoleFactory(user=UserFactory(language="en"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification, _ = schedule_role_granted(role, timezone.now())
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1
    notification.refresh_from_db()
    assert notification.state == SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_email_has_text_and_html_and_the_in_app_copy():
    user = UserFactory(name="Jo O'Brien", language="en")
    notification = NotificationFactory(recipient=user)
    assert services.notification_send(notification_id=notification.pk) is True
    (message,) = mail.outbox
    assert message.subject == "[Pioneer] You have a new role in Pioneer"
    assert "Hello Jo O'Brien," in message.body  # plain text is not HTML-escaped
    assert "http://" in message.body and reverse("home") in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="en">' in html
    assert "Jo O&#x27;Brien" in html
    notification.refresh_from_db()
    assert notification.subject == "You have a new role in Pioneer"
    assert notification.body == message.body
    assert notification.link == reverse("home")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("de", "[Pioneer] Sie sind zu Pioneer eingeladen", "Guten Tag Ada Muster,"),
        ("en", "[Pioneer] You are invited to Pioneer", "Hello Ada Muster,"),
    ],
)
def test_invitation_in_the_recipients_language(
    language, subject, greeting, django_capture_on_commit_callbacks
):
    office = office_user()
    with django_capture_on_commit_callbacks(execute=True):
        user, created = services.user_invite(
            email="ada@example.org",
            name="Ada Muster",
            language=language,
            kind=Role.Kind.PARTICIPANT,
            by=office,
        )
    assert created is True
    (message,) = mail.outbox
    assert message.subject == subject
    assert message.body.startswith(greeting)
    assert f'<html lang="{language}">' in message.alternatives[0][0]


@pytest.mark.django_db
def test_the_secret_invitation_link_is_e_mailed_but_never_stored(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        user, _ = services.user_invite(
            email="neu@example.org",
            name="Neu",
            language="de",
            kind=Role.Kind.PARTICIPANT,
            by=SYSTEM,
        )
    (message,) = mail.outbox
    path = next(
        word.removeprefix("http://127.0.0.1:8000")
        for word in message.body.split()
        if "/password/reset/key/" in word
    )
    assert path in message.alternatives[0][0]
    key = path.rstrip("/").rsplit("/", 1)[-1].split("-", 1)[-1]
    assert len(key) > 10
    notification = Notification.objects.get(recipient=user)
    assert notification.state == SENT
    stored = " ".join([notification.subject, notification.body, notification.link])
    assert key not in stored
    assert notification.link == ""
    assert "(Link nur per E-Mail)" in notification.body


@pytest.mark.django_db
def test_failure_counts_attempts_retries_later_and_ends_failed(broken_mail, settings):
    notification = NotificationFactory(due_at=timezone.now() - timedelta(minutes=1))
    now = timezone.now()
    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        assert services.notification_dispatch_due(now=now) == 0
        notification.refresh_from_db()
        assert notification.attempts == attempt
        assert "mail server down" in notification.last_error
        if attempt < services.MAX_ATTEMPTS:
            assert notification.state == PENDING
            # Not again at once: the retry waits, longer each time.
            assert notification.due_at > now
            assert services.notification_dispatch_due(now=now) == 0
            assert Notification.objects.get(pk=notification.pk).attempts == attempt
            now = notification.due_at
    assert notification.state == FAILED
    now += timedelta(days=1)
    assert services.notification_dispatch_due(now=now) == 0
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == (FAILED, services.MAX_ATTEMPTS)
    # Once the server is back, a failed notification stays failed (no surprise e-mail).
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.notification_dispatch_due(now=now) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_failure_then_success_sends_once():
    notification = NotificationFactory(due_at=timezone.now() - timedelta(minutes=1))
    from django.test import override_settings

    with override_settings(EMAIL_BACKEND="tests.pioneer.test_notifications.BrokenMailServer"):
        assert services.notification_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert services.notification_dispatch_due(now=notification.due_at) == 1
    notification.refresh_from_db()
    assert (notification.state, notification.attempts, notification.last_error) == (SENT, 2, "")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_stale_claim_is_taken_up_again_a_fresh_one_is_not():
    now = timezone.now()
    fresh = NotificationFactory(
        state=SENDING, attempts=1, claimed_at=now - timedelta(minutes=1), due_at=now
    )
    stale = NotificationFactory(
        state=SENDING,
        attempts=1,
        claimed_at=now - services.stale_claim_after() - timedelta(minutes=1),
        due_at=now - timedelta(hours=1),
    )
    assert services.notification_dispatch_due(now=now) == 1
    fresh.refresh_from_db()
    stale.refresh_from_db()
    assert (stale.state, stale.attempts) == (SENT, 2)
    assert fresh.state == SENDING
    assert [m.to for m in mail.outbox] == [[stale.recipient.email]]


@pytest.mark.django_db
def test_a_stale_claim_without_attempts_left_ends_failed():
    now = timezone.now()
    dead = NotificationFactory(
        state=SENDING,
        attempts=services.MAX_ATTEMPTS,
        claimed_at=now - services.stale_claim_after() - timedelta(minutes=1),
        due_at=now - timedelta(hours=1),
    )
    assert services.notification_dispatch_due(now=now) == 0
    dead.refresh_from_db()
    assert dead.state == FAILED
    assert "sender lost" in dead.last_error
    assert mail.outbox == []


@pytest.mark.django_db
def test_only_one_of_two_claims_wins():
    notification = NotificationFactory(due_at=timezone.now())
    assert services.notification_claim(notification_id=notification.pk) is not None
    assert services.notification_claim(notification_id=notification.pk) is None
    assert services.notification_send(notification_id=notification.pk) is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_notification_about_a_deleted_object_is_cancelled():
    role = RoleFactory()
    notification = NotificationFactory(recipient=role.user, target_object=role)
    role.delete()
    assert services.notification_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.state == Notification.State.CANCELLED
    assert mail.outbox == []


@pytest.mark.django_db
def test_inviting_twice_on_one_day_sends_one_email(django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.user_invite(
                email="twice@example.org",
                name="Zwei",
                language="de",
                kind=Role.Kind.PARTICIPANT,
                by=SYSTEM,
            )
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1


# In the app ----------------------------------------------------------------------


def sent(recipient, days_ago=0, **fields):
    when = timezone.now() - timedelta(days=days_ago)
    return NotificationFactory(
        recipient=recipient,
        due_at=when,
        state=SENT,
        sent_at=when,
        attempts=1,
        subject=fields.pop("subject", f"Nachricht {days_ago}"),
        body=fields.pop("body", "Text"),
        link=fields.pop("link", ""),
        **fields,
    )


@pytest.mark.django_db
def test_owner_sees_own_sent_notifications_only(client):
    owner = participant_user()
    mine = sent(owner, subject="Meine Nachricht")
    NotificationFactory(  # pending: not yet in the list
        recipient=owner, subject="Noch nicht versandt", due_at=timezone.now() + timedelta(days=1)
    )
    sent(participant_user(), subject="Fremde Nachricht")
    client.force_login(owner)
    response = client.get(reverse("notifications"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Meine Nachricht" in content
    assert "Noch nicht versandt" not in content
    assert "Fremde Nachricht" not in content
    assert [row.pk for row in response.context["page"].object_list] == [mine.pk]


@pytest.mark.django_db
def test_owner_marks_read_and_follows_the_link(client):
    owner = participant_user()
    notification = sent(owner, link=reverse("home"))
    client.force_login(owner)
    response = client.post(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.django_db
def test_a_link_to_another_host_is_not_followed(client):
    owner = participant_user()
    notification = sent(owner, link="https://evil.example/")
    client.force_login(owner)
    response = client.post(reverse("notification_read", args=[notification.pk]))
    assert response["Location"] == reverse("notifications")


@pytest.mark.django_db
@pytest.mark.parametrize("make_stranger", [participant_user, office_user])
def test_a_stranger_gets_404_on_anothers_mark_read(client, make_stranger):
    notification = sent(participant_user())
    client.force_login(make_stranger())
    response = client.post(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.django_db
def test_mark_all_read_touches_only_own(client):
    owner = participant_user()
    mine = [sent(owner, days_ago=i) for i in range(3)]
    other = sent(participant_user())
    client.force_login(owner)
    response = client.post(reverse("notifications_read_all"))
    assert response.status_code == 302
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    other.refresh_from_db()
    assert other.read_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method", "args"),
    [
        ("notifications", "get", []),
        ("notifications_read_all", "post", []),
        ("notification_read", "post", [1]),
    ],
)
def test_anonymous_is_sent_to_the_login(client, name, method, args):
    url = reverse(name, args=args)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_mark_read_needs_post(client):
    owner = participant_user()
    notification = sent(owner)
    client.force_login(owner)
    response = client.get(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 30])
def test_the_list_costs_the_same_queries_for_1_and_30(client, django_assert_num_queries, count):
    owner = participant_user()
    OrganisationFactory()
    for day in range(count):
        sent(owner, days_ago=day, link=reverse("home") if day % 2 else "")
    client.force_login(owner)
    client.get(reverse("notifications"))  # warm the per-process caches
    with django_assert_num_queries(QUERIES_FOR_THE_LIST):
        response = client.get(reverse("notifications"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 25)


# Session, the user with their roles (pioneer.auth), count for the pager, the page of
# notifications.
QUERIES_FOR_THE_LIST = 4


@pytest.mark.django_db(transaction=True)
def test_a_stale_claim_is_taken_up_only_once_its_sender_is_gone():
    if connection.vendor != "postgresql":
        pytest.skip("the senders' locks are PostgreSQL advisory locks: set DATABASE_URL")
    now = timezone.now()
    row = NotificationFactory(
        state=SENDING,
        attempts=1,
        claimed_at=now - services.stale_claim_after() - timedelta(minutes=1),
        due_at=now - timedelta(hours=1),
    )
    sender = connections.create_connection("default")  # a slow sender, still alive
    with sender.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [services.SENDER_LOCK_CLASS, row.pk])
    try:
        assert services.notification_dispatch_due(inline=True) == 0
        row.refresh_from_db()
        assert (row.state, row.attempts) == (SENDING, 1)
    finally:
        sender.close()  # the sender dies: the database drops its lock with its session
    assert services.notification_dispatch_due(inline=True) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (SENT, 2)
    assert len(mail.outbox) == 1


# The dispatcher's batches -------------------------------------------------------------


def _registration_notices(count, recipient):
    from tests.factories.cohorts import InterestRegistrationFactory

    past = timezone.now() - timedelta(minutes=1)
    return [
        NotificationFactory(
            kind="cohorts.registration_confirmed",
            recipient=recipient,
            target_object=InterestRegistrationFactory(),
            due_at=past,
        )
        for _ in range(count)
    ]


def _dispatch_queries(count):
    from django.test.utils import CaptureQueriesContext

    _registration_notices(count, office_user())
    with CaptureQueriesContext(connection) as queries:
        assert services.notification_dispatch_due(inline=True) == count
    return len(queries)


@pytest.mark.django_db
def test_a_batch_costs_one_query_per_e_mail_plus_a_flat_number():
    """Locks, claims, releases and what the templates read of the targets (the cohort
    and its programme) are read per batch; per e-mail only its SENT update remains."""
    _dispatch_queries(1)  # warm: content types, templates
    few = _dispatch_queries(3)
    mail.outbox.clear()
    many = _dispatch_queries(23)
    assert many - few == 20  # one per e-mail
    assert few <= 3 + 13  # the batch: finding, loading, locking, claiming, releasing
    assert all("Firma" in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_a_batch_leaves_a_row_another_sender_holds_and_sends_the_rest():
    if connection.vendor != "postgresql":
        pytest.skip("the senders' locks are PostgreSQL advisory locks: set DATABASE_URL")
    rows = _registration_notices(3, office_user())
    sender = connections.create_connection("default")  # another sender, still alive
    with sender.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [services.SENDER_LOCK_CLASS, rows[1].pk])
    try:
        assert services.notification_dispatch_due(inline=True) == 2
        states = dict(Notification.objects.values_list("pk", "state"))
        assert [states[r.pk] for r in rows] == [SENT, PENDING, SENT]
        # The batch gave back the locks it took: another sender can take them.
        with sender.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", [services.SENDER_LOCK_CLASS, rows[0].pk]
            )
            assert cursor.fetchone()[0] is True
        # And its connection waits for the disk again after the batch.
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
    finally:
        sender.close()
    assert services.notification_dispatch_due(inline=True) == 1


@pytest.mark.django_db(transaction=True)
def test_the_unread_count_reads_only_the_unread_index():
    """The home's unread count (`selectors.unread_count`) is answered from the partial
    index of unread rows, not by fetching every row of the person's list to look at
    `read_at` (PostgreSQL; the plan of the statement as Django sends it, prepared and
    generic too, as the server keeps it from its fifth run)."""
    from django.db import connection

    from pioneer import selectors as core_selectors
    from pioneer.models import Notification

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL plan")
    person = UserFactory()
    made = [
        NotificationFactory.build(
            recipient=person,
            kind=f"kind.{n}",
            state=Notification.State.SENT,
            read_at=None if n % 3 else timezone.now(),
        )
        for n in range(600)
    ]
    for n in made:
        n.content_type_id, n.object_id = n.content_type.pk, person.pk
    Notification.objects.bulk_create(made)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE pioneer_notification")
    # The count's conditions, selecting only what the index holds (COUNT(*) reads no
    # column either).
    queryset = core_selectors.notifications_for(person).filter(read_at__isnull=True)
    sql, params = queryset.order_by().values("recipient_id").query.sql_with_params()
    assert core_selectors.unread_count(person) == 400
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute("PREPARE unread_probe AS " + _numbered(sql))
        # Any values: the generic plan is made without looking at them.
        literals = ", ".join(f"'{value}'" for value in params)
        cursor.execute(f"EXPLAIN EXECUTE unread_probe({literals})")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE unread_probe")
        cursor.execute("RESET plan_cache_mode")
    assert "notification_unread_idx" in plan, plan


def _numbered(sql):
    """`%s` placeholders as PostgreSQL's `$1, $2, ...`."""
    parts = sql.split("%s")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]
