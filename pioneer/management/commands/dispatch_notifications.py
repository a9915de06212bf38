"""Send the notifications that are due, here and now: what the beat schedule does, for
set-ups without Celery beat, and the way to keep mail flowing while the broker is down
(run it from cron every minute or few)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from pioneer import hooks, jobs, services


class Command(BaseCommand):
    help = (
        "Send the e-mails that are due, inline and in batches, until none is due "
        "(needs no broker; safe next to workers and a second run)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-seconds",
            type=float,
            default=None,
            help="Stop starting new batches after this many seconds (default: until done).",
        )

    def handle(self, *args, max_seconds=None, **options):
        # Inline even when a broker is configured: the command works without it, and it
        # claims each row exactly as the send task does, so it never doubles a worker.
        count = services.notification_dispatch_due(inline=True, max_seconds=max_seconds)
        jobs.job_dispatch_pending()  # as the beat task does: lost jobs, expired results
        hooks.periodic.send(sender=None, now=timezone.now())
        self.stdout.write(f"{count}\n")
