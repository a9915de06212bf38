"""Writes of programmes."""

from django.db import transaction
from django.utils.translation import gettext as _

from cohorts.models import Programme
from cohorts.services._shared import save_unique
from pioneer.access import check_own_office


@transaction.atomic
def programme_create(*, organisation, name, slug, by, **fields):
    """Create a programme run by `organisation`'s programme office, which must be one of
    `by`'s own (a programme decides whose office sees its cohorts). No side effects."""
    check_own_office(by, organisation)
    programme = Programme(organisation=organisation, name=name, slug=slug, **fields)
    programme.full_clean()
    save_unique(programme, "slug", _("Another programme has this short name."))
    return programme


@transaction.atomic
def programme_update(*, programme, by=None, **fields):
    """Change a programme's details (never its organiser). No side effects."""
    fields.pop("organisation", None)
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean()
    save_unique(programme, "slug", _("Another programme has this short name."))
    return programme
