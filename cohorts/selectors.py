"""Reads of the cohorts app, scoped to the person asking (deny by default).

A programme office sees only the programmes its organisation runs, and their cohorts,
registrations and people; a partner contact sees only its organisation's registrations
and people.

The cohort page's overview tab (`cohort_dashboard`: figures, attention, the step
indicator, the next missing thing, dates) costs three queries of its own
whatever the cohort's size (the cohort, registrations by state, participations grouped),
plus what the hooks of later apps add (one each, see `cohorts.hooks`). The page's budget
is 10.
"""

import copy
import hashlib
import weakref
from collections import namedtuple
from datetime import timedelta
from functools import lru_cache
from types import SimpleNamespace
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cohorts import hooks
from cohorts.figures import kept as kept_counts
from cohorts.figures import prefetch as kept_prefetch
from cohorts.figures import token as change_token
from cohorts.hooks import Attention, Figure, FigureRow, Stage, UpcomingDate
from cohorts.models import (
    Cohort,
    CohortTransition,
    InterestRegistration,
    Participation,
    Programme,
    RegistrationNote,
    needing_action,
)
from pioneer import compiled
from pioneer.models import Organisation, PartnerLink, Role, User
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


def _transitions(cohort):
    return CohortTransition.objects.filter(cohort_id=cohort)


def cohort_transitions(cohort, limit):
    """The cohort's changes of status with who made them, newest first (the model's
    order), at most `limit`: one query, its SQL compiled once per process."""
    return compiled.objects(
        f"cohorts.transitions.{limit}", _transitions, related=("by",), limit=limit, cohort=cohort.pk
    )


def _office_cohort_rows(**organisations):
    return (
        Cohort.objects.filter(programme__organisation_id__in=list(organisations.values()))
        .order_by("-start_date", "title")
        .values("pk", "programme__name", "title")
    )


def office_cohort_rows(user):
    """(id, programme name, title) of the cohorts of the user's programme office, newest
    first: the review queue's cohort filter (one query, its SQL compiled once per process
    and number of organisations: pioneer.compiled)."""
    organisations = office_organisation_ids(user)
    if not organisations:
        return []
    return [
        (row["pk"], row["programme__name"], row["title"])
        for row in compiled.values(
            f"cohorts.office_cohort_rows.{len(organisations)}",
            _office_cohort_rows,
            **{f"organisation{index}": org for index, org in enumerate(organisations)},
        )
    ]


def _office_cohort(cohort, **organisations):
    return Cohort.objects.filter(
        pk=cohort, programme__organisation_id__in=list(organisations.values())
    )


def office_cohort_or_404(user, pk):
    """The cohort `pk` with its programme if the user's programme office runs it (what
    `cohorts_for(user).get(pk=pk)` gives), else Http404: read with SQL compiled once per
    process and number of organisations (pioneer.compiled), as every tab of a cohort
    page asks for it first."""
    low, high = connection.ops.integer_field_range(Cohort._meta.pk.get_internal_type())
    if not low <= pk <= high:
        raise Http404
    return office_object_or_404(
        user, "cohorts.office_cohort", _office_cohort, related=("programme",), cohort=pk
    )


def office_object_or_404(user, name, build, *, related=(), **ids):
    """The one object `build(**ids, organisation0=…, …)` finds among those of the user's
    programme office's organisations (read as `compiled.one_or_404` reads it, the SQL
    kept per process and number of organisations), else Http404, as for someone without
    an office: the lookup at the top of the office's own pages."""
    organisations = office_organisation_ids(user)
    if not organisations:
        raise Http404
    return compiled.one_or_404(
        f"{name}.{len(organisations)}",
        build,
        related=related,
        **ids,
        **{f"organisation{index}": org for index, org in enumerate(organisations)},
    )


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


def registrations_of_cohorts(cohort_ids):
    """The registrations of these cohorts (ids the caller found among the office's own:
    `office_cohort_rows`), with what the review queue shows."""
    return InterestRegistration.objects.filter(cohort_id__in=cohort_ids).select_related(
        "cohort", "cohort__programme", "parent_ministry", "decided_by"
    )


def office_registration_count(user, cohort_ids, *, needing_action):
    """How many registrations the review queue shows without a filter: of the office's
    cohorts (`cohort_ids`, `office_cohort_rows`), those that need action (the waiting
    ones its home counts) or all. Kept under the change token of cohorts.figures."""
    if needing_action:
        return sum(office_waiting_registrations(user).values())
    if not cohort_ids:
        return 0
    ids = sorted(cohort_ids)
    return kept_counts(
        "office_registrations",
        lambda: InterestRegistration.objects.filter(cohort_id__in=ids).count(),
        *ids,
    )


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


def _registrations_of_partners(org_ids):
    return InterestRegistration.objects.filter(
        organisation_id__in=org_ids,
        cohort__programme__organisation_id__in=linked_office_ids(org_ids),
    )


# What a partner's list and home show of a registration (its texts and contact details,
# and the cohort's and programme's settings, were most of each row's making).
PARTNER_REGISTRATION_FIELDS = (
    "cohort__title",
    "cohort__programme__name",
    "organisation_name",
    "state",
    "created_at",
)


def _kept_partner_registrations(**organisations):
    return (
        _registrations_of_partners(list(organisations.values()))
        .only(*PARTNER_REGISTRATION_FIELDS)
        .order_by("-created_at", "-id")
    )


def partner_kept_facts(user):
    """What the partner's pages and panels kept rendered show (their organisations'
    registrations, people and the offices that linked them, pioneer.fragments) depends
    on: cohorts.figures' change token and the organisations (the same for each of their
    contacts)."""
    return (change_token(), tuple(sorted(partner_organisation_ids(user))))


