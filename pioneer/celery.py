"""The Celery app. JSON only, late acks, one static beat schedule, and `publish`.

Due dates live in PostgreSQL, not in the broker: the beat schedule runs one dispatcher
every minute that sends what is due (see pioneer.notifications). The broker only carries
"send row N now" hints: losing one loses nothing, because the row waits in the ledger.
"""

import logging
import os
import threading
import time

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pioneer.settings")

app = Celery("pioneer")
app.config_from_object("django.conf:settings", namespace="CELERY")
# These win over the CELERY_* settings: they are what makes the ledger safe.
app.conf.update(
    # JSON only: a task message can never carry code (no pickle).
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # A task is acknowledged when it is done, and given back to the broker when its
    # worker dies: the claim in the ledger makes running it twice harmless.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_cancel_long_running_tasks_on_connection_loss=True,
    # Jobs and the dispatcher; the send task has its own, shorter limit
    # (NOTIFICATION_SEND_TIME_LIMIT), from which the stale-claim time is derived.
    task_time_limit=300,
    task_soft_time_limit=240,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    timezone="Europe/Berlin",
)


app.autodiscover_tasks()

log = logging.getLogger(__name__)

# After the broker failed, a process does not try it again for this long: a request that
# queues fifty sends pays for one refused connection, not fifty (the rows wait in the
# ledger for the dispatcher either way).
BROKER_RETRY_AFTER_SECONDS = 10.0
_broker_down_until = [0.0]
_local = threading.local()


def broker_is_down():
    """True while this process has seen the broker fail a moment ago."""
    return time.monotonic() < _broker_down_until[0]


def _drop_connection():
    connection, _local.connection = getattr(_local, "connection", None), None
    if connection is not None:
        try:
            connection.release()
        except Exception:  # a broken connection may fail to close; it is dropped anyway
            log.debug("closing the broken broker connection failed", exc_info=True)


def _connection():
    connection = getattr(_local, "connection", None)
    if connection is None:
        # No connection retries: a refused broker is reported at once, not after the
        # producer's retry policy (about 0.6 s per message with Redis down).
        connection = app.connection_for_write(
            transport_options={"max_retries": 0}, connect_timeout=1
        )
        _local.connection = connection
    return connection


def publish(task_name, *, args):
    """Queue a task by name without waiting for a broker that is down.

    Returns True when the message is with the broker, False (at once) when it is not:
    callers queue only what the ledger holds anyway, so the work is done later by the
    dispatcher. Tasks are named, not imported, so that services never import tasks
    (tasks import services).
    """
    if broker_is_down():
        return False
    # A kept connection may have gone stale (the broker restarted): one more try on a
    # fresh one before the broker counts as down.
    for attempt in (1, 2):
        fresh = getattr(_local, "connection", None) is None
        try:
            app.send_task(task_name, args=args, connection=_connection(), retry=False)
            return True
        except Exception as exc:
            _drop_connection()
            if fresh or attempt == 2:
                log.warning("Broker unreachable (%s); %s%r waits", exc, task_name, args)
                _broker_down_until[0] = time.monotonic() + BROKER_RETRY_AFTER_SECONDS
                return False
    return False
