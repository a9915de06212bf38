from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompanionConfig(AppConfig):
    name = "companion"
    verbose_name = _("Companion programme")

    def ready(self):
        from companion import certificates, jobs, notification_kinds, signals  # noqa: F401

        jobs.register()
        certificates.register()
