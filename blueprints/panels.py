"""What the blueprints app adds to shared pages: the landing section and the navigation.
Imported once from BlueprintsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from blueprints import selectors
from pioneer import context_processors, pages

LANDING_COUNT = 3


def _landing_blueprints(request):
    return {"blueprints": list(selectors.public_blueprints()[:LANDING_COUNT])}


def register():
    pages.register_landing_section(
        "blueprints.public",
        template="blueprints/landing_blueprints.html",
        provider=_landing_blueprints,
        order=20,  # after the open cohorts (10)
    )
    item = (None, "blueprints:list", _("Blueprints"))
    if item not in context_processors.NAVIGATION:
        context_processors.NAVIGATION.append(item)
