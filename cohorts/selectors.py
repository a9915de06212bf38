"""Reads of the cohorts app, scoped to the person asking (deny by default).

A programme office sees only the programmes its organisation runs, and their cohorts
and registrations; a partner contact sees only its organisation's registrations.
"""

from django.db.models import Count, Q
from django.utils import timezone

from cohorts.models import Cohort, InterestRegistration, Programme
from pioneer.models import Role
from pioneer.rules import roles_of
from pioneer.selectors import linked_office_ids, organisations_resembling


def office_organisation_ids(user):
    return roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)


def partner_organisation_ids(user):
    return roles_of(user).organisation_ids(Role.Kind.PARTNER_CONTACT)


def programmes_for(user):
    """The programmes the user's programme office runs."""
    return Programme.objects.filter(organisation_id__in=office_organisation_ids(user))


def cohorts_for(user):
    """The cohorts of programmes the user's programme office runs."""
    return Cohort.objects.filter(
        programme__organisation_id__in=office_organisation_ids(user)
    ).select_related("programme")


def open_cohorts(today=None):
    """Cohorts of public programmes that take registrations of interest today."""
    today = today or timezone.localdate()
    return (
        Cohort.objects.filter(state=Cohort.State.OPEN, programme__is_public=True)
        .filter(Q(interest_opens__isnull=True) | Q(interest_opens__lte=today))
        .filter(Q(interest_closes__isnull=True) | Q(interest_closes__gte=today))
        .select_related("programme", "programme__organisation")
        .order_by("start_date", "title")
    )


def registrations_for_office(user):
    """Registrations for cohorts the user's programme office runs (the review queue)."""
    return InterestRegistration.objects.filter(
        cohort__programme__organisation_id__in=office_organisation_ids(user)
    ).select_related("cohort", "cohort__programme", "parent_ministry", "decided_by")


def registrations_for_partner(user):
    """Registrations that an office explicitly linked to the partner contact's
    organisations (accepting and linking them), in programmes whose office linked the
    organisation as its partner. A registration under the same name that nobody linked
    is not theirs: a name proves nothing."""
    org_ids = partner_organisation_ids(user)
    if not org_ids:
        return InterestRegistration.objects.none()
    return (
        InterestRegistration.objects.filter(
            organisation_id__in=org_ids,
            cohort__programme__organisation_id__in=linked_office_ids(org_ids),
        )
        .select_related("cohort", "cohort__programme")
        .order_by("-created_at", "-id")
    )


def organisation_candidates(registration, limit=10):
    """Existing organisations that resemble the registration's (see
    `pioneer.selectors.organisations_resembling`): a suggestion for the office, never a
    link."""
    return organisations_resembling(registration.organisation_name, limit=limit)


def registrations_for(user):
    """Everything the user may see: the office's queue, or a partner's own."""
    if office_organisation_ids(user):
        return registrations_for_office(user)
    return registrations_for_partner(user)


def registration_counts(queryset):
    """{state: count} in one query."""
    rows = queryset.order_by().values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}
