"""Reads of the blueprints app, and the querysets scoped to who may see what."""

from django.db.models import Q
from django.utils import timezone

from blueprints.models import Blueprint
from pioneer.models import Role
from pioneer.rules import roles_of


def _published(now=None):
    return Q(is_public=True, published_at__lte=now or timezone.now())


def public_blueprints(now=None):
    """What everyone may read: public and published by now, newest first."""
    return (
        Blueprint.objects.filter(_published(now))
        .select_related("organisation", "programme")
        .order_by("-published_at", "-id")
    )


def managed_blueprints(user):
    """The blueprints of the organisations whose programme office the user works in."""
    org_ids = roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)
    return Blueprint.objects.filter(organisation_id__in=org_ids).select_related(
        "organisation", "programme"
    )


def unpublished_blueprints_for(user):
    """The user's office's blueprints that nobody else can read yet (drafts, withdrawn or
    dated in the future)."""
    return managed_blueprints(user).exclude(_published()).order_by("title", "id")


def visible_blueprints(user, now=None):
    """Public ones for everyone, and the own office's unpublished ones as well."""
    org_ids = roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)
    query = _published(now)
    if org_ids:
        query |= Q(organisation_id__in=org_ids)
    return Blueprint.objects.filter(query).select_related("organisation", "programme")
