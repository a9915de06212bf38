"""An event's linked materials: the library's blueprints the office chooses when planning
it (through pioneer.hooks.material_choices / material_links: companion and blueprints do
not import each other). Only what the person may link is saved; each viewer of the event
page sees only what they may read; the plan's copy and an adoption keep them."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from blueprints.models import Blueprint
from cohorts import hooks as cohort_hooks
from companion import services
from companion.models import Event
from pioneer import hooks
from pioneer.access import SYSTEM
from tests.factories.blueprints import BlueprintFactory
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.companion import EventFactory, participant_in
from tests.factories.core import office_user
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db

SIGNED_IN = Blueprint.Visibility.SIGNED_IN


@pytest.fixture
def world():
    programme = ProgrammeFactory()
    cohort = CohortFactory(programme=programme)
    office = office_user(programme.organisation)
    return {
        "cohort": cohort,
        "office": office,
        "event": EventFactory(cohort=cohort),
        "anna": participant_in(cohort),
        "public": BlueprintFactory(title="Design Thinking Workshop"),
        "signed_in": BlueprintFactory(title="Kollegiale Fallberatung", visibility=SIGNED_IN),
        # A draft of another organisation, and one of the office's own: neither is in the
        # library yet, so neither can be linked.
        "foreign_draft": BlueprintFactory(draft=True, title="Fremder Entwurf"),
        "own_draft": BlueprintFactory(
            draft=True, title="Eigener Entwurf", organisation=programme.organisation
        ),
    }


def _slugs(*blueprints):
    return [b.slug for b in blueprints]


def _form_data(event, materials):
    local = timezone.localtime
    return {
        "kind": event.kind,
        "title": event.title,
        "starts_at": local(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "format": "online",
        "online_link": "https://meet.example/material",
        "capacity": "",
        "materials": materials,
    }


def test_the_office_may_link_what_it_may_read_and_only_that(world):
    choices = dict(hooks.material_choices_for(world["office"]))
    assert set(choices) == set(_slugs(world["public"], world["signed_in"]))
    assert choices[world["public"].slug] == "Design Thinking Workshop"
    # Someone without signing in would be offered the public one only.
    assert dict(hooks.material_choices_for(AnonymousUser())).keys() == {world["public"].slug}


def test_choosing_materials_saves_them_and_a_bad_key_is_refused(world):
    event, office = world["event"], world["office"]
    services.event_update(
        event=event, by=office, materials=_slugs(world["public"], world["signed_in"])
    )
    event.refresh_from_db()
    assert event.materials == _slugs(world["public"], world["signed_in"])
    for bad in (
        [world["foreign_draft"].slug],
        [world["own_draft"].slug],
        ["keine-solche-blaupause"],
        [7],
        "nicht-eine-liste",
    ):
        with pytest.raises(ValidationError) as error:
            services.event_update(event=event, by=office, materials=bad)
        assert "materials" in error.value.message_dict, bad
        event.refresh_from_db()
        assert event.materials == _slugs(world["public"], world["signed_in"])
    count = Event.objects.count()
    with override("en"), pytest.raises(ValidationError, match="you may read"):
        services.event_create(
            cohort=world["cohort"],
            kind=Event.Kind.WORKSHOP,
            title="Mit Entwurf",
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            venue="Potsdam",
            materials=[world["foreign_draft"].slug],
            by=office,
        )
    assert Event.objects.count() == count


def test_a_link_withdrawn_since_may_be_kept_but_not_added_again(world):
    event, office = world["event"], world["office"]
    services.event_update(event=event, by=office, materials=_slugs(world["public"]))
    Blueprint.objects.filter(pk=world["public"].pk).update(is_public=False)
    # Editing the event keeps the link it has (nobody sees it while it is withdrawn) ...
    services.event_update(event=event, by=office, title="Neuer Titel", materials=event.materials)
    event.refresh_from_db()
    assert event.materials == _slugs(world["public"])
    # ... and the event page shows it to nobody.
    assert hooks.material_links_for(office, event.materials) == []


def test_the_form_offers_the_materials_and_refuses_a_bad_one(client, world):
    client.cookies["django_language"] = "en"
    client.force_login(world["office"])
    event = world["event"]
    url = reverse("companion:event_update", kwargs={"pk": event.pk})
    page = client.get(url).content.decode()
    assert world["public"].title in page and world["signed_in"].title in page
    assert world["foreign_draft"].title not in page and world["own_draft"].title not in page
    response = client.post(url, _form_data(event, [world["foreign_draft"].slug]))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    event.refresh_from_db()
    assert event.materials == [] and event.format != "online"
    response = client.post(url, _form_data(event, [world["public"].slug]))
    assert response.status_code == 302, response.content.decode()[:3000]
    event.refresh_from_db()
    assert event.materials == [world["public"].slug]


def test_the_event_page_shows_only_what_the_viewer_may_read(client, world):
    event = world["event"]
    event.materials = _slugs(
        world["public"], world["signed_in"], world["foreign_draft"], world["own_draft"]
    ) + ["geloescht"]
    event.save()
    url = reverse("companion:event_detail", kwargs={"pk": event.pk})
    for person in (world["office"], world["anna"].user):
        client.force_login(person)
        page = client.get(url).content.decode()
        assert "Fremder Entwurf" not in page and "Eigener Entwurf" not in page
        for readable in (world["public"], world["signed_in"]):
            link = reverse("blueprints:detail", kwargs={"slug": readable.slug})
            assert f'href="{link}"' in page and readable.title in page
    # Without signing in only the public one (the event page itself asks to sign in; the
    # answer of the signal is what any page would show).
    assert hooks.material_links_for(AnonymousUser(), event.materials) == [
        (
            world["public"].slug,
            world["public"].title,
            reverse("blueprints:detail", kwargs={"slug": world["public"].slug}),
        )
    ]


def test_no_materials_no_section(client, world):
    client.cookies["django_language"] = "en"
    client.force_login(world["anna"].user)
    url = reverse("companion:event_detail", kwargs={"pk": world["event"].pk})
    assert 'id="event-materials"' not in client.get(url).content.decode()
    world["event"].materials = _slugs(world["foreign_draft"])
    world["event"].save()
    assert 'id="event-materials"' not in client.get(url).content.decode()


@pytest.mark.parametrize("adopted", [False, True])
def test_the_copy_of_the_plan_keeps_the_materials(world, adopted):
    event = world["event"]
    services.event_update(event=event, by=world["office"], materials=_slugs(world["public"]))
    target = CohortFactory(programme=world["cohort"].programme)
    cohort_hooks.cohort_copied.send(
        sender=None,
        source=world["cohort"],
        target=target,
        shift=timedelta(days=182),
        by=SYSTEM,
        adopted=adopted,
    )
    copy = Event.objects.get(cohort=target)
    assert copy.materials == _slugs(world["public"])


def test_event_page_queries_flat_with_1_and_50_materials(client, world):
    event = world["event"]
    client.force_login(world["anna"].user)

    def materials(count):
        made = BlueprintFactory.create_batch(count)
        event.materials = [*event.materials, *_slugs(*made)]
        event.save()

    assert_flat_queries(
        client, reverse("companion:event_detail", kwargs={"pk": event.pk}), materials
    )
    page = client.get(reverse("companion:event_detail", kwargs={"pk": event.pk}))
    section = page.content.decode().split('id="event-materials"')[1].split("</section>")[0]
    assert section.count("<li>") == 50


def test_event_form_queries_flat_with_1_and_50_blueprints(client, world):
    client.force_login(world["office"])

    def blueprints(count):
        BlueprintFactory.create_batch(count)

    assert_flat_queries(
        client, reverse("companion:event_update", kwargs={"pk": world["event"].pk}), blueprints
    )
