"""The network of pioneers: an opt-in directory of a programme's participants and alumni.

Who may join: a person with a participation in a cohort of the programme that is not
withdrawn (running or ended: alumni stay). Who may read: only people who joined
themselves, and only the entries of the programmes they joined (reciprocity: nobody
reads the directory without being in it). The programme office, partner contacts and
evaluators cannot read it, unless they joined as participants themselves: the network
is the pioneers' own, and what they write there is not for the organisers' files.

Leaving deletes the entry at once (a real delete, nothing kept).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, TextField, Value
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _

from cohorts.models import Participation, Programme
from companion.models import NetworkEntry
from pioneer import compiled

MEMBERS = {
    Participation.State.CONFIRMED,
    Participation.State.ACTIVE,
    Participation.State.COMPLETED,
}


def eligible_programmes(user):
    """The programmes in whose cohorts the person takes or took part (one query)."""
    if not user.is_authenticated:
        return Programme.objects.none()
    return _eligible_programmes(user.pk)


def _eligible_programmes(user):
    return (
        Programme.objects.filter(
            cohorts__participations__user=user, cohorts__participations__state__in=MEMBERS
        )
        .distinct()
        .order_by("name", "pk")
    )


def own_entries(user):
    if not user.is_authenticated:
        return NetworkEntry.objects.none()
    return _own_entries(user.pk)


def _own_entries(user):
    return NetworkEntry.objects.filter(user=user).select_related("programme")


# The network's pages ask these of the person on every visit: by SQL compiled once per
# process (pioneer.compiled); building the querysets cost more than running them.


def eligible_programme_list(user):
    """`eligible_programmes(user)` as a list."""
    return compiled.objects("companion.network.eligible", _eligible_programmes, user=user.pk)


def own_entry_list(user):
    """`own_entries(user)` as a list, with their programmes."""
    return compiled.objects(
        "companion.network.own", _own_entries, related=("programme",), user=user.pk
    )


def directory_page(user, *, q="", topic="", limit):
    """The first `limit` of `directory_for(user, q=q, topic=topic)` as a list (unsearched,
    by SQL compiled once per process)."""
    if q or topic:
        terms = {"q": q, "topic": topic}
        return compiled.objects(
            f"companion.network.search.{bool(q)}.{bool(topic)}.{limit}",
            _searched,
            related=("user", "programme"),
            limit=limit,
            user=user.pk,
            **{name: term for name, term in terms.items() if term},
        )
    return compiled.objects(
        f"companion.network.directory.{limit}",
        _directory,
        related=("user", "programme"),
        limit=limit,
        user=user.pk,
    )


def _directory(user):
    joined = NetworkEntry.objects.filter(
        user=user, programme__in=_eligible_programmes(user)
    ).values("programme_id")
    return NetworkEntry.objects.filter(programme_id__in=joined).order_by(
        "user__name", "programme__name", "pk"
    )


def _found(field, term):
    """`field__icontains=term` with the term given as it is (a substring of the upper
    case text, as PostgreSQL's UPPER(...) LIKE UPPER('%term%') finds it), so that the
    SQL can be kept with the term as a parameter (pioneer.compiled)."""
    return GreaterThan(StrIndex(Upper(field), Upper(Value(term, output_field=TextField()))), 0)


def _searched(user, q=None, topic=None):
    """`directory_for(user, q=q, topic=topic)` with the terms as parameters."""
    entries = _directory(user)
    if q:
        entries = entries.filter(
            Q(_found("user__name", q))
            | Q(_found("organisation", q))
            | Q(_found("topics", q))
            | Q(_found("can_help_with", q))
        )
    if topic:
        entries = entries.filter(_found("topics", topic))
    return entries


def directory_for(user, *, q="", topic=""):
    """The entries the person may read: those of the programmes they joined themselves
    and may still join (one query, people and programmes joined)."""
    if not user.is_authenticated:
        return NetworkEntry.objects.none()
    entries = _directory(user.pk).select_related("user", "programme")
    if q:
        entries = entries.filter(
            Q(user__name__icontains=q)
            | Q(organisation__icontains=q)
            | Q(topics__icontains=q)
            | Q(can_help_with__icontains=q)
        )
    if topic:
        entries = entries.filter(topics__icontains=topic)
    return entries


@transaction.atomic
def network_join(*, user, programme, organisation, topics, can_help_with, contact):
    """Put the person's own entry in the programme's network, or update it.

    Refused (ValidationError, nothing changed) unless the person takes or took part in a
    cohort of the programme. Side effects: none beyond the row; nobody is told."""
    if not eligible_programmes(user).filter(pk=programme.pk).exists():
        raise ValidationError(
            _("Only participants and alumni of this programme can join its network.")
        )
    entry, _created = NetworkEntry.objects.update_or_create(
        user=user,
        programme=programme,
        defaults={
            "organisation": organisation,
            "topics": topics,
            "can_help_with": can_help_with,
            "contact": contact,
        },
    )
    return entry


@transaction.atomic
def network_leave(*, user, programme=None):
    """Delete the person's own entries (of one programme, or all) at once. Returns how
    many were deleted."""
    entries = NetworkEntry.objects.filter(user=user)
    if programme is not None:
        entries = entries.filter(programme=programme)
    deleted, _rows = entries.delete()
    return deleted