def partner_registration_list(user):
    """`registrations_for_partner(user)` with only PARTNER_REGISTRATION_FIELDS, for
    Paginator and the home: a KeptList (the count and each slice by SQL compiled once per
    process and number of organisations)."""
    return KeptList(
        "cohorts.partner_registrations",
        _kept_partner_registrations,
        lambda **ids: _registrations_of_partners(list(ids.values())),
        _id_names(partner_organisation_ids(user)),
        related=("cohort", "cohort__programme"),
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


def _office_registration(registration, **organisations):
    return InterestRegistration.objects.filter(
        pk=registration, cohort__programme__organisation_id__in=list(organisations.values())
    )


def office_registration_or_404(user, pk):
    """The registration `pk` of the office's queue with what `registrations_for_office`
    joins (cohort, programme, parent ministry, decided by), else Http404: by SQL compiled
    once per process and number of organisations (pioneer.compiled); the queryset's
    get() cost about 1 ms of CPU to build on every registration page."""
    return office_object_or_404(
        user,
        "cohorts.office_registration",
        _office_registration,
        related=("cohort", "cohort__programme", "parent_ministry", "decided_by"),
        registration=pk,
    )


def registration_for_or_404(user, pk):
    """`registrations_for(user).get(pk=pk)`, else Http404 (an office's by kept SQL)."""
    if office_organisation_ids(user):
        return office_registration_or_404(user, pk)
    return get_object_or_404(registrations_for_partner(user), pk=pk)


def registration_counts(queryset):
    """{state: count} in one query."""
    rows = queryset.order_by().values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


def _waiting_registrations(**organisations):
    waiting = [InterestRegistration.State.UNCONFIRMED, InterestRegistration.State.CONFIRMED]
    return (
        InterestRegistration.objects.filter(
            cohort__programme__organisation_id__in=list(organisations.values()),
            state__in=waiting,
        )
        .order_by()
        .values("state")
        .annotate(n=Count("id"))
    )


def office_waiting_registrations(user):
    """{state: count} of the office's registrations that wait for someone (unconfirmed,
    confirmed), for the office's home: one query, built and compiled once per process
    and number of organisations (pioneer.compiled)."""
    organisations = office_organisation_ids(user)
    if not organisations:
        return {}
    # Kept under the change token of cohorts.figures: every registration counts.
    rows = kept_counts(
        "waiting_registrations",
        lambda: compiled.values(
            f"cohorts.waiting_registrations.{len(organisations)}",
            _waiting_registrations,
            **{f"organisation{index}": pk for index, pk in enumerate(organisations)},
        ),
        *organisations,
    )
    return {row["state"]: row["n"] for row in rows}


# ------------------------------------------------------------------- participations


def _cohort_participation(cohort, participation):
    return Participation.objects.filter(cohort_id=cohort, pk=participation)


def cohort_participation_or_404(cohort, pk):
    """The cohort's participation `pk` with user and organisation (what
    `participations_of(cohort).get(pk=pk)` gives), else Http404: by SQL compiled once per
    process (pioneer.compiled), as a person's page and its forms ask for it first."""
    return compiled.one_or_404(
        "cohorts.participation",
        _cohort_participation,
        related=("user", "organisation"),
        cohort=cohort.pk,
        participation=pk,
    )


def participations_of(cohort):
    """A cohort's people with what the lists show (one query)."""
    return (
        Participation.objects.filter(cohort=cohort)
        .select_related("user", "organisation")
        .order_by("side", "user__name", "user__email")
    )


def linked_cohort_ids(organisation_ids):
    """The cohorts of programmes whose office linked any of these partners (a subquery)."""
    return Cohort.objects.filter(
        programme__organisation_id__in=linked_office_ids(organisation_ids)
    ).values("pk")


def partner_people_filter(user, prefix=""):
    """The condition `participations_for_partner` states, as a Q on a participation
    reached through `prefix` (e.g. "participation__"), or None when the person speaks
    for no organisation. Other apps filter their rows by it directly: as an IN over
    `participations_for_partner` PostgreSQL joined every row of their table before
    keeping the partner's few (40 ms for the event registrations at N = 50).

    The linked cohorts are a subquery of their own, not joins of the outer query: with
    the cohort and programme joined next to the caller's tables PostgreSQL took 4 ms to
    plan the event registrations' page (of 8), a third of that as a subquery."""
    organisations = roles_of(user).organisation_ids(Role.Kind.PARTNER_CONTACT)
    if not organisations:
        return None
    return Q(
        **{
            f"{prefix}organisation_id__in": organisations,
            f"{prefix}cohort_id__in": linked_cohort_ids(organisations),
        }
    )


def participations_for_partner(user):
    """The people of the organisations a partner contact speaks for, in the cohorts of
    programmes whose office linked the organisation as its partner (`PartnerLink`)."""
    organisations = partner_organisation_ids(user)
    if not organisations:
        return Participation.objects.none()
    # The same condition as `partner_people_filter`, through the cohort this query joins
    # anyway (for its order and its rows): as a subquery it cost a millisecond more.
    return (
        Participation.objects.filter(
            organisation_id__in=organisations,
            cohort__programme__organisation_id__in=linked_office_ids(organisations),
        )
        .select_related("user", "organisation", "cohort", "cohort__programme")
        .order_by("-cohort__start_date", "cohort_id", "user__name", "user__email")
    )


def partner_people_brief(user):
    """`participations_for_partner` with what the partner's home shows of them (person,
    organisation, cohort, side, state), in the same order. Without the programme's columns
    the condition is a subquery of the linked cohorts (`partner_people_filter`): a
    third less to plan than the join the full list needs for its programme names."""
    scope = partner_people_filter(user)
    if scope is None:
        return Participation.objects.none()
    return (
        Participation.objects.filter(scope)
        .select_related("user", "organisation", "cohort")
        .only(
            "side",
            "state",
            "user__name",
            "user__email",
            "organisation__name",
            "organisation__short_name",
            "cohort__title",
        )
        .order_by("-cohort__start_date", "cohort_id", "user__name", "user__email")
    )


# A person of `partner_people_brief_rows`: what the partner's home shows of them.
PartnerPersonRow = namedtuple(
    "PartnerPersonRow", "name email organisation_short organisation cohort side state"
)


def linked_cohorts_sql(marks):
    """SQL of the ids of the cohorts whose programme's office linked one of the partner
    organisations given as `marks` parameters (`linked_cohort_ids`), for written queries."""
    return (
        f"SELECT k.id FROM {Cohort._meta.db_table} k"  # noqa: S608
        f" JOIN {Programme._meta.db_table} g ON g.id = k.programme_id"
        " WHERE g.organisation_id IN ("
        f"SELECT l.office_organisation_id FROM {PartnerLink._meta.db_table} l"
        f" WHERE l.partner_id IN ({marks}))"
    )


def partner_people_brief_rows(user, limit):
    """The first `limit` of `partner_people_brief(user)` as `PartnerPersonRow`s (one query).

    On PostgreSQL a written query walks the linked cohorts newest first and takes each
    one's people of the organisations (the (cohort, organisation) index) until `limit`
    are found. The ORM's query left the order to the planner, which planned it anew on
    every request (1 ms, for 0.2 ms of running at N = 50), as its one plan for any
    organisation started from all of the organisation's people (300 at N = 50) and
    sorted them. LATERAL keeps the order of the walk; other databases have none and
    read the ORM's query."""
    if connection.vendor != "postgresql":
        return [
            PartnerPersonRow(
                p.user.name,
                p.user.email,
                p.organisation.short_name,
                p.organisation.name,
                p.cohort.title,
                p.side,
                p.state,
            )
            for p in partner_people_brief(user)[:limit]
        ]
    organisations = list(partner_organisation_ids(user))
    if not organisations:
        return []
    marks = ", ".join(["%s"] * len(organisations))
    sql = f"""
    SELECT u.name, u.email, o.short_name, o.name, c.title, x.side, x.state
      FROM {Cohort._meta.db_table} c
     CROSS JOIN LATERAL (
           SELECT p.user_id, p.organisation_id, p.side, p.state
             FROM {Participation._meta.db_table} p
            WHERE p.cohort_id = c.id AND p.organisation_id IN ({marks})
           OFFSET 0) x
      JOIN {User._meta.db_table} u ON u.id = x.user_id
      JOIN {Organisation._meta.db_table} o ON o.id = x.organisation_id
     WHERE c.id IN ({linked_cohorts_sql(marks)})
     ORDER BY c.start_date DESC, c.id, u.name, u.email
     LIMIT %s"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*organisations, *organisations, limit])
        return [PartnerPersonRow(*row) for row in cursor.fetchall()]


# A person of `partner_people_page`: what the partner's list of their people shows.
PartnerPeopleRow = namedtuple(
    "PartnerPeopleRow", "name email programme cohort organisation side position state"
)


def _people_row(p):
    return PartnerPeopleRow(
        p.user.name,
        p.user.email,
        p.cohort.programme.name,
        p.cohort.title,
        str(p.organisation),
        p.side,
        p.position,
        p.state,
    )


def partner_people_page(user, offset, limit):
    """`participations_for_partner(user)[offset:offset + limit]` as `PartnerPeopleRow`s,
    and the number of all of them (None when no row came): one query on PostgreSQL.

    The ORM's page and count each gathered all of the organisation's people (300 at
    N = 50), the page to sort them. The written query walks the linked cohorts newest
    first and takes each one's people of the organisations (the (cohort, organisation)
    index) until the page is full (LATERAL keeps that order), and counts the people
    from the index in a sub-select. Other databases read the ORM's two queries."""
    if connection.vendor != "postgresql":
        people = participations_for_partner(user)
        rows = [_people_row(p) for p in people[offset : offset + limit]]
        return rows, (people.count() if rows else None)
    organisations = list(partner_organisation_ids(user))
    if not organisations:
        return [], None
    marks = ", ".join(["%s"] * len(organisations))
    linked = linked_cohorts_sql(marks)
    sql = f"""
    SELECT u.name, u.email, g.name, c.title, COALESCE(NULLIF(o.short_name, ''), o.name),
           x.side, x.position, x.state,
           (SELECT COUNT(*) FROM {Participation._meta.db_table} n
             WHERE n.organisation_id IN ({marks}) AND n.cohort_id IN ({linked}))
      FROM {Cohort._meta.db_table} c
      JOIN {Programme._meta.db_table} g ON g.id = c.programme_id
     CROSS JOIN LATERAL (
           SELECT p.user_id, p.organisation_id, p.side, p.position, p.state
             FROM {Participation._meta.db_table} p
            WHERE p.cohort_id = c.id AND p.organisation_id IN ({marks})
           OFFSET 0) x
      JOIN {User._meta.db_table} u ON u.id = x.user_id
      JOIN {Organisation._meta.db_table} o ON o.id = x.organisation_id
     WHERE g.organisation_id IN (
           SELECT l.office_organisation_id FROM {PartnerLink._meta.db_table} l
            WHERE l.partner_id IN ({marks}))
     ORDER BY c.start_date DESC, c.id, u.name, u.email
     LIMIT %s OFFSET %s"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*organisations * 4, limit, offset])
        found = cursor.fetchall()
    if not found:
        return [], None
    return [PartnerPeopleRow(*row[:8]) for row in found], found[0][8]


def held_invitations(groups):
    """How many of the cohort's people an import added with their invitation held (from
    its groups: `participation_groups`)."""
    return sum(group["held"] for group in groups)


def cohort_organisations(groups):
    """(id, what an option shows) of the organisations of the cohort's people, by name:
    str(organisation), the short name else the name. From the cohort's groups
    (`participation_groups`), which come in the organisations' order (name, id)."""
    shown = {}
    for group in groups:
        shown.setdefault(
            group["organisation_id"],
            group["organisation__short_name"] or group["organisation__name"],
        )
    return list(shown.items())


