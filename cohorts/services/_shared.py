"""Helpers shared by the cohorts services."""

import copy

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


def save_unique(obj, field, message):
    """Save `obj`; a concurrent twin that took the same unique value first (both passed
    full_clean, only one INSERT can win) becomes a ValidationError on `field` instead
    of a server error."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ValidationError({field: message}) from None


class _Unchanged:
    """The default of an update service's fields: keep the stored value."""

    def __repr__(self):
        return "UNCHANGED"

    def __bool__(self):
        return False


UNCHANGED = _Unchanged()


def apply_changes(obj, **values):
    """Set the values that were given (not UNCHANGED) on `obj`."""
    for name, value in values.items():
        if value is not UNCHANGED:
            setattr(obj, name, value)


def changed_copy(obj, **values):
    """A copy of `obj` with the given values: an update checks and saves the copy, so
    that a refusal leaves the caller's instance as it was (`apply_changes` to it after
    the save)."""
    changed = copy.copy(obj)
    apply_changes(changed, **values)
    return changed
