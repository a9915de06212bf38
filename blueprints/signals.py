"""The blueprints app's receivers of the core's plug-in points (pioneer.hooks): the
landing page's newest blueprints and the navigation. Imported once from ready()."""

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from blueprints import selectors
from pioneer import hooks
from pioneer.hooks import NavItem, Panel

LANDING_COUNT = 3


@receiver(hooks.landing_sections, dispatch_uid="blueprints.landing")
def landing_blueprints(sender, request, **kwargs):
    return Panel(
        "blueprints.public",
        "blueprints/landing_blueprints.html",
        {"blueprints": list(selectors.public_blueprints()[:LANDING_COUNT])},
        order=20,  # after the open cohorts (10)
    )


@receiver(hooks.navigation, dispatch_uid="blueprints.navigation")
def navigation(sender, request, roles, **kwargs):
    return NavItem("blueprints:list", _("Blueprints"), order=500)
