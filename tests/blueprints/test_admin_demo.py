"""Staff edit blueprints in the admin; the demo world brings the pilot's blueprints."""

import pytest
from django.core.management import call_command

from blueprints import selectors
from blueprints.models import Blueprint
from tests.factories.blueprints import BlueprintFactory
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_lists_and_edits_blueprints(client):
    blueprint = BlueprintFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/blueprints/blueprint/").status_code == 200
    assert client.get("/admin/blueprints/blueprint/add/").status_code == 200
    response = client.get(f"/admin/blueprints/blueprint/{blueprint.pk}/change/")
    assert response.status_code == 200
    assert blueprint.title in response.content.decode()


def test_the_demo_world_publishes_three_and_keeps_one_draft():
    call_command("seed_demo", verbosity=0)
    public = list(selectors.public_blueprints())
    assert [b.slug for b in public] == [
        "evaluation-pioneer4bb-pilot",
        "handlungsempfehlungen-pilotierung",
        "design-thinking-workshop",
    ]
    assert {b.organisation.short_name for b in public} == {"MLUK"}
    assert {b.programme.slug for b in public} == {"pioneer4bb"}
    assert {b.category for b in public} == {"evaluation", "recommendation", "method"}
    assert Blueprint.objects.filter(is_public=False).count() == 1
    assert all(b.language == "de" for b in Blueprint.objects.all())

    before = list(Blueprint.objects.order_by("pk").values())
    call_command("seed_demo", verbosity=0)
    assert list(Blueprint.objects.order_by("pk").values()) == before
