"""The people part's additions to shared pages: the partner contact's "Our people" in the
navigation. Called once from CohortsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from pioneer import context_processors
from pioneer.models import Role


def register():
    item = (Role.Kind.PARTNER_CONTACT, "cohorts:partner_people", _("Our people"))
    if item not in context_processors.NAVIGATION:
        context_processors.NAVIGATION.append(item)
