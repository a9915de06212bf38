"""The blueprints app's receivers of the core's plug-in points (pioneer.hooks): the
landing page's newest blueprints and the navigation; and its own model's save, which keeps
the stored search vector current (services, admin, demo and tests all save). Imported once
from ready()."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from blueprints import search, selectors
from blueprints.models import Blueprint
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


@receiver(post_save, sender=Blueprint, dispatch_uid="blueprints.search_vector")
def refresh_search_vector(sender, instance, raw=False, update_fields=None, **kwargs):
    # Saves that touch no text (publish, withdraw) keep the vector they have.
    if raw or (update_fields is not None and not set(update_fields) & TEXT_FIELDS):
        return
    search.refresh(Blueprint.objects.filter(pk=instance.pk))


TEXT_FIELDS = {"title", "summary", "body", "materials"}
