"""Reads of the tandems app, scoped to the person asking (deny by default).

The office sees the tandems of the cohorts its organisation runs (`cohorts_for`), a
participant their own tandems, and, to state preferences, the other side of their own
cohort as anonymised profiles (no names, no organisations). Journal entries are not read
here yet; when they are, the office's reads must never include private ones.
"""

from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cohorts.models import Cohort, Participation, Programme
from cohorts.selectors import cohorts_for
from pioneer import compiled
from pioneer.models import User
from tandems.agreements import agreement_missing, confirmed_count, signed_on_paper
from tandems.matching import unmatched
from tandems.models import HospitationPhase, MatchPreference, Milestone, Tandem

# Whom a participant may state preferences about, and when.
PREFERENCE_STATES = (Cohort.State.OPEN, Cohort.State.MATCHING)


def tandem_cohorts_for(user):
    """The office's cohorts of programmes with tandems."""
    return cohorts_for(user).filter(programme__format=Programme.Format.TANDEM)


class _AnyOf(Func):
    """`column = ANY(ARRAY(subquery))`: the subquery runs once, first, and its few ids
    filter the column like a list of parameters (an index scan), where an IN (subquery)
    is planned as a join among the select_related joins (beyond the planner's
    join_collapse_limit they are not reordered, and every table was scanned)."""

    arg_joiner = " = ANY(ARRAY("
    template = "%(expressions)s))"
    output_field = BooleanField()

    def as_sqlite(self, compiler, connection, **extra_context):
        """SQLite (`make run`) has no arrays: a plain IN, which its planner runs first."""
        return super().as_sql(compiler, connection, arg_joiner=" IN (", template="%(expressions)s)")


class _Bare(Subquery):
    template = "%(subquery)s"


def _own_tandem_ids(user):
    """The ids of the person's tandems, on either side: two index scans (an OR across
    the two sides' joins scanned every participation and tandem)."""
    return (
        Tandem.objects.filter(administration__user=user)
        .order_by()
        .values("pk")
        .union(Tandem.objects.filter(external__user=user).order_by().values("pk"))
    )


def _own(user, column="pk"):
    """A filter: `column` is the id of one of the person's own tandems."""
    return _AnyOf(F(column), _Bare(_own_tandem_ids(user)))


