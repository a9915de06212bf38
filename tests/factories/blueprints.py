"""Factories for the blueprints app.

BlueprintFactory()                     a published blueprint of a new ministry
BlueprintFactory(draft=True)           not public, no publication date
BlueprintFactory(organisation=org)     published by org (its programme office manages it)
"""

from datetime import timedelta

import factory
from django.utils import timezone

from blueprints.models import Blueprint
from tests.factories.core import OrganisationFactory


class BlueprintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Blueprint

    class Params:
        draft = factory.Trait(is_public=False, published_at=None)

    title = factory.Sequence(lambda n: f"Blaupause {n}")
    slug = factory.Sequence(lambda n: f"blaupause-{n}")
    category = Blueprint.Category.METHOD
    summary = "Eine kurze Zusammenfassung."
    body = "Erster Absatz.\n\nZweiter Absatz."
    language = "de"
    organisation = factory.SubFactory(OrganisationFactory)
    programme = None
    is_public = True
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
