from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PioneerConfig(AppConfig):
    name = "pioneer"
    verbose_name = _("Pioneer core")

    def ready(self):
        from pioneer import notification_kinds, signals  # noqa: F401


class PioneerAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the site of pioneer/admin_site.py as `admin.site` (named in
    INSTALLED_APPS; not the default config of the pioneer app)."""

    default = False
    default_site = "pioneer.admin_site.PioneerAdminSite"
