"""Thin tasks: ids in, "already done?" guards live in the services they call.

Services queue these by name (pioneer.celery.publish), never by importing this module,
so the imports run one way: tasks -> services.
"""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from pioneer import hooks, jobs, services


# Its own hard limit, from which the stale-claim time is derived
# (services.stale_claim_after): a live sender always finishes before its claim goes stale.
@shared_task(
    name="pioneer.tasks.send_notification",
    time_limit=settings.NOTIFICATION_SEND_TIME_LIMIT,
    soft_time_limit=max(1, settings.NOTIFICATION_SEND_TIME_LIMIT * 4 // 5),
)
def send_notification(notification_id):
    return services.notification_send(notification_id=notification_id)


@shared_task(name="pioneer.tasks.dispatch_due_notifications")
def dispatch_due_notifications():
    # Well inside the task's own time limit; what is left is queued by the next run.
    sent = services.notification_dispatch_due(max_seconds=120)
    jobs.job_dispatch_pending()  # after the e-mails: a long inline job must not delay them
    hooks.periodic.send(sender=None, now=timezone.now())
    return sent


@shared_task(name="pioneer.tasks.run_job")
def run_job(job_id):
    return jobs.job_run(job_id=job_id)
