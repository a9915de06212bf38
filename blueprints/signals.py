"""The blueprints app's receivers of the core's plug-in points (pioneer.hooks): the
landing page's newest blueprints, the navigation, the material other apps link (an
event's blueprints: `material_choices`, `material_links`) and documents other apps publish
(`publish_document`: a draft of the cohort's organisation); and its own model's save, which keeps
the stored search vector current (services, admin, demo and tests all save). Imported once
from ready()."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from blueprints import search, selectors, services
from blueprints.models import Adoption, Blueprint, BlueprintFile, BlueprintFileVersion, Tag
from pioneer import hooks, landing
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


# The landing's cards show published blueprints (pioneer.landing keeps them rendered).
post_save.connect(landing.changed, sender=Blueprint, dispatch_uid="blueprints.landing.saved")
post_delete.connect(landing.changed, sender=Blueprint, dispatch_uid="blueprints.landing.deleted")
# The library keeps its tag filter's choices the same way (blueprints.views._tags_in_use).
post_save.connect(landing.changed, sender=Tag, dispatch_uid="blueprints.landing.tag_saved")
post_delete.connect(landing.changed, sender=Tag, dispatch_uid="blueprints.landing.tag_deleted")
m2m_changed.connect(
    landing.changed, sender=Blueprint.tags.through, dispatch_uid="blueprints.landing.tags_set"
)
# And a blueprint page's files, versions and adopters (blueprints.views._detail_lists).
for _model in (BlueprintFile, BlueprintFileVersion, Adoption):
    post_save.connect(
        landing.changed, sender=_model, dispatch_uid=f"blueprints.landing.{_model.__name__}.saved"
    )
    post_delete.connect(
        landing.changed,
        sender=_model,
        dispatch_uid=f"blueprints.landing.{_model.__name__}.deleted",
    )
m2m_changed.connect(
    landing.changed,
    sender=Adoption.blueprints.through,
    dispatch_uid="blueprints.landing.adoption_blueprints_set",
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

# What pioneer.hooks.publish_document's kinds of document are in the library.
DOCUMENT_CATEGORIES = {hooks.DOCUMENT_EVALUATION_REPORT: Blueprint.Category.EVALUATION}


@receiver(hooks.material_choices, dispatch_uid="blueprints.material_choices")
def material_choices(sender, user, **kwargs):
    """The published blueprints `user` may read, to link as material (one query)."""
    return selectors.material_choices(user)


@receiver(hooks.material_links, dispatch_uid="blueprints.material_links")
def material_links(sender, user, keys, **kwargs):
    """Of the linked slugs, those `user` may read, with their pages (one query)."""
    return [
        (slug, title, reverse("blueprints:detail", kwargs={"slug": slug}))
        for slug, title in selectors.material_links(user, keys)
    ]


@receiver(hooks.publish_document, dispatch_uid="blueprints.publish_document")
def publish_document(
    sender,
    title,
    summary,
    body_markdown,
    files,
    origin_cohort,
    category,
    by,
    language="de",
    **kwargs,
):
    """Another app's finished document becomes a draft blueprint of the organisation that
    runs the cohort (its office reviews and publishes it); answers the draft's URL."""
    if category not in DOCUMENT_CATEGORIES:
        return None
    blueprint = services.blueprint_offer(
        cohort=origin_cohort,
        title=title,
        summary=summary,
        body=body_markdown,
        category=DOCUMENT_CATEGORIES[category],
        language=language,
        files=files,
        by=by,
    )
    return reverse("blueprints:detail", kwargs={"slug": blueprint.slug})
