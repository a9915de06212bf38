"""Reads of the tandems app, scoped to the person asking (deny by default).

The office sees the tandems of the cohorts its organisation runs (`cohorts_for`), a
participant their own tandems, and, to state preferences, the other side of their own
cohort as anonymised profiles (no names, no organisations). Journal entries are not read
here yet; when they are, the office's reads must never include private ones.
"""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cohorts.models import Cohort, Participation, Programme
from cohorts.selectors import cohorts_for
from tandems.matching import unmatched
from tandems.models import HospitationPhase, MatchPreference, Milestone, Tandem

# Whom a participant may state preferences about, and when.
PREFERENCE_STATES = (Cohort.State.OPEN, Cohort.State.MATCHING)


def tandem_cohorts_for(user):
    """The office's cohorts of programmes with tandems."""
    return cohorts_for(user).filter(programme__format=Programme.Format.TANDEM)


def _overdue(today):
    rows = (
        Milestone.objects.filter(tandem=OuterRef("pk"), done_at__isnull=True, due_date__lt=today)
        .order_by()
        .values("tandem")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _with_people(queryset):
    return queryset.select_related(
        "cohort__programme",
        "administration__user",
        "administration__organisation",
        "external__user",
        "external__organisation",
    ).prefetch_related(
        Prefetch(
            "phases",
            queryset=HospitationPhase.objects.select_related(
                "host_organisation", "host_contact", "guest__user"
            ).order_by("number"),
        )
    )


def tandems_of(cohort, today=None):
    """The cohort's tandems with both people, their phases and how many milestones are
    overdue (two queries)."""
    today = today or timezone.localdate()
    return (
        _with_people(Tandem.objects.filter(cohort=cohort))
        .annotate(overdue=_overdue(today))
        .order_by("administration__user__name", "pk")
    )


def filter_board(queryset, *, state="", overdue=False, text=""):
    if state:
        queryset = queryset.filter(state=state)
    if overdue:
        queryset = queryset.filter(overdue__gt=0)
    text = (text or "").strip()
    if text:
        queryset = queryset.filter(
            Q(administration__user__name__icontains=text)
            | Q(external__user__name__icontains=text)
            | Q(administration__organisation__name__icontains=text)
            | Q(external__organisation__name__icontains=text)
            | Q(topic__icontains=text)
        )
    return queryset


def tandem_counts(cohort):
    """{state: count} of the cohort's tandems (one query)."""
    rows = Tandem.objects.filter(cohort=cohort).values("state").annotate(n=Count("id")).order_by()
    return {row["state"]: row["n"] for row in rows}


def tandems_for_office(user):
    """The tandems of the cohorts the user's office runs."""
    return _with_people(Tandem.objects.filter(cohort__in=tandem_cohorts_for(user)))


def milestones_of(tandem):
    return Milestone.objects.filter(tandem=tandem).order_by("due_date", "id")


def people_without_tandem(cohort):
    """The cohort's people who are not withdrawn and in no live tandem."""
    return unmatched(cohort)


def tandems_of_participant(user):
    """The person's own tandems (not those ended early), newest cohort first."""
    own = Q(administration__user=user) | Q(external__user=user)
    return (
        _with_people(Tandem.objects.filter(own))
        .exclude(state=Tandem.State.ENDED_EARLY)
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "id"))
        )
        .order_by("-cohort__start_date", "-pk")
    )


def tandems_of_participant_light(user):
    """The person's own tandems with their phases, for the home panel (two queries)."""
    own = Q(administration__user=user) | Q(external__user=user)
    return (
        Tandem.objects.filter(own)
        .exclude(state=Tandem.State.ENDED_EARLY)
        .select_related(
            "cohort__programme",
            "administration__user",
            "administration__organisation",
            "external__user",
            "external__organisation",
        )
        .prefetch_related(
            Prefetch(
                "phases",
                queryset=HospitationPhase.objects.select_related(
                    "host_organisation", "guest__user"
                ).order_by("number"),
            )
        )
        .order_by("-cohort__start_date", "-pk")
    )


def preference_participation(user, cohort_pk):
    """The person's own participation in a cohort with tandems (for the preferences)."""
    return (
        Participation.objects.filter(user=user, cohort_id=cohort_pk)
        .exclude(state=Participation.State.WITHDRAWN)
        .filter(cohort__programme__format=Programme.Format.TANDEM)
        .select_related("cohort__programme")
    )


def preference_cohorts(user):
    """The person's participations where preferences can be stated now."""
    return (
        Participation.objects.filter(
            user=user,
            cohort__state__in=PREFERENCE_STATES,
            cohort__programme__format=Programme.Format.TANDEM,
        )
        .exclude(state=Participation.State.WITHDRAWN)
        .select_related("cohort__programme")
    )


def anonymous_profiles(participation):
    """The other side of the cohort who have no tandem yet, without names or
    organisations: [(label, participation, organisation kind, preference)] (two
    queries). The label is a number in a stable order, the same on every visit."""
    others = list(
        unmatched(participation.cohort_id)
        .exclude(side=participation.side)
        .exclude(organisation_id=participation.organisation_id)
        .select_related("organisation")
        .order_by("pk")
    )
    stated = dict(
        MatchPreference.objects.filter(participation=participation).values_list("other_id", "kind")
    )
    return [
        {
            "number": index,
            "participation": other,
            "kind": other.organisation.get_kind_display(),
            "preference": stated.get(other.pk, ""),
        }
        for index, other in enumerate(others, start=1)
    ]
