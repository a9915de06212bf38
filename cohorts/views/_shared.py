"""What the cohorts views share: showing a service's refusal on a form, the status of a
page with a form, and the office's cohort from the URL."""

from django.shortcuts import render

from cohorts import selectors
from pioneer.forms import apply_errors  # noqa: F401  (the one helper; views take it from here)
from pioneer.models import Role
from pioneer.permissions import require

OFFICE = Role.Kind.PROGRAMME_OFFICE
PARTNER = Role.Kind.PARTNER_CONTACT


def render_form(request, template, context, form=None):
    """The page, answering 400 when the form has errors."""
    status = 400 if form is not None and form.errors else 200
    return render(request, template, context, status=status)


def office_cohort(request, cohort_pk, perm="cohorts.manage_participations"):
    """The office's cohort (404 for anyone else's), if the rule for `perm` allows."""
    cohort = selectors.office_cohort_or_404(request.user, cohort_pk)
    require(perm, request.user, cohort)
    return cohort


def cohort_frame(request, cohort, current):
    """What the shared header of every cohort tab needs (templates/cohorts/_cohort_header.html)."""
    return {
        "cohort_tabs": selectors.cohort_tabs(cohort, request, current),
        "status_label": selectors.status_label(cohort.programme, cohort.state),
    }
