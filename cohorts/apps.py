from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Cohorts")

    def ready(self):
        # Receivers of the core's plug-in points, the notification and job kinds: they
        # use the models, so they are imported once the app registry is ready.
        from cohorts import jobs, notification_kinds, signals  # noqa: F401

        jobs.register()
