"""Reads of the learning journal (Lerntagebuch), scoped to the person asking.

The journal is what the staff council (Personalrat) asks about, so every read of an
entry goes through one of the three functions below, and each says whose entries it
returns:

- `own_entries(user)`: the author's own entries, private ones included (nobody else);
- `entries_shared_with_partner(user)`: entries that the user's tandem partner shared with
  the partner ("partner" or "both"), while their tandem has not ended early;
- `entries_shared_with_office(tandem)`: the entries of a tandem's two people that they
  shared with the programme office ("office" or "both"); the caller has scoped the
  tandem to the office (`tandems.selectors.tandems_of`).

No other module reads `JournalEntry` for anyone but its author: no count, figure, search,
export or admin page includes an entry (tests/tandems/test_journal_privacy.py looks for a
private text along every path).
"""

from django.db.models import Q

from cohorts.models import Participation, Programme
from tandems.models import HospitationPhase, JournalEntry, Tandem


def journal_participations(user):
    """The person's participations in cohorts with tandems (not withdrawn), newest
    cohort first: where their journal entries belong."""
    if not user.is_authenticated:
        return Participation.objects.none()
    return (
        Participation.objects.filter(user=user, cohort__programme__format=Programme.Format.TANDEM)
        .exclude(state=Participation.State.WITHDRAWN)
        .select_related("cohort__programme")
        .order_by("-cohort__start_date", "-pk")
    )


def phases_of_participation(participation):
    """The two phases of the person's live tandem in that cohort ([] without one)."""
    own = Q(tandem__administration=participation) | Q(tandem__external=participation)
    return list(
        HospitationPhase.objects.filter(own)
        .exclude(tandem__state=Tandem.State.ENDED_EARLY)
        .select_related("host_organisation", "guest__user")
        .order_by("number")
    )


def _with_context(queryset):
    return queryset.select_related(
        "participation__cohort", "participation__user", "phase__host_organisation"
    ).order_by("-date", "-pk")


def own_entries(user):
    """The author's own entries, private ones included."""
    if not user.is_authenticated:
        return JournalEntry.objects.none()
    return _with_context(JournalEntry.objects.filter(participation__user=user))


def _partner_participations(user):
    """The participations of the user's partners in tandems that did not end early."""
    live = Tandem.objects.exclude(state=Tandem.State.ENDED_EARLY)
    as_administration = live.filter(administration__user=user).values("external_id")
    as_external = live.filter(external__user=user).values("administration_id")
    return Q(participation_id__in=as_administration) | Q(participation_id__in=as_external)


def entries_shared_with_partner(user):
    """What the user's tandem partners shared with them, read only."""
    if not user.is_authenticated:
        return JournalEntry.objects.none()
    return _with_context(
        JournalEntry.objects.filter(visibility__in=JournalEntry.SHARED_WITH_PARTNER).filter(
            _partner_participations(user)
        )
    )


def entries_shared_with_office(tandem):
    """The entries the tandem's two people shared with the programme office."""
    return _with_context(
        JournalEntry.objects.filter(
            participation_id__in=[tandem.administration_id, tandem.external_id],
            visibility__in=JournalEntry.SHARED_WITH_OFFICE,
        )
    )