def organisations_digest(organisations):
    """A short text that stands for the filter's organisation options (`cohort_organisations`):
    what the blank filter form's kept HTML is keyed by, instead of every option."""
    return hashlib.blake2b(repr(organisations).encode(), digest_size=16).hexdigest()


def _participation_list_facts(cohort):
    groups = participation_groups(cohort)
    return {
        "all": participation_count(cohort, groups, needing_action=False),
        # For the cohort's status either way (`participations_needing_action`).
        "waiting": participation_count(
            Cohort(pk=cohort.pk, state=Cohort.State.OPEN), groups, needing_action=True
        ),
        "waiting_nominated": participation_count(
            Cohort(pk=cohort.pk, state=Cohort.State.RUNNING), groups, needing_action=True
        ),
        "held": held_invitations(groups),
        "organisations": organisations_digest(cohort_organisations(groups)),
    }


def participation_list_facts(cohort):
    """What the participant list as first shown (no query string) reads of the cohort's
    groups (`participation_groups`), kept under the change token of cohorts.figures: how
    many people it lists in either view (`participation_count`), how many invitations
    are held, and the digest of its organisation filter's options. At N = 50 the groups
    (328 rows, 29 kB) cost 0.3 ms to read from the cache, and a few loops over them
    0.1 ms more, for five values."""
    facts = kept_counts("people.list", lambda: _participation_list_facts(cohort), cohort.pk)
    waiting = "waiting_nominated" if cohort.state in NOMINATED_WAIT else "waiting"
    return {
        "count_all": facts["all"],
        "count_action": facts[waiting],
        "held": facts["held"],
        "organisations": facts["organisations"],
    }


def participation_count(cohort, groups, *, needing_action):
    """How many people the participant list shows without a filter (from `groups`,
    `participation_groups`): all of them, or those `participations_needing_action`
    keeps (the same condition, counted per group)."""
    if not needing_action:
        return sum(group["n"] for group in groups)
    done = {Participation.State.WITHDRAWN, Participation.State.COMPLETED}
    nominated_wait = cohort.state in NOMINATED_WAIT
    return sum(
        group["n"]
        if nominated_wait and group["state"] == Participation.State.NOMINATED
        else group["waiting"]
        for group in groups
        if group["state"] not in done
    )


def held_invitation_summary(cohort):
    """The held invitations of a cohort for the page that sends them: how many, how many
    per language of their recipients, and for each language one recipient, whose
    e-mail the page previews. Two queries, whatever the number of people."""
    held = Participation.objects.filter(cohort=cohort, invitation_held=True)
    by_language = dict(held.values_list("user__language").annotate(n=Count("id")).order_by())
    first_of = Q()
    for code in by_language:
        first_of |= Q(
            pk=Subquery(
                held.filter(user__language=code).order_by("user__name", "pk").values("user_id")[:1]
            )
        )
    samples = {user.language: user for user in User.objects.filter(first_of)} if first_of else {}
    names = dict(settings.LANGUAGES)
    languages = [
        {
            "code": code or settings.LANGUAGE_CODE,
            "name": names.get(code, code),
            "count": by_language[code],
            "sample": samples[code],
        }
        for code in sorted(by_language, key=lambda c: (c != settings.LANGUAGE_CODE, c))
        if code in samples
    ]
    return {"count": sum(by_language.values()), "languages": languages}


def search(queryset, text):
    text = (text or "").strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(user__name__icontains=text)
        | Q(user__email__icontains=text)
        | Q(organisation__name__icontains=text)
        | Q(organisation__short_name__icontains=text)
        | Q(position__icontains=text)
        | Q(topics__icontains=text)
        | Q(expertise__icontains=text)
    )


# ------------------------------------------------------------------------ dashboard

UPCOMING_DAYS = 120

NEXT_STEPS = {
    Cohort.State.DRAFT: gettext_lazy(
        "Set the dates and the interest window, then open the cohort for interest."
    ),
    Cohort.State.OPEN: gettext_lazy(
        "Review the registrations of interest and add the people; when the window has "
        "closed, start forming the tandems."
    ),
    Cohort.State.MATCHING: gettext_lazy(
        "Confirm the people and form the tandems, then start the cohort."
    ),
    Cohort.State.RUNNING: gettext_lazy(
        "Follow the tandems and the companion programme; after the end date, move the "
        "cohort to evaluation."
    ),
    Cohort.State.EVALUATION: gettext_lazy(
        "Send the surveys, mark the people who completed, and close the cohort when the "
        "results are in."
    ),
    Cohort.State.CLOSED: gettext_lazy(
        "This cohort is closed. You can start the next cohort from it."
    ),
}
JOURNEY_MATCHING = gettext_lazy("Confirm the people, then start the cohort.")


def url_or_blank(name, *args, query=None, **kwargs):
    """A link to a list that another part of the app may not have yet: '' then."""
    url = _reversed(
        name,
        args,
        tuple(sorted(kwargs.items())),
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
    )
    if not url:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


