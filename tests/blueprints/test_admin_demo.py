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


def test_the_demo_world_has_mik_adopt_pioneer4bb_and_mik_can_adopt_it_again(client):
    """The done-when of the issue: as the other ministry's office after `make run` you
    find the pioneer4BB blueprints, download them and start your own programme."""
    from blueprints.models import Adoption
    from cohorts.models import Cohort, Programme
    from companion.models import Event
    from evaluation.models import Survey
    from pioneer.models import User

    call_command("seed_demo", verbosity=0)
    adoption = Adoption.objects.select_related("source_programme", "organisation").get()
    assert adoption.source_programme.slug == "pioneer4bb"
    assert adoption.organisation.short_name == "MIK"
    assert adoption.programme.organisation == adoption.organisation
    assert adoption.cohort.state == Cohort.State.DRAFT
    assert adoption.source_cohort.slug == "durchgang-2"  # the running one: its plan was tried
    assert adoption.blueprints.count() == 5  # the published ones, not the draft
    copied = Event.objects.filter(cohort=adoption.cohort)
    assert (
        copied.count()
        == Event.objects.filter(cohort=adoption.source_cohort, state=Event.State.PLANNED).count()
        > 0
    )
    assert not copied.exclude(host_organisation=None).exists()
    assert Survey.objects.filter(cohort=adoption.cohort, state=Survey.State.DRAFT).exists()
    call_command("seed_demo", verbosity=0)
    assert Adoption.objects.count() == 1

    client.force_login(User.objects.get(email="office@mik.example"))
    listing = client.get("/blueprints/").content.decode()
    assert 'href="/blueprints/adopt/pioneer4bb/"' in listing
    page = client.get("/blueprints/vorlage-hospitationsvereinbarung/").content.decode()
    assert "Ministerium des Innern und für Kommunales" in page  # names it reuses
    blueprint = Blueprint.objects.get(slug="vorlage-hospitationsvereinbarung")
    download = client.get(
        f"/blueprints/{blueprint.slug}/files/{blueprint.files.get().pk}/download/"
    )
    assert download.status_code == 200
    response = client.post(
        "/blueprints/adopt/pioneer4bb/",
        {
            "name": "Zweites Tandemprogramm",
            "cohort_title": "1. Durchgang",
            "start_date": "2030-03-01",
            "format": "tandem",
            "default_cohort_months": "6",
            "default_phase_months": "3",
            "confirmed": "1",
        },
    )
    assert response.status_code == 302
    assert Programme.objects.filter(
        name="Zweites Tandemprogramm", organisation=adoption.organisation
    ).exists()
