"""Send the notifications that are due: what the beat schedule does, for set-ups
without Celery beat (run it from cron every few minutes)."""

from django.core.management.base import BaseCommand

from pioneer import jobs, services


class Command(BaseCommand):
    help = "Send the notifications that are due (each at most once; safe to run twice)."

    def handle(self, *args, **options):
        count = services.notification_dispatch_due()
        jobs.job_dispatch_pending()  # as the beat task does: lost jobs, expired results
        self.stdout.write(f"{count}\n")