@lru_cache(maxsize=2048)
def _reversed(name, args, kwargs, _urlconf, _prefix):
    # The overview makes some 30 links to the same few lists (0.1-0.3 ms a reverse()):
    # each once per process, under the URLconf and prefix in effect.
    try:
        return reverse(name, args=args or None, kwargs=dict(kwargs) or None)
    except NoReverseMatch:
        return ""


def _participants_url(cohort, **query):
    return url_or_blank("cohorts:participation_list", cohort_pk=cohort.pk, query=query)


def _registrations_url(cohort, **query):
    return url_or_blank("cohorts:registration_list", query={"cohort": cohort.pk, **query})


def stages(cohort):
    """The step indicator: every status in order, done / current marked, in the
    programme's words (a learning journey has no tandem status)."""
    order = list(Cohort.State)
    position = order.index(Cohort.State(cohort.state))
    return [
        Stage(
            state.value,
            status_label(cohort.programme, state),
            index < position,
            index == position,
        )
        for index, state in enumerate(order)
    ]


def next_step(cohort, participant_count=None):
    """The first thing missing before the cohort can move on (see `missing_step`)."""
    return missing_step(cohort, participant_count=participant_count)


def registration_figure(cohort, counts):
    rows = [
        FigureRow(str(label), counts.get(value, 0), _registrations_url(cohort, state=value))
        for value, label in InterestRegistration.State.choices
    ]
    return Figure(
        key="registrations",
        title=_("Registrations of interest by state"),
        rows=rows,
        url=_registrations_url(cohort),
        order=10,
    )


# The "by organisation" figure names this many organisations and sums up the others.
FIGURE_ORGANISATIONS = 10


def _participation_summary(groups):
    """What the overview shows of the grouped participations (`participation_figures`,
    `attention`, the next step): a few numbers and the largest organisations, whatever
    the cohort's size. Withdrawn people count in "by state" only."""
    # A large cohort has hundreds of groups (328 at N = 50): plain strings and locals.
    withdrawn = Participation.State.WITHDRAWN.value
    nominated_state = Participation.State.NOMINATED.value
    by_side, by_org, by_state = {}, {}, {}
    nominated = no_login = 0
    for group in groups:
        state, n = group["state"], group["n"]
        by_state[state] = by_state.get(state, 0) + n
        if state == withdrawn:
            continue
        side = group["side"]
        by_side[side] = by_side.get(side, 0) + n
        key = group["organisation_id"]
        found = by_org.get(key)
        if found is None:
            name = group["organisation__short_name"] or group["organisation__name"]
            by_org[key] = [name, n]
        else:
            found[1] += n
        if state == nominated_state:
            nominated += n
        no_login += group["no_login"]
    ranked = sorted(by_org.items(), key=lambda i: (-i[1][1], i[1][0]))
    rest = ranked[FIGURE_ORGANISATIONS:]
    return {
        "by_side": by_side,
        "by_state": by_state,
        "organisations": [
            (org_id, name, count) for org_id, (name, count) in ranked[:FIGURE_ORGANISATIONS]
        ],
        "other_organisations": (len(rest), sum(count for _id, (_name, count) in rest)),
        "participants": sum(by_side.values()),
        "nominated": nominated,
        "no_login": no_login,
    }


def participation_summary(cohort):
    """`_participation_summary` of the cohort's `participation_groups`, kept under the
    change token of cohorts.figures: the overview read all the groups (29 kB from the
    cache at N = 50, and a loop over 328 of them) on every visit to show some twenty
    numbers."""
    return kept_counts(
        "people.summary",
        lambda: _participation_summary(participation_groups(cohort)),
        cohort.pk,
    )


def participation_figures(cohort, summary):
    """Figures from the people's summary (`participation_summary`): by side, by
    organisation, by state. Withdrawn people count in "by state" only."""
    by_side, by_state = summary["by_side"], summary["by_state"]
    base = _participants_url(cohort)

    def participants_url(**query):
        # As `_participants_url(cohort, **query)`.
        return f"{base}?{urlencode(query)}" if base else ""

    side_rows = [
        FigureRow(str(label), by_side.get(value, 0), participants_url(side=value))
        for value, label in Participation.Side.choices
    ]
    org_rows = [
        FigureRow(name, count, participants_url(organisation=org_id))
        for org_id, name, count in summary["organisations"]
    ]
    others, others_count = summary["other_organisations"]
    if others:
        # A large cohort has hundreds of organisations: the figure names the largest and
        # sums up the rest (the list filters by any of them), so the total stays right.
        org_rows.append(
            FigureRow(
                ngettext("%(count)d other organisation", "%(count)d other organisations", others)
                % {"count": others},
                others_count,
                _participants_url(cohort),
            )
        )
    state_rows = [
        FigureRow(str(label), by_state.get(value, 0), participants_url(state=value))
        for value, label in Participation.State.choices
    ]
    url = base
    return [
        Figure("participants_side", _("Participants by side"), side_rows, url, 20),
        Figure("participants_organisation", _("Participants by organisation"), org_rows, url, 21),
        Figure("participants_state", _("Participants by state"), state_rows, url, 22),
    ]


def attention(cohort, registration_counts, summary, today):
    items = []
    unconfirmed = registration_counts.get(InterestRegistration.State.UNCONFIRMED, 0)
    if unconfirmed:
        items.append(
            Attention(
                "registrations_unconfirmed",
                _("Registrations whose e-mail address is not yet confirmed"),
                unconfirmed,
                _registrations_url(cohort, state=InterestRegistration.State.UNCONFIRMED),
                "info",
            )
        )
    unreviewed = registration_counts.get(InterestRegistration.State.CONFIRMED, 0)
    if unreviewed:
        items.append(
            Attention(
                "registrations_unreviewed",
                _("Confirmed registrations waiting for your decision"),
                unreviewed,
                _registrations_url(cohort, state=InterestRegistration.State.CONFIRMED),
            )
        )
    nominated = summary["nominated"]
    if nominated and cohort.state in {Cohort.State.MATCHING, Cohort.State.RUNNING}:
        items.append(
            Attention(
                "participants_nominated",
                _("People nominated but not yet confirmed"),
                nominated,
                _participants_url(cohort, state=Participation.State.NOMINATED),
            )
        )
    no_password = summary["no_login"]
    if no_password:
        items.append(
            Attention(
                "participants_not_signed_in",
                _("People who have not signed in yet (invitation not taken up)"),
                no_password,
                _participants_url(cohort, signed_in="no"),
                "info",
            )
        )
    items.extend(overdue(cohort, today))
    if cohort.programme.has_tandems:
        # Over the whole cohort (1,000 people at N = 50: about 1 ms), kept under the change
        # token that every participation's and tandem's save or delete replaces.
        counts = kept_counts("without_tandem", lambda: _without_tandem_counts(cohort), cohort.pk)
        for count in counts:
            if count:
                items.append(
                    Attention(
                        "participants_without_tandem",
                        _("People without a tandem"),
                        count,
                        _participants_url(cohort, tandem="none"),
                    )
                )
    items.extend(hooks.answers(hooks.dashboard_attention, sender=Cohort, cohort=cohort))
    return items


# How many answers the people_without_tandem hook gives, per set of its receivers.
_WITHOUT_TANDEM_ANSWERS = {}


