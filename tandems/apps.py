from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TandemsConfig(AppConfig):
    name = "tandems"
    verbose_name = _("Tandems")

    def ready(self):
        # The receivers of the cohorts app's and the core's plug-in points.
        from tandems import signals  # noqa: F401
