from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Cohorts")

    def ready(self):
        # Receivers of the core's plug-in points, the notification and job kinds.
        from cohorts import jobs, notification_kinds, signals  # noqa: F401

        jobs.register()
