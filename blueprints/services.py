"""Writes of the blueprints app: keyword-only functions named <entity>_<verb>.

Only the programme office of the publishing organisation may publish or withdraw a
blueprint; anyone else gets PermissionDenied. No e-mails or tasks are sent.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from blueprints.models import Blueprint
from blueprints.rules import publishes


def _check(blueprint, by):
    # The predicate itself, not user.has_perm: a superuser is no programme office either.
    if not publishes(by, blueprint):
        raise PermissionDenied


@transaction.atomic
def blueprint_publish(*, blueprint: Blueprint, by, now=None) -> Blueprint:
    """Make the blueprint public. It keeps an earlier publication date (a withdrawn one
    that comes back is not news); a missing or future one becomes now."""
    _check(blueprint, by)
    blueprint = Blueprint.objects.select_for_update().get(pk=blueprint.pk)
    now = now or timezone.now()
    blueprint.is_public = True
    if blueprint.published_at is None or blueprint.published_at > now:
        blueprint.published_at = now
    blueprint.save(update_fields=["is_public", "published_at", "updated_at"])
    return blueprint


@transaction.atomic
def blueprint_withdraw(*, blueprint: Blueprint, by) -> Blueprint:
    """Take the blueprint off the public pages; its publication date stays on record."""
    _check(blueprint, by)
    blueprint = Blueprint.objects.select_for_update().get(pk=blueprint.pk)
    blueprint.is_public = False
    blueprint.save(update_fields=["is_public", "updated_at"])
    return blueprint
