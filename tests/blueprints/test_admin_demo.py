"""Staff edit blueprints in the admin; the demo world brings the pilot's blueprints."""

import pytest
from django.core.management import call_command

from blueprints import selectors
from blueprints.models import Blueprint, BlueprintFileVersion
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


def test_the_demo_world_publishes_five_with_files_and_keeps_one_draft(client):
    call_command("seed_demo", verbosity=0)
    public = list(selectors.public_blueprints())
    assert [b.slug for b in public] == [
        "evaluation-pioneer4bb-pilot",
        "handlungsempfehlungen-pilotierung",
        "vorlage-hospitationsvereinbarung",
        "design-thinking-workshop-en",
        "design-thinking-workshop",
    ]
    assert {b.organisation.short_name for b in public} == {"MLUK"}
    assert {b.programme.slug for b in public} == {"pioneer4bb"}
    assert {b.category for b in public} == {"evaluation", "recommendation", "method", "template"}
    assert list(Blueprint.objects.filter(is_public=False).values_list("slug", flat=True)) == [
        "leitfaden-lerntagebuch"
    ]
    # The workshop in German and in English, the English one a translation of the German.
    german = Blueprint.objects.get(slug="design-thinking-workshop")
    english = Blueprint.objects.get(slug="design-thinking-workshop-en")
    assert (german.language, english.language, english.translation_of) == ("de", "en", german)
    assert "## Ablauf des Tages" in german.body and "## Agenda of the day" in english.body
    assert "## Rollen" in german.body and german.materials and english.materials
    assert (german.duration_minutes, german.group_min, german.group_max) == (450, 8, 24)
    # Every published one has a real file that passed the upload checks.
    for blueprint in public:
        (blueprint_file,) = blueprint.files.all()
        (version,) = blueprint_file.versions.all()
        response = client.get(f"/blueprints/{blueprint.slug}/files/{blueprint_file.pk}/download/")
        data = b"".join(response.streaming_content)
        assert response.status_code == 200 and len(data) == version.size
        assert data.startswith(b"%PDF-" if version.display_name.endswith(".pdf") else b"PK")
    page = client.get("/blueprints/design-thinking-workshop/").content.decode()
    assert "/blueprints/design-thinking-workshop-en/" in page and "<table>" in page

    before = list(Blueprint.objects.order_by("pk").values())
    files = list(BlueprintFileVersion.objects.order_by("pk").values())
    call_command("seed_demo", verbosity=0)
    assert list(Blueprint.objects.order_by("pk").values()) == before
    assert list(BlueprintFileVersion.objects.order_by("pk").values()) == files