def _without_tandem_counts(cohort):
    """The counts of the people_without_tandem hook's answers (querysets): each count's
    SQL is built and compiled once per process and set of receivers (pioneer.compiled),
    with the cohort's id changed per request."""
    signal = hooks.people_without_tandem
    # The receivers by name (an id of a function may be another's later); their answers
    # are made from the cohort's id alone (cohorts.hooks says so).
    receivers = ",".join(
        f"{function.__module__}.{function.__qualname__}"
        for function in (
            ref() if isinstance(ref, weakref.ReferenceType) else ref
            for _key, ref, _is_async in signal.receivers
        )
        if function is not None
    )

    def answers(cohort_id):
        probe = copy.copy(cohort)
        probe.pk = cohort_id
        return hooks.answers(signal, sender=Cohort, cohort=probe)

    if receivers not in _WITHOUT_TANDEM_ANSWERS:
        counts = []
        try:
            for index in range(len(answers(cohort.pk))):
                counts.append(
                    compiled.count(
                        f"cohorts.without_tandem.{receivers}.{index}",
                        lambda cohort, index=index: answers(cohort)[index],
                        cohort=cohort.pk,
                    )
                )
        except compiled.NotKept:
            # An answer that is not made from the cohort's id alone: counted as it comes.
            _WITHOUT_TANDEM_ANSWERS[receivers] = None
        else:
            _WITHOUT_TANDEM_ANSWERS[receivers] = len(counts)
            return counts
    kept = _WITHOUT_TANDEM_ANSWERS[receivers]
    if kept is None:
        return [without.count() for without in hooks.answers(signal, sender=Cohort, cohort=cohort)]
    return [
        compiled.count(
            f"cohorts.without_tandem.{receivers}.{index}",
            lambda cohort, index=index: answers(cohort)[index],
            cohort=cohort.pk,
        )
        for index in range(kept)
    ]


def overdue(cohort, today):
    """Lifecycle steps whose date has passed while the cohort stayed behind."""
    state = Cohort.State
    items = []
    if cohort.state == state.OPEN and cohort.interest_closes and cohort.interest_closes < today:
        items.append(
            Attention(
                "overdue_interest_closed",
                _("The interest window has closed, but the cohort is still open for interest."),
                1,
                level="danger",
            )
        )
    if (
        cohort.state in {state.DRAFT, state.OPEN, state.MATCHING}
        and cohort.start_date
        and cohort.start_date < today
    ):
        items.append(
            Attention(
                "overdue_start",
                _("The start date has passed, but the cohort is not running yet."),
                1,
                level="danger",
            )
        )
    if cohort.state == state.RUNNING and cohort.end_date and cohort.end_date < today:
        items.append(
            Attention(
                "overdue_end",
                _("The end date has passed; move the cohort to evaluation."),
                1,
                level="danger",
            )
        )
    return items


def upcoming_dates(cohort, today):
    horizon = today + timedelta(days=UPCOMING_DAYS)
    dates = [
        UpcomingDate(cohort.interest_opens, _("Interest window opens")),
        UpcomingDate(cohort.interest_closes, _("Interest window closes")),
        UpcomingDate(cohort.start_date, _("Cohort starts")),
        UpcomingDate(cohort.end_date, _("Cohort ends")),
    ]
    dates.extend(hooks.answers(hooks.dashboard_dates, sender=Cohort, cohort=cohort))
    return sorted((d for d in dates if d.date and today <= d.date <= horizon), key=lambda d: d.date)


def _registration_counts(cohort):
    return (
        InterestRegistration.objects.filter(cohort_id=cohort)
        .values("state")
        .annotate(n=Count("id"))
        .order_by()
    )


def cohort_registration_counts(cohort_id):
    """{state: count} of the cohort's registrations: one grouped query (SQL compiled once
    per process: pioneer.compiled), kept under the change token of cohorts.figures (the
    big cohort has 2,000 at N = 50): the overview's figures and the registration lists'
    count of one cohort."""
    return {
        row["state"]: row["n"]
        for row in kept_counts(
            "dashboard.registrations",
            lambda: compiled.values(
                "cohorts.dashboard.registrations", _registration_counts, cohort=cohort_id
            ),
            cohort_id,
        )
    }


def cohort_registration_count(cohort_id, *, needing_action):
    """How many registrations of the cohort need action, or how many it has (from the
    kept `cohort_registration_counts`): the count of its registrations tab, or of the
    review queue filtered by it, without another filter."""
    counts = cohort_registration_counts(cohort_id)
    if needing_action:
        return sum(counts.get(state, 0) for state in REGISTRATION_ACTION_STATES)
    return sum(counts.values())


def _participation_groups(cohort):
    return (
        Participation.objects.filter(cohort_id=cohort)
        .values(
            "side", "state", "organisation_id", "organisation__name", "organisation__short_name"
        )
        .annotate(
            n=Count("id"),
            no_login=Count("id", filter=invitation_open()),
            held=Count("id", filter=Q(invitation_held=True)),
            # What `participations_needing_action` asks of every state it keeps.
            waiting=Count("id", filter=invitation_open() | Q(invitation_held=True)),
        )
        # The organisations' order (by name; the database's collation), for the filter's
        # options (`cohort_organisations`).
        .order_by("organisation__name", "organisation_id")
    )


def participation_groups(cohort):
    """The cohort's people counted per side, state and organisation (with the
    organisation's names): how many, how many never signed in, how many with their
    invitation held, how many wait for something (`participations_needing_action`'s
    condition). One query (SQL compiled once per process: pioneer.compiled), kept under
    the change token of cohorts.figures, as it grows with the cohort: the overview's
    figures, the participant list's count, its organisation filter and its held
    invitations, and the certificates' count read it."""
    return kept_counts(
        "people.groups",
        lambda: compiled.values("cohorts.people.groups", _participation_groups, cohort=cohort.pk),
        cohort.pk,
    )


def cohort_dashboard(cohort, today=None):
    """Everything the dashboard shows, in two queries (plus the hooks')."""
    today = today or timezone.localdate()
    # The counts the overview keeps (its own, and the tandems' figures and people without
    # a tandem that its hooks and attention keep) read from the cache at once.
    kept_prefetch(
        ("dashboard.registrations", cohort.pk),
        ("people.summary", cohort.pk),
        ("tandems.dashboard_counts", cohort.pk),
        ("without_tandem", cohort.pk),
    )
    # Both grow with the cohort: kept under the change token of cohorts.figures.
    registration_counts = cohort_registration_counts(cohort.pk)
    summary = participation_summary(cohort)
    figures = [registration_figure(cohort, registration_counts)]
    figures += participation_figures(cohort, summary)
    figures.extend(hooks.answers(hooks.dashboard_figures, sender=Cohort, cohort=cohort))
    figures.sort(key=lambda f: (f.order, f.key))
    return {
        "stages": stages(cohort),
        "next_step": next_step(cohort, participant_count=summary["participants"]),
        "figures": figures,
        "attention": attention(cohort, registration_counts, summary, today),
        "upcoming": upcoming_dates(cohort, today),
        "participant_count": summary["participants"],
    }


# ------------------------------------------------------------------- home pages

# The office's home lists this many active cohorts; the programme list has the rest.
HOME_COHORTS = 10


def _home_attention(cohort, today):
    """The dashboard's own attention items (registrations to review, people nominated
    or not signed in, overdue stages) from the counts `office_home` annotated. Unlike
    `attention`, no per-cohort hooks: the home page must cost the same for 1 or 50
    cohorts; each cohort's dashboard shows the rest."""
    items = []
    if cohort.home_unreviewed:
        items.append(
            Attention(
                "registrations_unreviewed",
                _("Confirmed registrations waiting for your decision"),
                cohort.home_unreviewed,
                _registrations_url(cohort, state=InterestRegistration.State.CONFIRMED),
            )
        )
    if cohort.home_nominated and cohort.state in {Cohort.State.MATCHING, Cohort.State.RUNNING}:
        items.append(
            Attention(
                "participants_nominated",
                _("People nominated but not yet confirmed"),
                cohort.home_nominated,
                _participants_url(cohort, state=Participation.State.NOMINATED),
            )
        )
    if cohort.home_no_login:
        items.append(
            Attention(
                "participants_not_signed_in",
                _("People who have not signed in yet (invitation not taken up)"),
                cohort.home_no_login,
                _participants_url(cohort, signed_in="no"),
                "info",
            )
        )
    items.extend(overdue(cohort, today))
    return items


