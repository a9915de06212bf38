"""Writes of programmes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cohorts.models import Programme
from cohorts.services._shared import UNCHANGED, apply_changes, changed_copy, save_unique
from pioneer.access import actor, check_own_office

# The lengths a programme may plan with, in months.
MIN_MONTHS, MAX_MONTHS = 1, 36


def check_programme(programme):
    """The rules of a programme's plan, keyed by field, whoever calls: each length
    within MIN_MONTHS..MAX_MONTHS, a phase no longer than the whole cohort."""
    errors = {}
    for field in ("default_cohort_months", "default_phase_months"):
        value = getattr(programme, field)
        if value is not None and not MIN_MONTHS <= value <= MAX_MONTHS:
            errors[field] = _("Enter a length between 1 and 36 months.")
    cohort, phase = programme.default_cohort_months, programme.default_phase_months
    if not errors and cohort and phase and phase > cohort:
        errors["default_phase_months"] = _("A phase cannot be longer than the whole cohort.")
    if errors:
        raise ValidationError(errors)


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
    check_programme(programme)
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
    their values; a refusal leaves `programme` as it was. The history records `by`.
    No side effects."""
    changes = {
        "name": name,
        "slug": slug,
        "description": description,
        "format": format,
        "default_cohort_months": default_cohort_months,
        "default_phase_months": default_phase_months,
        "is_public": is_public,
    }
    changed = changed_copy(programme, **changes)
    check_programme(changed)
    changed.full_clean()
    changed._history_user = actor(by)
    save_unique(changed, "slug", _("Another programme has this short name."))
    apply_changes(programme, **changes)
    return programme
