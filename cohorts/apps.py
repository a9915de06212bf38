from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Cohorts")

    def ready(self):
        from cohorts import jobs, panels, panels_people

        panels.register()
        panels_people.register()
        jobs.register()
