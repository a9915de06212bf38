"""The next cohort from this one: copy a cohort's structure with its dates shifted.

The cohort's own structure is its dates, interest window and planned number of tandems.
Later apps copy what they own (the companion programme's event plan, the evaluation's
survey set) through the `cohorts.hooks.cohort_copied` signal, which this service sends inside the
same transaction: either everything is copied or nothing.

People and registrations are not copied: every cohort recruits anew.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cohorts import hooks
from cohorts.models import Cohort
from cohorts.services import cohort_create
from pioneer.validators import MAX_DATE, RESERVED_SLUGS, check_date


def shift_for(source, start_date):
    """The time between the source's start and the new start (a year when unset)."""
    if source.start_date and start_date:
        return start_date - source.start_date
    return timedelta(days=365)


def suggested_start(source):
    """The same day a year later (29 February becomes 28 February)."""
    if not source.start_date:
        return None
    start = source.start_date
    if start.year >= MAX_DATE.year:
        return None
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return date(start.year + 1, start.month, 28)


def _shifted(value, shift):
    return value + shift if value else None


def _free_slug(programme, title):
    base = slugify(title)[:70] or "cohort"
    taken = set(
        Cohort.objects.filter(programme=programme, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, number = base, 2
    while slug in taken or slug in RESERVED_SLUGS:
        slug = f"{base}-{number}"
        number += 1
    return slug


@transaction.atomic
def cohort_copy_next(*, cohort, title, start_date=None, by=None):
    """Create a draft cohort of the same programme with the source's structure, its dates
    shifted so that it starts on `start_date` (a year later when not given).

    Side effects: whatever the receivers of `hooks.cohort_copied` copy. No e-mails.
    """
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Please give the new cohort a title.")})
    if Cohort.objects.filter(programme=cohort.programme, title__iexact=title).exists():
        raise ValidationError({"title": _("The programme already has a cohort of this title.")})
    if start_date is not None:
        check_date(start_date, "start_date")
    start_date = start_date or suggested_start(cohort)
    shift = shift_for(cohort, start_date)
    try:
        for value in (cohort.end_date, cohort.interest_opens, cohort.interest_closes):
            _shifted(value, shift)
    except OverflowError:
        # Only a source with dates beyond any sensible range gets here.
        raise ValidationError(
            {"start_date": _("The dates of the new cohort would lie outside any calendar.")}
        ) from None
    new = cohort_create(
        programme=cohort.programme,
        title=title,
        slug=_free_slug(cohort.programme, title),
        by=by,
        start_date=_shifted(cohort.start_date, shift) if cohort.start_date else start_date,
        end_date=_shifted(cohort.end_date, shift),
        interest_opens=_shifted(cohort.interest_opens, shift),
        interest_closes=_shifted(cohort.interest_closes, shift),
        planned_tandems=cohort.planned_tandems,
        created_from=cohort,
    )
    hooks.cohort_copied.send(sender=Cohort, source=cohort, target=new, shift=shift, by=by)
    return new
