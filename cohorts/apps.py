from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Cohorts")

    def ready(self):
        # Receivers of the core's plug-in points, and the notification kinds.
        from cohorts import notification_kinds, signals  # noqa: F401