def _count_of(model, *conditions):
    """A correlated count of the cohort's `model` rows (0 when none), for annotate()."""
    rows = (
        model.objects.filter(*conditions, cohort=OuterRef("pk"))
        .order_by()
        .values("cohort")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def programme_cohorts(programme):
    """A programme's cohorts, newest first (`with_registration_counts` adds, to a page of
    them, their numbers of registrations)."""
    return programme.cohorts.order_by("-start_date", "-id")


def with_registration_counts(cohorts):
    """The cohorts (a page of a programme's) as a list, each with its number of
    registrations as `registration_count`: one grouped query over these cohorts only,
    kept under the change token of cohorts.figures (a big cohort has thousands)."""
    cohorts = list(cohorts)
    ids = sorted(cohort.pk for cohort in cohorts)
    counts = (
        kept_counts(
            "registrations_of_cohorts",
            lambda: dict(
                InterestRegistration.objects.filter(cohort_id__in=ids)
                .order_by()
                .values_list("cohort_id")
                .annotate(n=Count("id"))
            ),
            *ids,
        )
        if ids
        else {}
    )
    for cohort in cohorts:
        cohort.registration_count = counts.get(cohort.pk, 0)
    return cohorts


def _office_home_cohorts(**organisations):
    live = ~Q(state=Participation.State.WITHDRAWN)
    return (
        Cohort.objects.filter(programme__organisation_id__in=list(organisations.values()))
        .exclude(state=Cohort.State.CLOSED)
        .annotate(
            home_unreviewed=_count_of(
                InterestRegistration, Q(state=InterestRegistration.State.CONFIRMED)
            ),
            home_nominated=_count_of(Participation, Q(state=Participation.State.NOMINATED)),
            home_people=_count_of(Participation, live),
            home_no_login=_count_of(Participation, live, Q(user__last_login__isnull=True)),
        )
        .order_by("start_date", "title", "id")
    )


def office_home(user, today=None, limit=HOME_COHORTS):
    """The office's active cohorts (not closed) with stage, next step and what needs
    attention, soonest first, at most `limit`: one query whatever their number."""
    today = today or timezone.localdate()
    organisations = office_organisation_ids(user)
    if not organisations:
        return {"cohorts": [], "more": False}
    # Built and compiled once per process and number of organisations (pioneer.compiled):
    # the four counts' subqueries cost more to build than PostgreSQL needs to answer them.
    # Counted over every cohort's people: kept under the change token of cohorts.figures.
    rows = kept_counts(
        f"office_home.{limit}",
        lambda: compiled.objects(
            f"cohorts.office_home.{len(organisations)}",
            _office_home_cohorts,
            related=("programme",),
            limit=limit + 1,
            **{f"organisation{index}": pk for index, pk in enumerate(organisations)},
        ),
        *organisations,
    )
    entries = [
        {
            "cohort": cohort,
            "stage": status_label(cohort.programme, cohort.state),
            "next_step": next_step(cohort, participant_count=cohort.home_people),
            "attention": _home_attention(cohort, today),
            "people": cohort.home_people,
        }
        for cohort in rows[:limit]
    ]
    return {"cohorts": entries, "more": len(rows) > limit}


def participations_of_user(user):
    """The person's own participations with their cohorts (one query)."""
    return (
        Participation.objects.filter(user=user)
        .select_related("cohort", "cohort__programme", "organisation")
        .order_by("-cohort__start_date", "-cohort_id")
    )


def _own_participations(user):
    return participations_of_user(user).select_related(None).only("cohort", "state", "side")


def participations_of_user_brief(user, limit):
    """`participations_of_user(user)[:limit]` with what the participant's home shows (the
    state and side, the cohort and its programme), by SQL compiled once per process."""
    return compiled.objects(
        f"cohorts.own_participations.{limit}",
        _own_participations,
        related=("cohort", "cohort__programme"),
        limit=limit,
        user=user.pk,
    )


def cohorts_in_evaluation_for(user):
    """Cohorts in their evaluation stage of the programmes run by the organisations the
    evaluator's role is bound to. There is no assignment of evaluators to cohorts yet;
    an evaluator bound to no organisation sees none (deny by default)."""
    organisations = roles_of(user).organisation_ids(Role.Kind.EVALUATOR)
    return (
        Cohort.objects.filter(
            state=Cohort.State.EVALUATION, programme__organisation_id__in=organisations
        )
        .select_related("programme")
        .order_by("-end_date", "title")
    )


def partner_office_organisations(user):
    """The organisations whose offices linked one of the partner contact's organisations
    (`PartnerLink`), by name, each with the names of the contact's organisations it
    linked as `partner_names` (one query). A partner may work with many offices: the
    home shows the first few of this, the offices page all of them a page at a time.

    The names, and the addresses of each office's members (`office_emails`), come as
    arrays from PostgreSQL, so that the home asks once; other databases (SQLite for
    `make run`) have no ARRAY_AGG, and `with_office_emails` reads them there."""
    organisations = partner_organisation_ids(user)
    if connection.vendor != "postgresql":
        offices = Organisation.objects.filter(partner_links__partner_id__in=organisations)
        return offices.distinct().order_by("name", "pk")
    return _office_organisations(organisations)


def _kept_offices(**organisations):
    return _office_organisations(list(organisations.values())).only("name")


def _office_organisations(organisations):
    """`partner_office_organisations` on PostgreSQL, for these partner organisations."""
    names = (
        PartnerLink.objects.filter(
            office_organisation_id=OuterRef("pk"), partner_id__in=organisations
        )
        .order_by()
        .values("office_organisation_id")
        .annotate(names=ArrayAgg("partner__name", order_by="partner__name"))
        .values("names")
    )
    emails = (
        Role.objects.filter(
            kind=Role.Kind.PROGRAMME_OFFICE, organisation_id=OuterRef("pk"), user__is_active=True
        )
        .order_by()
        .values("organisation_id")
        .annotate(emails=ArrayAgg("user__email", distinct=True, order_by="user__email"))
        .values("emails")
    )
    return (
        Organisation.objects.filter(pk__in=linked_office_ids(organisations))
        .annotate(partner_names=Subquery(names), office_emails=Subquery(emails))
        .order_by("name", "pk")
    )


class KeptList:
    """A list for Paginator and a home's first few, read by SQL compiled once per process
    and number of ids (pioneer.compiled): `count()` by `count_build(**ids)`, each slice by
    `build(**ids)[start:stop]` (as instances, `related` loaded). Building the querysets
    with their joins and subqueries was most of a partner's page or panel's time."""

    def __init__(self, name, build, count_build, ids, related=()):
        self._name, self._build, self._count_build = name, build, count_build
        self._ids = ids
        self._related = related

    def count(self):
        if not self._ids:
            return 0
        return compiled.count(
            f"{self._name}.count.{len(self._ids)}", self._count_build, **self._ids
        )

    def __len__(self):
        return self.count()

    def __iter__(self):
        return iter(self[0:None])

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("the list is read as a slice")
        start, stop = index.start or 0, index.stop
        if not self._ids or (stop is not None and stop <= start):
            return []
        return compiled.objects(
            f"{self._name}.{len(self._ids)}.{start}.{stop}",
            lambda **ids: self._build(**ids)[start:stop],
            related=self._related,
            **self._ids,
        )


def _id_names(ids):
    return {f"o{index}": pk for index, pk in enumerate(sorted(ids))}


def _linked_offices(**organisations):
    return Organisation.objects.filter(pk__in=linked_office_ids(list(organisations.values())))


def partner_office_list(user):
    """`partner_office_organisations(user)` to be sliced (PartnerOffices on PostgreSQL)."""
    if connection.vendor != "postgresql":
        return partner_office_organisations(user)
    return KeptList(
        "cohorts.partner_offices",
        _kept_offices,
        _linked_offices,
        _id_names(partner_organisation_ids(user)),
    )


def with_office_emails(offices, user):
    """Whom a partner contact asks at each of `offices` (of `partner_office_organisations`):
    the office's organisation, the names of the partner organisations it linked, and the
    e-mail addresses of its programme office's members (none where the database gave
    them with the offices; else one query for the addresses and one for the names)."""
    entries = {
        office.pk: {
            "organisation": office,
            "partners": getattr(office, "partner_names", None),
            "emails": getattr(office, "office_emails", None),
        }
        for office in offices
    }
    missing = [pk for pk, entry in entries.items() if entry["partners"] is None]
    if missing:
        links = (
            PartnerLink.objects.filter(
                office_organisation_id__in=missing,
                partner_id__in=partner_organisation_ids(user),
            )
            .values_list("office_organisation_id", "partner__name")
            .order_by("partner__name")
        )
        for pk in missing:
            entries[pk]["partners"] = []
        for pk, name in links:
            entries[pk]["partners"].append(name)
    unread = [
        pk
        for pk, entry in entries.items()
        if entry["emails"] is None and not hasattr(entry["organisation"], "office_emails")
    ]
    for entry in entries.values():
        entry["emails"] = entry["emails"] or []
    if unread:
        members = (
            Role.objects.filter(
                kind=Role.Kind.PROGRAMME_OFFICE,
                organisation_id__in=unread,
                user__is_active=True,
            )
            .values_list("organisation_id", "user__email")
            .order_by("user__email")
            .distinct()
        )
        for organisation_id, email in members:
            entries[organisation_id]["emails"].append(email)
    return list(entries.values())


def partner_offices(user, limit=None):
    """Whom a partner contact asks (see `with_office_emails`), the first `limit` offices
    by name, or all (one query on PostgreSQL, three elsewhere)."""
    offices = partner_office_list(user)
    return with_office_emails(offices[:limit] if limit else offices, user)


def _next_to_review(organisation, after):
    return (
        InterestRegistration.objects.filter(
            state=InterestRegistration.State.CONFIRMED,
            cohort__programme__organisation_id=organisation,
        )
        .exclude(pk=after)
        .order_by("confirmed_at", "created_at", "pk")
        .values("pk", "organisation_name")[:1]
    )


def registration_next_to_review(*, user, after):
    """The next registration to decide after `after`: the oldest confirmed one of the
    same office's queue (the programme's organisation), other than `after`; or None.
    Only what its link shows (`pk`, `organisation_name` as attributes), by SQL compiled
    once per process: the queue's queryset with its four joined models cost about 3 ms of
    CPU to build and compile (the decided registration's page at N = 1)."""
    organisation = after.cohort.programme.organisation_id
    if organisation not in office_organisation_ids(user):
        return None
    rows = compiled.values(
        "cohorts.next_to_review", _next_to_review, organisation=organisation, after=after.pk
    )
    return SimpleNamespace(**rows[0]) if rows else None


# --- the cohort page: status words, the next missing thing, the tabs --------------------

# A learning journey has no tandems: its third status is about confirming the people.
JOURNEY_STATUS_LABELS = {
    Cohort.State.MATCHING: gettext_lazy("Confirming participants"),
}
JOURNEY_NEXT_STEPS = {
    Cohort.State.OPEN: gettext_lazy(
        "Review the registrations of interest and add the people; when the window has "
        "closed, confirm the participants."
    ),
    Cohort.State.MATCHING: JOURNEY_MATCHING,
    Cohort.State.RUNNING: gettext_lazy(
        "Follow the companion programme; after the end date, move the cohort to evaluation."
    ),
}


def status_label(programme, state):
    """The name of a status in the programme's words (the same on every page)."""
    state = Cohort.State(state)
    if not programme.has_tandems and state in JOURNEY_STATUS_LABELS:
        return str(JOURNEY_STATUS_LABELS[state])
    return str(state.label)


def missing_step(cohort, participant_count=None, today=None):
    """What the office should do next: the first thing that is actually missing for the
    cohort's status (dates, interest window, people), else the status's usual step.
    `participant_count`: the people not withdrawn (one query when not given)."""
    state = Cohort.State(cohort.state)
    has_dates = bool(cohort.start_date and cohort.end_date)
    has_window = bool(cohort.interest_opens and cohort.interest_closes)
    if state == Cohort.State.DRAFT:
        if not has_dates:
            return _("Set the dates of the cohort (start and end).")
        if not has_window:
            return _("Set the interest window (when registrations of interest open and close).")
        return _("Open the cohort for interest.")
    if state in {Cohort.State.OPEN, Cohort.State.MATCHING, Cohort.State.RUNNING}:
        if state == Cohort.State.OPEN and not has_window:
            return _("Set the interest window (when registrations of interest open and close).")
        if not has_dates:
            return _("Set the dates of the cohort (start and end).")
        if participant_count is None:
            participant_count = (
                Participation.objects.filter(cohort=cohort)
                .exclude(state=Participation.State.WITHDRAWN)
                .count()
            )
        if state != Cohort.State.OPEN and not participant_count:
            return _("Add the people: nobody takes part in this cohort yet.")
    if not cohort.programme.has_tandems and state in JOURNEY_NEXT_STEPS:
        return str(JOURNEY_NEXT_STEPS[state])
    return str(NEXT_STEPS[state])


def cohort_tabs(cohort, request, current):
    """The tabs of the one cohort page: the cohorts app's own three, then those other
    apps add through `hooks.cohort_tabs`, by order. No query."""
    tabs = [
        hooks.Tab("overview", _("Overview"), "cohorts:cohort_detail", order=10),
        hooks.Tab("participants", _("Participants"), "cohorts:participation_list", order=20),
        hooks.Tab(
            "registrations",
            _("Registrations of interest"),
            "cohorts:cohort_registrations",
            order=30,
        ),
    ]
    tabs.extend(hooks.answers(hooks.cohort_tabs, sender=Cohort, cohort=cohort, request=request))
    shown = []
    for tab in sorted(tabs, key=lambda t: (t.order, t.key)):
        url = tab.url or _tab_url(tab.url_name, cohort.pk)
        if url:
            shown.append(
                {"key": tab.key, "label": tab.label, "url": url, "current": tab.key == current}
            )
    return shown


def _tab_url(url_name, pk):
    # Reversed once per process and cohort (`url_or_blank`): a failed reverse() raises,
    # and every tab of every cohort page asked for each tab's link.
    return url_or_blank(url_name, pk=pk) or url_or_blank(url_name, cohort_pk=pk)


def cohort_registrations(cohort, user):
    """The review queue for one cohort (the office's own registrations only): `cohort` is
    one the user's office runs (`office_cohort_or_404`), so its registrations are without
    joining the programme to check the office again (two joins fewer to plan in each of
    the page's queries)."""
    if cohort.programme.organisation_id not in office_organisation_ids(user):
        return InterestRegistration.objects.none()
    return InterestRegistration.objects.filter(cohort=cohort).select_related(
        "cohort", "cohort__programme", "parent_ministry", "decided_by"
    )


# --- the office's lists: what needs action, sort keys, the page's own figures -----------

# Registrations that wait for someone: the office's decision, or the contact's confirmation.
REGISTRATION_ACTION_STATES = (
    InterestRegistration.State.CONFIRMED,
    InterestRegistration.State.UNCONFIRMED,
)
# The order of states when a list is sorted by state: what needs action first.
REGISTRATION_STATE_RANK = Case(
    *(
        When(state=value, then=Value(index))
        for index, value in enumerate(
            [*REGISTRATION_ACTION_STATES, "accepted", "declined", "expired"]
        )
    ),
    default=Value(9),
    output_field=IntegerField(),
)
PARTICIPATION_STATE_RANK = Case(
    *(When(state=value, then=Value(index)) for index, value in enumerate(Participation.State)),
    default=Value(9),
    output_field=IntegerField(),
)


def registrations_needing_action(queryset):
    """Awaiting the office's decision or the contact's confirmation."""
    return queryset.filter(state__in=REGISTRATION_ACTION_STATES)


def invitation_open():
    """Never signed in: the invitation (or the confirmation of the e-mail address) is not
    taken up. The same test as the dashboard's "not signed in yet", read from the copy
    kept on the participation (`Participation.signed_in`: the account's last_login is
    set), as `participations_needing_action` reads it."""
    return Q(signed_in=False)


def participations_needing_action(cohort, queryset):
    """People not withdrawn nor completed who have not taken up their invitation, whose
    invitation is held, or (while matching or running) who are only nominated
    (`models.needing_action`: the condition of the partial indexes that give the list's
    first page without walking the cohort's other people)."""
    return queryset.filter(needing_action(nominated_wait=cohort.state in NOMINATED_WAIT))


# The cohort's statuses in which the only nominated need action (they wait for a tandem).
NOMINATED_WAIT = frozenset({Cohort.State.MATCHING, Cohort.State.RUNNING})


# What a row of the review queue shows (cohorts.views.rows.registration_rows): the page's
# query reads these columns only (a registration has some forty with its joined rows).
REGISTRATION_ROW_FIELDS = (
    "organisation_name",
    "contact_name",
    "organisation_kind",
    "state",
    "decided_at",
    "places_host",
    "places_send",
    "created_at",
    "cohort__title",
    "parent_ministry__name",
    "parent_ministry__short_name",
    "decided_by__name",
    "decided_by__email",
)
# What a row of the participant list shows (cohorts.views.rows.participation_rows).
PARTICIPATION_ROW_FIELDS = (
    "side",
    "state",
    "position",
    "invitation_held",
    "user__name",
    "user__email",
    "user__last_login",
    "organisation__name",
    "organisation__short_name",
)


def _note_counts(**registrations):
    return (
        RegistrationNote.objects.filter(registration_id__in=list(registrations.values()))
        .order_by()
        .values("registration_id")
        .annotate(n=Count("id"))
    )


def registration_note_counts(rows):
    """Put `note_count` on the rows of one page: one grouped query over these rows only,
    never a count over the whole queue before it is cut into pages."""
    rows = list(rows)
    counts = {}
    if rows:
        # Compiled once per process and number of rows (at most a page's): pioneer.compiled.
        found = compiled.values(
            f"cohorts.note_counts.{len(rows)}",
            _note_counts,
            **{f"registration{index}": row.pk for index, row in enumerate(rows)},
        )
        counts = {row["registration_id"]: row["n"] for row in found}
    for row in rows:
        row.note_count = counts.get(row.pk, 0)
    return rows


# --- a registration's page: its notes -------------------------------------------------


def _registration_notes(registration):
    return RegistrationNote.objects.filter(registration_id=registration).values(
        "author_id", "author__name", "author__email", "created_at", "text"
    )


def registration_notes(registration):
    """The office's notes on the registration in their order (the model's: oldest first),
    as rows with what the page shows of them (the author's name and e-mail address, when,
    the text): one query, its SQL compiled once per process (pioneer.compiled)."""
    return compiled.values(
        "cohorts.registration_notes", _registration_notes, registration=registration.pk
    )


_CANDIDATE_FIELDS = ("id", "name", "short_name", "kind", "parent_id")


def organisation_candidates_kept(registration, limit=10):
    """`organisation_candidates(registration)` for the registration's page: the
    organisations found kept under cohorts.figures' change token (a save of an
    organisation or of the registration replaces it; comparing the name with every
    organisation's cost about 1 ms of CPU on each visit at N = 50), their partner contacts
    read as they are now (one query). The decision itself checks against the organisations
    found anew (`services.registration_accept`)."""
    fresh = {}

    def compute():
        found = fresh["found"] = organisation_candidates(registration, limit=limit)
        return [tuple(getattr(org, name) for name in _CANDIDATE_FIELDS) for org in found]

    rows = kept_counts(f"organisation_candidates.{limit}", compute, registration.pk)
    if "found" in fresh:
        return fresh["found"]
    db = Organisation.objects.db
    candidates = [Organisation.from_db(db, _CANDIDATE_FIELDS, row) for row in rows]
    contacts = _candidate_contacts([org.pk for org in candidates], limit)
    for org in candidates:
        org.current_contacts = contacts.get(org.pk, [])
    return candidates


def _contacts_of(**organisations):
    return (
        Role.objects.filter(
            kind=Role.Kind.PARTNER_CONTACT, organisation_id__in=list(organisations.values())
        )
        .order_by("user__name", "user__email")
        .values("organisation_id", "user_id", "user__name", "user__email")
    )


def _candidate_contacts(organisation_ids, size):
    """`pioneer.selectors.partner_contacts_of(organisation_ids)` ({organisation id: its
    partner contacts' accounts, by name}) for at most `size` organisations, by SQL compiled
    once per process (the list filled up with its first id again); the accounts with
    their name and e-mail address alone. No query without ids."""
    if not organisation_ids:
        return {}
    filled = [*organisation_ids, *[organisation_ids[0]] * (size - len(organisation_ids))]
    rows = compiled.values(
        f"cohorts.candidate_contacts.{size}",
        _contacts_of,
        **{f"organisation{index}": pk for index, pk in enumerate(filled)},
    )
    db = User.objects.db
    # Model.from_db takes the values in the model's order of fields.
    names = [f.attname for f in User._meta.concrete_fields if f.attname in _CONTACT_COLUMNS]
    columns = [_CONTACT_COLUMNS[name] for name in names]
    out = {}
    for row in rows:
        user = User.from_db(db, names, [row[column] for column in columns])
        out.setdefault(row["organisation_id"], []).append(user)
    return out


_CONTACT_COLUMNS = {"id": "user_id", "name": "user__name", "email": "user__email"}


def registrations_of_cohort(cohort):
    """`cohort_registrations(cohort, user)` for the id of a cohort the user's office runs
    (its registrations tab's rows, read by SQL compiled once: cohorts.views.lists)."""
    return InterestRegistration.objects.filter(cohort_id=cohort).select_related(
        "cohort", "cohort__programme", "parent_ministry", "decided_by"
    )


def registration_note_count():
    """An annotation on InterestRegistration: how many notes it has (what
    `registration_note_counts` puts on a page's rows, within the page's own query)."""
    notes = (
        RegistrationNote.objects.filter(registration=OuterRef("pk"))
        .order_by()
        .values("registration")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(notes, output_field=IntegerField()), 0)