def _overdue(today):
    rows = (
        Milestone.objects.filter(tandem=OuterRef("pk"), done_at__isnull=True, due_date__lt=today)
        .order_by()
        .values("tandem")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _with_people(queryset, cohort=True):
    phases = HospitationPhase.objects.select_related(
        "host_organisation", "host_contact", "guest__user"
    ).order_by("number")
    people = (
        "administration__user",
        "administration__organisation",
        "external__user",
        "external__organisation",
    )
    if cohort:
        people = ("cohort__programme", *people)
    return queryset.select_related(*people).prefetch_related(Prefetch("phases", queryset=phases))


def tandems_of(cohort, today=None):
    """The cohort's tandems with both people, their phases and how many milestones are
    overdue (two queries). The board reads its rows from this (`board_rows`)."""
    today = today or timezone.localdate()
    # Through the cohort's related manager each tandem gets `cohort` (with its programme)
    # without joining them: two joins fewer, in a query whose planning grew with its joins.
    return (
        _with_people(cohort.tandems.all(), cohort=False)
        .annotate(overdue=_overdue(today))
        .order_by("administration__user__name", "pk")
    )


def _administration_name():
    """An annotation on Tandem: the administration person's name (a subquery of two index
    lookups per tandem; as a join PostgreSQL hashed every participation of every cohort)."""
    name = Participation.objects.filter(pk=OuterRef("administration_id")).order_by()
    return Subquery(name.values("user__name")[:1])


def board_order(tandems):
    """The board's tandems (of `tandems_of(...)`, filtered or not) in its order, as ids:
    by the administration person's name, on the tandems alone (no join)."""
    return (
        tandems.select_related(None)
        .prefetch_related(None)
        .annotate(administration_name=_administration_name())
        .order_by("administration_name", "pk")
        .values("pk")
    )


def board_rows(tandems, pks):
    """The board's rows of the tandems `pks` in its order: the tandems' own columns the
    board shows, as dicts, without joining people or organisations (a join of seven
    tables took PostgreSQL longer to plan than to run; see `board_people`). One query."""
    return list(_board_rows(tandems, pks))


def _board_rows(tandems, pks):
    return (
        tandems.filter(pk__in=pks)
        .select_related(None)
        .prefetch_related(None)
        .annotate(administration_name=_administration_name())
        .order_by("administration_name", "pk")
        .values(
            "pk",
            "state",
            "topic",
            "ended_reason",
            "administration_id",
            "external_id",
            "administration_confirmed_at",
            "external_confirmed_at",
            "overdue",
        )
    )


def _board_base(cohort, day):
    """What `tandems_of` gives the board's reads (the tandems of the cohort with this id,
    their overdue milestones on `day`), without the people and phases the board reads
    apart."""
    return (
        Tandem.objects.filter(cohort_id=cohort)
        .annotate(overdue=_overdue(day))
        .order_by("administration__user__name", "pk")
    )


def board_page(cohort, bottom, top, today=None):
    """`board_rows` of the unfiltered board's page: the rows from `bottom` to `top` of
    all the cohort's tandems in the board's order (the same one query, the page a
    subquery), read by SQL compiled once per process and page (pioneer.compiled: the
    querysets cost about 2 ms of CPU to build on each visit). No query for an empty
    page."""
    if top <= bottom:
        return []
    today = today or timezone.localdate()

    def build(cohort, day):
        base = _board_base(cohort, day)
        return _board_rows(base, board_order(base)[bottom:top])

    return compiled.values_on(f"tandems.board_page:{bottom}:{top}", build, today, cohort=cohort.pk)


def board_phases(tandem_ids):
    """The phases of the tandems `tandem_ids` as dicts, by number: what the board shows of
    them, with how many parties confirmed the current agreement (`confirmed`) and whether
    on paper (`paper`), and their guests as `board_people` gives them (`guest`): a
    tandem's two phases have its two people as guests, so the board reads its people
    here. One query (none without ids), by SQL compiled once per process for a list of
    PHASE_IDS ids, or a multiple of it (the list filled up with its first id again)."""
    tandem_ids = list(tandem_ids)
    if not tandem_ids:
        return []
    size = -(-len(tandem_ids) // PHASE_IDS) * PHASE_IDS
    filled = tandem_ids + [tandem_ids[0]] * (size - len(tandem_ids))
    names = [f"tandem{index}" for index in range(size)]

    def build(**markers):
        return _board_phases([markers[name] for name in names])

    ids = dict(zip(names, filled, strict=True))
    phases = compiled.values(f"tandems.board_phases:{size}", build, **ids)
    for phase in phases:
        phase["guest"] = {
            "name": phase.pop("guest_name"),
            "email": phase.pop("guest_email"),
            "short": phase.pop("guest_short"),
            "organisation_name": phase.pop("guest_organisation"),
        }
    return phases


# The board's page size: the phases are read for this many tandems at once.
PHASE_IDS = 20


def _board_phases(tandem_ids):
    user = User.objects.filter(pk=OuterRef("guest__user_id")).order_by()
    return (
        HospitationPhase.objects.filter(tandem_id__in=tandem_ids)
        .order_by("tandem_id", "number")
        .annotate(confirmed=confirmed_count(), paper=signed_on_paper())
        .values(
            "pk",
            "tandem_id",
            "number",
            "start",
            "end",
            "guest_id",
            "host_contact_id",
            "host_contact_name",
            "confirmed",
            "paper",
            guest_name=Subquery(user.values("name")[:1]),
            guest_email=Subquery(user.values("email")[:1]),
            guest_short=F("guest__organisation__short_name"),
            guest_organisation=F("guest__organisation__name"),
            host_short=F("host_organisation__short_name"),
            host_name=F("host_organisation__name"),
            contact_name=F("host_contact__name"),
            contact_email=F("host_contact__email"),
        )
    )


def board_people(participation_ids):
    """participation id -> its person's name and e-mail address and its organisation's
    short name and name, for the board (one query). The person's columns are subqueries
    (an index lookup each): as a join PostgreSQL scanned every user to find 40."""
    user = User.objects.filter(pk=OuterRef("user_id")).order_by()
    rows = (
        Participation.objects.filter(pk__in=set(participation_ids))
        .order_by()
        .values(
            "pk",
            name=Subquery(user.values("name")[:1]),
            email=Subquery(user.values("email")[:1]),
            short=F("organisation__short_name"),
            organisation_name=F("organisation__name"),
        )
    )
    return {row["pk"]: row for row in rows}


def filter_board(queryset, *, state="", overdue=False, missing_agreement=False, text=""):
    if state:
        queryset = queryset.filter(state=state)
    if overdue:
        queryset = queryset.filter(overdue__gt=0)
    if missing_agreement:
        queryset = queryset.filter(agreement_missing())
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


def agreements_missing_count(cohort):
    """How many of the cohort's tandems have a current or next agreement that is not
    confirmed by all three parties (one query)."""
    return Tandem.objects.filter(cohort=cohort).filter(agreement_missing()).count()


def _dashboard_counts(cohort):
    return (
        Tandem.objects.filter(cohort_id=cohort)
        .values("state")
        .annotate(n=Count("id"), missing=Count("id", filter=Q(agreement_missing())))
        .order_by()
    )


def dashboard_counts(cohort):
    """({state: count}, how many await an agreement's confirmation) of the cohort's
    tandems, for the cohort page's figures and attention (one query, kept under
    cohorts.figures' change token: every save or delete of a tandem, a phase or a
    confirmation replaces it, and tandems_advance, which moves tandems by an update, too.
    At N = 50 the big cohort's 500 tandems with their phases' confirmations cost 1 to
    5 ms of SQL on every visit of its overview)."""
    from cohorts import figures

    rows = figures.kept(
        "tandems.dashboard_counts",
        lambda: compiled.values("tandems.dashboard_counts", _dashboard_counts, cohort=cohort.pk),
        cohort.pk,
    )
    counts, missing = {}, 0
    for row in rows:
        counts[row["state"]] = row["n"]
        missing += row["missing"]
    return counts, missing


def tandem_counts(cohort):
    """{state: count} of the cohort's tandems (one query)."""
    rows = compiled.values("tandems.tandem_counts", _tandem_counts, cohort=cohort.pk)
    return {row["state"]: row["n"] for row in rows}


def _tandem_counts(cohort):
    return (
        Tandem.objects.filter(cohort_id=cohort).values("state").annotate(n=Count("id")).order_by()
    )


def tandems_for_office(user):
    """The tandems of the cohorts the user's office runs."""
    return _with_people(Tandem.objects.filter(cohort__in=tandem_cohorts_for(user)))


def milestones_of(tandem):
    return Milestone.objects.filter(tandem=tandem).order_by("due_date", "id")


def people_without_tandem(cohort):
    """The cohort's people who are not withdrawn and in no live tandem."""
    return unmatched(cohort)


def tandems_of_participant(user):
    """The person's own tandems (not those ended early) with their phases, newest cohort
    first (two queries; the milestones come with the person's dates)."""
    return (
        _with_people(Tandem.objects.filter(_own(user)))
        .exclude(state=Tandem.State.ENDED_EARLY)
        .order_by("-cohort__start_date", "-pk")
    )


def _own_tandems(user):
    return (
        Tandem.objects.filter(_own(user))
        .select_related("cohort__programme")
        .order_by("-cohort__start_date", "-pk")
    )


def _own_phases(user):
    return (
        HospitationPhase.objects.filter(_own_tandem(user))
        .select_related("host_organisation", "host_contact", "guest__user", "guest__organisation")
        .order_by("start", "pk")
    )


def _own_milestones(user):
    return Milestone.objects.filter(_own_tandem(user)).order_by("due_date", "pk")


def own_tandems_with_dates(user, milestones=True):
    """All the person's own tandems (those ended early too: the calendar marks their dates
    cancelled), newest cohort first, each with both people (user and organisation), its
    phases as `dated_phases` (by start) and milestones as `dated_milestones` (by due
    date): three small queries. The one query joining tandem, cohort, programme and both
    people with users and organisations spent 8 ms planning (at N = 50) to read a row or
    two; the phases were read twice besides (the page's and the calendar's). Each of the
    three is compiled once per process (pioneer.compiled): building and compiling them
    cost twice what PostgreSQL needs to answer them (3.7 ms of Python for a participant's
    home panel, profiled)."""
    user_id = getattr(user, "pk", user)
    tandems = compiled.objects(
        "tandems.own", _own_tandems, related=("cohort", "cohort__programme"), user=user_id
    )
    if not tandems:
        return []
    by_id = {t.pk: t for t in tandems}
    # A tandem's two phases have its two people as guests: they are read with the phases
    # (a query fewer), and only someone no phase names is read on its own.
    phases = compiled.objects(
        "tandems.own_phases",
        _own_phases,
        related=(
            "host_organisation",
            "host_contact",
            "guest",
            "guest__user",
            "guest__organisation",
        ),
        user=user_id,
    )
    people = {phase.guest_id: phase.guest for phase in phases}
    ids = {t.administration_id for t in tandems} | {t.external_id for t in tandems}
    if ids - people.keys():
        people.update(
            (p.pk, p)
            for p in Participation.objects.filter(pk__in=ids - people.keys()).select_related(
                "user", "organisation"
            )
        )
    for tandem in tandems:
        tandem.administration = people[tandem.administration_id]
        tandem.external = people[tandem.external_id]
        tandem.dated_phases = []
        tandem.dated_milestones = []
    for phase in phases:
        phase.tandem = by_id[phase.tandem_id]
        phase.guest = people[phase.guest_id]
        phase.tandem.dated_phases.append(phase)
    if not milestones:  # the home panel's: tandems, and phases with people (two queries)
        return tandems
    for milestone in compiled.objects("tandems.own_milestones", _own_milestones, user=user_id):
        milestone.tandem = by_id[milestone.tandem_id]
        milestone.tandem.dated_milestones.append(milestone)
    return tandems


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


def preference_cohorts_shown(user, limit=5):
    """The first `limit` of `preference_cohorts(user)` with cohort and programme, as My
    tandem lists them: by SQL compiled once per process (pioneer.compiled)."""
    return compiled.objects(
        f"tandems.preference_cohorts.{limit}",
        preference_cohorts,
        related=("cohort", "cohort__programme"),
        limit=limit,
        user=getattr(user, "pk", user),
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


def _own_tandem(user):
    return _own(user, "tandem_id")


def dated_phases(user, *, first_day=None, last_day=None):
    """The phases of the person's own tandems (ended ones too: the calendar marks them
    cancelled) overlapping the days given, with everyone they name (one query)."""
    phases = HospitationPhase.objects.filter(_own_tandem(user))
    if first_day:
        phases = phases.filter(end__gte=first_day)
    if last_day:
        phases = phases.filter(start__lte=last_day)
    return phases.select_related(
        "tandem__cohort__programme",
        "tandem__administration__user",
        "tandem__external__user",
        "guest__user",
        "host_organisation",
        "host_contact",
    ).order_by("start", "pk")


def dated_milestones(user, *, first_day=None, last_day=None):
    """The milestones of the person's own tandems due on the days given (one query)."""
    milestones = Milestone.objects.filter(_own_tandem(user))
    if first_day:
        milestones = milestones.filter(due_date__gte=first_day)
    if last_day:
        milestones = milestones.filter(due_date__lte=last_day)
    return milestones.select_related(
        "tandem__cohort", "tandem__administration__user", "tandem__external__user"
    ).order_by("due_date", "pk")
