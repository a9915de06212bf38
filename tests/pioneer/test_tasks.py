"""The Celery set-up: one task on the beat schedule, safe settings, tasks after commit,
and a real worker against Redis and PostgreSQL (marker "worker")."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from pioneer import celery_app, services
from pioneer.models import Notification
from pioneer.tasks import dispatch_due_notifications, send_notification
from tests.factories.core import NotificationFactory, RoleFactory

ROOT = Path(__file__).resolve().parents[2]


def test_the_beat_schedule_holds_exactly_the_dispatcher():
    schedule = celery_app.conf.beat_schedule
    assert schedule == settings.CELERY_BEAT_SCHEDULE
    assert [entry["task"] for entry in schedule.values()] == [
        "pioneer.tasks.dispatch_due_notifications"
    ]
    (entry,) = schedule.values()
    assert 0 < entry["schedule"] <= 15 * 60  # every few minutes
    celery_app.loader.import_default_modules()  # what a worker or beat does at start
    assert entry["task"] in celery_app.tasks
    assert celery_app.tasks[entry["task"]].name == dispatch_due_notifications.name
    assert send_notification.name in celery_app.tasks


def test_the_app_speaks_json_only_acks_late_and_has_time_limits():
    conf = celery_app.conf
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    # A live send task never outlasts its claim: only a dead sender's claim goes stale,
    # and it does within minutes (derived from the task's limit, not a fixed quarter hour).
    assert 0 < send_notification.soft_time_limit < send_notification.time_limit
    assert timedelta(seconds=send_notification.time_limit) < services.stale_claim_after()
    assert services.stale_claim_after() <= timedelta(minutes=3)
    # The dispatcher, which takes such rows up again, runs every few minutes at most.
    assert settings.NOTIFICATION_DISPATCH_SECONDS <= 120


def test_tests_run_tasks_inline():
    assert celery_app.conf.task_always_eager is True
    assert celery_app.conf.task_eager_propagates is True


@pytest.mark.django_db
def test_the_tasks_call_the_services():
    due = NotificationFactory(due_at=timezone.now() - timedelta(minutes=1))
    assert send_notification.delay(due.pk).get() is True
    assert send_notification.delay(due.pk).get() is False  # the second run sends nothing
    NotificationFactory(due_at=timezone.now() - timedelta(minutes=1))
    assert dispatch_due_notifications.delay().get() == 1
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_sending_is_queued_only_after_commit(django_capture_on_commit_callbacks):
    role = RoleFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification, _ = services.notification_schedule(
            kind="account.role_granted", target=role, recipient=role.user, due_at=timezone.now()
        )
    assert len(callbacks) == 1
    notification.refresh_from_db()
    assert notification.state == Notification.State.PENDING  # nothing before the commit
    callbacks[0]()
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT


@pytest.mark.django_db
def test_nothing_is_queued_for_later_or_for_a_second_schedule(django_capture_on_commit_callbacks):
    role = RoleFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        services.notification_schedule(
            kind="account.role_granted",
            target=role,
            recipient=role.user,
            due_at=timezone.now() + timedelta(days=1),
        )
    assert callbacks == []


# A real worker ---------------------------------------------------------------------


def _database_url():
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A `celery worker` process on Redis (REDIS_URL) and this test's PostgreSQL database;
    the test process queues tasks to it instead of running them inline."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("the worker test needs Redis: set REDIS_URL (CI does)")
    if connection.vendor != "postgresql":
        pytest.skip("the worker test needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)")
    log = tmp_path / "worker.log"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="pioneer.test_settings",
        DATABASE_URL=_database_url(),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "pioneer",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                f"--hostname=pioneer-test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield process, log
    finally:
        celery_app.conf.task_always_eager = eager
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def wait_for_state(pk, state, process, log, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        notification = Notification.objects.get(pk=pk)
        if notification.state == state:
            return notification
        if process.poll() is not None:
            break
        time.sleep(0.25)
    pytest.fail(
        f"notification {pk} is {notification.state!r}, not {state!r}; worker "
        f"{'exited ' + str(process.returncode) if process.poll() is not None else 'running'}:"
        f"\n{log.read_text()[-3000:]}"
    )


@pytest.mark.worker
def test_a_real_worker_sends_what_was_scheduled_and_what_is_due(celery_worker_process):
    process, log = celery_worker_process
    # 1. Scheduled for now: the send task is queued when the transaction commits.
    role = RoleFactory()
    with transaction.atomic():
        scheduled, created = services.notification_schedule(
            kind="account.role_granted", target=role, recipient=role.user, due_at=timezone.now()
        )
    assert created
    # 2. Due for a while: the dispatcher (as on the beat schedule) finds it.
    overdue = NotificationFactory(due_at=timezone.now() - timedelta(hours=1))
    dispatch_due_notifications.delay()

    for pk in (scheduled.pk, overdue.pk):
        notification = wait_for_state(pk, Notification.State.SENT, process, log)
        assert notification.attempts == 1
        assert notification.subject == "Sie haben eine neue Rolle in Pioneer"
    assert mail.outbox == []  # sent by the worker, not in this process
    assert "pioneer.tasks.send_notification" in log.read_text()


@pytest.mark.django_db
def test_the_command_dispatches_what_is_due_for_setups_without_beat():
    due = NotificationFactory(due_at=timezone.now() - timedelta(minutes=1))
    output = StringIO()
    call_command("dispatch_notifications", stdout=output)
    assert output.getvalue().strip() == "1"
    due.refresh_from_db()
    assert due.state == Notification.State.SENT
    call_command("dispatch_notifications", stdout=output)
    assert len(mail.outbox) == 1
