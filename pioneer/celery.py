"""The Celery app. JSON only, late acks, one static beat schedule.

Due dates live in PostgreSQL, not in the broker: the beat schedule runs one dispatcher
every few minutes that sends what is due (see pioneer.notifications).
"""

import os

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
    # Hard limit below services.STALE_CLAIM: a live sender never loses its claim.
    task_time_limit=300,
    task_soft_time_limit=240,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    timezone="Europe/Berlin",
)


app.autodiscover_tasks()
