"""Writes of programmes."""

from django.db import transaction
from django.utils.translation import gettext as _

from cohorts.models import Programme
from cohorts.services._shared import UNCHANGED, apply_changes, save_unique
from pioneer.access import actor, check_own_office


@transaction.atomic
def programme_create(
    *,
    organisation,
    name,
    slug,
    by,
    description="",
    format=Programme.Format.TANDEM,
    default_cohort_months=6,
    default_phase_months=3,
    is_public=True,
):
    """Create a programme run by `organisation`'s programme office, which must be one of
    `by`'s own (a programme decides whose office sees its cohorts). The history records
    `by`. No side effects."""
    check_own_office(by, organisation)
    programme = Programme(
        organisation=organisation,
        name=name,
        slug=slug,
        description=description,
        format=format,
        default_cohort_months=default_cohort_months,
        default_phase_months=default_phase_months,
        is_public=is_public,
    )
    programme.full_clean()
    programme._history_user = actor(by)
    save_unique(programme, "slug", _("Another programme has this short name."))
    return programme


@transaction.atomic
def programme_update(
    *,
    programme,
    by,
    name=UNCHANGED,
    slug=UNCHANGED,
    description=UNCHANGED,
    format=UNCHANGED,
    default_cohort_months=UNCHANGED,
    default_phase_months=UNCHANGED,
    is_public=UNCHANGED,
):
    """Change a programme's details (never its organiser); the fields not given keep
    their values. The history records `by`. No side effects."""
    apply_changes(
        programme,
        name=name,
        slug=slug,
        description=description,
        format=format,
        default_cohort_months=default_cohort_months,
        default_phase_months=default_phase_months,
        is_public=is_public,
    )
    programme.full_clean()
    programme._history_user = actor(by)
    save_unique(programme, "slug", _("Another programme has this short name."))
    return programme
