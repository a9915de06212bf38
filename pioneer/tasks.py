"""Thin tasks: ids in, "already done?" guards live in the services they call."""

from celery import shared_task

from pioneer import services


@shared_task(name="pioneer.tasks.send_notification")
def send_notification(notification_id):
    return services.notification_send(notification_id=notification_id)


@shared_task(name="pioneer.tasks.dispatch_due_notifications")
def dispatch_due_notifications():
    from pioneer import jobs

    sent = services.notification_dispatch_due()
    jobs.job_dispatch_pending()  # after the e-mails: a long inline job must not delay them
    return sent


@shared_task(name="pioneer.tasks.send_email")
def send_email(to, subject, text, html=None, reply_to=None):
    from pioneer import mail

    mail.message(to=to, subject=subject, text=text, html=html, reply_to=reply_to).send()


@shared_task(name="pioneer.tasks.run_job")
def run_job(job_id):
    from pioneer import jobs

    return jobs.job_run(job_id=job_id)
