from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TandemsConfig(AppConfig):
    name = "tandems"
    verbose_name = _("Tandems")

    def ready(self):
        # The receivers of the cohorts app's and the core's plug-in points, the notification
        # and job kinds of the agreements, the journal's rules and its PDF job, the
        # reminders' notification kinds, and the matching's job.
        from tandems import (  # noqa: F401
            agreement_pdf,
            jobs,
            journal_export,
            journal_rules,
            journal_signals,
            notification_kinds,
            signals,
        )

        agreement_pdf.register()
        journal_export.register()
        jobs.register()
