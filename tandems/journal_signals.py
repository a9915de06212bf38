"""The learning journal's receivers of the core's plug-in points (pioneer.hooks).
Imported once from TandemsConfig.ready(). The journal answers no cohort hook on purpose:
no dashboard figure, attention item, record line or count ever includes an entry."""

from django.dispatch import receiver
from django.utils.translation import gettext_lazy

from pioneer import hooks
from pioneer.hooks import NavItem
from pioneer.models import Role


@receiver(hooks.navigation, dispatch_uid="tandems.journal_navigation")
def navigation(sender, request, roles, **kwargs):
    if roles.has(Role.Kind.PARTICIPANT):
        return NavItem("tandems:journal", gettext_lazy("Learning journal"), order=55)
    return None
