from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PioneerConfig(AppConfig):
    name = "pioneer"
    verbose_name = _("Pioneer core")

    def ready(self):
        from pioneer import notification_kinds, signals  # noqa: F401
