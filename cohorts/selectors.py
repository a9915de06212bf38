"""Reads of the cohorts app, scoped to the person asking (deny by default).

A programme office sees only the programmes its organisation runs, and their cohorts
and registrations; a partner contact sees only its organisation's registrations.
"""

from django.db.models import Count, Q
from django.utils import timezone

from cohorts.models import Cohort, InterestRegistration, Programme, organisation_key
from pioneer.models import Organisation, Role
from pioneer.rules import roles_of


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
    """Registrations of the partner contact's own organisations: those linked to them,
    and confirmed ones under the same name (a new cohort, not yet accepted)."""
    org_ids = partner_organisation_ids(user)
    if not org_ids:
        return InterestRegistration.objects.none()
    keys = {
        organisation_key(name)
        for name in Organisation.objects.filter(pk__in=org_ids).values_list("name", flat=True)
    }
    return (
        InterestRegistration.objects.filter(
            Q(organisation_id__in=org_ids)
            | Q(
                organisation_key__in=keys,
                organisation__isnull=True,
                state__in=InterestRegistration.COUNTING,
            )
        )
        .select_related("cohort", "cohort__programme")
        .order_by("-created_at", "-id")
    )


def registrations_for(user):
    """Everything the user may see: the office's queue, or a partner's own."""
    if office_organisation_ids(user):
        return registrations_for_office(user)
    return registrations_for_partner(user)


def registration_counts(queryset):
    """{state: count} in one query."""
    rows = queryset.order_by().values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}
