"""Matching: which administration-side person fits which external expert, and one optimal
assignment for a whole cohort.

Two layers, so that the arithmetic is tested without a database and measured alone:

- `Profile`, `score_pair`, `score_matrix` and `assign` are pure: profiles in, scores with
  their reasons and an assignment out.
- `cohort_matching(cohort)` reads a cohort's unmatched people, their organisations'
  registrations of interest, the preferences and earlier pairings in a fixed number of
  queries (five, whatever the cohort's size) and hands them to the pure layer.

The fit of a pair is a sum of points, each with its reason in words (`Reason`, translated
when shown, never while scoring: 200 × 200 pairs score in a fraction of a second):

- topics both name (`TOPIC`, the terms of their lists, see `words`), and one's expertise
  meeting the other's topics (`EXPERTISE`),
  from the participations and the organisations' registrations (offered / sought);
- a stated wish to be paired (`LIKE` each way);
- the organisations' preferred timing naming the same words (`TIMING`);
- the host organisation having offered places to host (`PLACES`).

Hard constraints make a pair *forbidden*: the same organisation, a stated exclusion (a
dislike, either way), and people who were paired in an earlier cohort. Forbidden pairs
are never suggested and never assigned.

The assignment maximises the total fit with SciPy's `linear_sum_assignment` (the
Hungarian method's modern form, O(n³)). Each administration-side person gets a column
"nobody" worth 0, and forbidden pairs a prohibitive cost, so the solver may leave someone
unpaired rather than use a forbidden pair, and the result is the best set of allowed pairs
(checked against brute force in the tests). Every allowed pair is worth at least `BASE`, so
pairing people is worth more than leaving them alone.
"""

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from scipy.optimize import linear_sum_assignment

from cohorts.models import InterestRegistration, Participation
from tandems.models import MatchPreference, Tandem

BASE = 1
TOPIC = 10  # per topic both name
TOPIC_CAP = 4  # at most this many topics count
EXPERTISE = 6  # per expertise of one that the other's topics seek
EXPERTISE_CAP = 4
LIKE = 25  # each way
TIMING = 4
PLACES = 3
# Larger than any total the allowed pairs of a cohort can reach.
FORBIDDEN = -1e9

# Topics are lists ("Digitalisierung, Open Data und Klimaschutz"): these separate them.
_SEPARATORS = re.compile(r"[,;/\n]+|\s+(?:und|and|sowie|&)\s+", re.IGNORECASE)


@lru_cache(maxsize=8192)
def words(text):
    """The topics named in a free text: each term of a list, in lower case with single
    spaces ("Open  Data" and "open data" are one topic); terms under three letters drop.

    Kept per process (a frozenset, never changed): people and their organisations'
    registrations name the same few lists, and splitting them was a fifth of the time a
    page of the matching took to make its profiles."""
    terms = (" ".join(part.split()).lower() for part in _SEPARATORS.split(text or ""))
    return frozenset(term for term in terms if len(term) >= 3)


@dataclass(frozen=True)
class Profile:
    """What the matching knows of one person (no database)."""

    id: int
    label: str
    organisation_id: int
    organisation: str = ""
    topics: frozenset = frozenset()
    expertise: frozenset = frozenset()
    timing: frozenset = frozenset()
    places_host: int = 0
    user_id: int = 0


@dataclass(frozen=True)
class Reason:
    """One reason for (or against) a pair; `text` is translated when read."""

    code: str
    points: float
    params: tuple = ()

    @property
    def text(self):
        p = dict(self.params)
        if self.code == "topics":
            return _("Both work on %(topics)s.") % p
        if self.code == "expertise":
            return _("%(name)s brings %(topics)s, which %(other)s is looking for.") % p
        if self.code == "like":
            return _("%(name)s would like to be paired with %(other)s.") % p
        if self.code == "timing":
            return _("Their organisations prefer the same timing (%(timing)s).") % p
        if self.code == "places":
            return (
                ngettext(
                    "%(organisation)s offers %(count)s place to host.",
                    "%(organisation)s offers %(count)s places to host.",
                    p["count"],
                )
                % p
            )
        if self.code == "same_organisation":
            return _("Both work for %(organisation)s.") % p
        if self.code == "dislike":
            return _("%(name)s asked not to be paired with %(other)s.") % p
        if self.code == "earlier":
            return _("They were paired in an earlier cohort.")
        return self.code  # pragma: no cover

    def __str__(self):
        return self.text


@dataclass
class Fit:
    """The score of one pair with its reasons; `forbidden` when a hard constraint holds."""

    administration: Profile
    external: Profile
    score: float = 0.0
    reasons: list = field(default_factory=list)
    forbidden: bool = False

    @property
    def reason_texts(self):
        return [r.text for r in self.reasons]


def _listed(items, cap):
    return ", ".join(sorted(items)[:cap])


def score_pair(a, b, *, likes=frozenset(), dislikes=frozenset(), earlier=frozenset()):
    """The fit of administration-side `a` with external `b`. `likes`, `dislikes`: sets of
    (from id, to id); `earlier`: set of frozenset({user id, user id}) paired before."""
    fit = Fit(a, b)
    reasons = fit.reasons
    if a.organisation_id == b.organisation_id:
        fit.forbidden = True
        reasons.append(Reason("same_organisation", 0, (("organisation", a.organisation),)))
    for x, y in ((a, b), (b, a)):
        if (x.id, y.id) in dislikes:
            fit.forbidden = True
            reasons.append(Reason("dislike", 0, (("name", x.label), ("other", y.label))))
    if frozenset((a.user_id, b.user_id)) in earlier:
        fit.forbidden = True
        reasons.append(Reason("earlier", 0))
    if fit.forbidden:
        fit.score = FORBIDDEN
        return fit
    score = BASE
    shared = a.topics & b.topics
    if shared:
        points = TOPIC * min(len(shared), TOPIC_CAP)
        score += points
        reasons.append(Reason("topics", points, (("topics", _listed(shared, TOPIC_CAP)),)))
    for x, y in ((a, b), (b, a)):
        brings = (x.expertise & y.topics) - shared
        if brings:
            points = EXPERTISE * min(len(brings), EXPERTISE_CAP)
            score += points
            reasons.append(
                Reason(
                    "expertise",
                    points,
                    (
                        ("name", x.label),
                        ("other", y.label),
                        ("topics", _listed(brings, EXPERTISE_CAP)),
                    ),
                )
            )
    for x, y in ((a, b), (b, a)):
        if (x.id, y.id) in likes:
            score += LIKE
            reasons.append(Reason("like", LIKE, (("name", x.label), ("other", y.label))))
    timing = a.timing & b.timing
    if timing:
        score += TIMING
        reasons.append(Reason("timing", TIMING, (("timing", _listed(timing, 3)),)))
    for host in (b, a):
        if host.places_host:
            score += PLACES
            reasons.append(
                Reason(
                    "places",
                    PLACES,
                    (("organisation", host.organisation), ("count", host.places_host)),
                )
            )
    fit.score = score
    reasons.sort(key=lambda r: -r.points)
    return fit


class Scores:
    """Every pair's score as a matrix (rows: administration side, columns: external), with
    the forbidden pairs marked. The reasons are made only for the pairs someone looks at
    (`fit`): 40,000 pairs score in a few hundredths of a second this way, and
    `score_pair` (the same arithmetic, in words) is checked against it in the tests."""

    def __init__(self, administration, external, **constraints):
        self.administration = list(administration)
        self.external = list(external)
        self.constraints = constraints
        self.matrix, self.forbidden = _fast_scores(
            self.administration, self.external, **constraints
        )

    @property
    def shape(self):
        return self.matrix.shape

    def fit(self, i, j):
        return score_pair(self.administration[i], self.external[j], **self.constraints)


def _masks(profiles, vocabulary):
    """Each profile's topics, expertise and timing as bit masks over one vocabulary."""

    def mask(items):
        value = 0
        for item in items:
            value |= 1 << vocabulary.setdefault(item, len(vocabulary))
        return value

    return [(mask(p.topics), mask(p.expertise), mask(p.timing)) for p in profiles]


def _fast_scores(
    administration, external, *, likes=frozenset(), dislikes=frozenset(), earlier=frozenset()
):
    n, m = len(administration), len(external)
    matrix = np.zeros((n, m))
    forbidden = np.zeros((n, m), dtype=bool)
    vocabulary = {}
    a_masks = _masks(administration, vocabulary)
    b_masks = _masks(external, vocabulary)
    b_places = [PLACES if b.places_host else 0 for b in external]
    for i, a in enumerate(administration):
        a_topics, a_expertise, a_timing = a_masks[i]
        a_places = PLACES if a.places_host else 0
        row = matrix[i]
        for j, b in enumerate(external):
            if (
                a.organisation_id == b.organisation_id
                or (a.id, b.id) in dislikes
                or (b.id, a.id) in dislikes
                or frozenset((a.user_id, b.user_id)) in earlier
            ):
                forbidden[i, j] = True
                row[j] = FORBIDDEN
                continue
            b_topics, b_expertise, b_timing = b_masks[j]
            shared = a_topics & b_topics
            score = BASE + TOPIC * min(shared.bit_count(), TOPIC_CAP)
            score += EXPERTISE * min((a_expertise & b_topics & ~shared).bit_count(), EXPERTISE_CAP)
            score += EXPERTISE * min((b_expertise & a_topics & ~shared).bit_count(), EXPERTISE_CAP)
            if (a.id, b.id) in likes:
                score += LIKE
            if (b.id, a.id) in likes:
                score += LIKE
            if a_timing & b_timing:
                score += TIMING
            row[j] = score + a_places + b_places[j]
    return matrix, forbidden


def score_matrix(administration, external, **constraints):
    """Every pair's score (see `Scores`)."""
    return Scores(administration, external, **constraints)


def assign(scores):
    """The optimal set of allowed pairs: [Fit], maximising the total score.

    Each row gets a column of its own worth 0 ("nobody"), forbidden pairs a prohibitive
    cost; the solver never needs one of them."""
    n, m = scores.shape
    if not n or not m:
        return []
    matrix = np.full((n, m + n), FORBIDDEN)
    matrix[:, :m] = scores.matrix
    matrix[np.arange(n), m + np.arange(n)] = 0.0
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    chosen = [
        scores.fit(i, j)
        for i, j in zip(rows, cols, strict=True)
        if j < m and not scores.forbidden[i, j]
    ]
    return sorted(chosen, key=lambda fit: -fit.score)


def suggestions(scores, limit=3):
    """For each person, their best allowed partners: {profile id: [Fit, ...]}."""
    n, m = scores.shape
    found = {}
    if not n or not m:
        return found
    matrix = scores.matrix
    for i, a in enumerate(scores.administration):
        best = np.argsort(-matrix[i], kind="stable")[:limit]
        found[a.id] = [scores.fit(i, j) for j in best if not scores.forbidden[i, j]]
    for j, b in enumerate(scores.external):
        best = np.argsort(-matrix[:, j], kind="stable")[:limit]
        found[b.id] = [scores.fit(i, j) for i in best if not scores.forbidden[i, j]]
    return found


# --- the database layer -----------------------------------------------------------------


def unmatched(cohort):
    """The cohort's people who are not withdrawn and in no live tandem (one query when
    evaluated; usable as a subquery)."""
    live = Tandem.objects.filter(cohort=cohort, state__in=Tandem.LIVE)
    return (
        Participation.objects.filter(cohort=cohort)
        .exclude(state=Participation.State.WITHDRAWN)
        .exclude(pk__in=live.values("administration"))
        .exclude(pk__in=live.values("external"))
    )


@dataclass
class CohortMatching:
    administration: list
    external: list
    fits: Scores
    assignment: list
    suggestions: dict

    @property
    def forbidden_count(self):
        return int(self.fits.forbidden.sum())


def _registrations(cohort, organisations=None):
    """Per organisation, its accepted registration of interest for this cohort (of the
    given organisations only, when named: a page needs those of the people it shows)."""
    rows = InterestRegistration.objects.filter(
        cohort=cohort, state=InterestRegistration.State.ACCEPTED, organisation__isnull=False
    )
    if organisations is not None:
        rows = rows.filter(organisation_id__in=organisations)
    rows = rows.values_list(
        "organisation_id", "topics_offered", "topics_sought", "preferred_timing", "places_host"
    )
    return {row[0]: row[1:] for row in rows}


# A person as the matching reads them: the participation's id, side, organisation, user,
# topics and expertise, the user's name and e-mail address and the organisation's short
# name and name (`_people`). Rows, not model instances: making a participation with its
# user and organisation (every column, their dates parsed) cost more than the profile.
_ID, _SIDE, _ORGANISATION, _USER = 0, 1, 2, 3


def _people(cohort, *, ids=None, limit=None):
    """The cohort's people as rows (see above), in one query: with `ids`, those of them
    (matched or not: a page shows the people of a stored outcome); else its unmatched
    people (`unmatched`) in the order the page lists them (side, name, e-mail address),
    at most `limit` of them. Only the models' table names are formatted in; every value
    is a parameter."""
    from django.db import connection

    from pioneer.models import Organisation, User

    params = [getattr(cohort, "pk", cohort)]
    if ids is not None:
        ids = list(ids)
        if not ids:  # as the ORM: an empty IN asks nothing
            return []
        where = f"p.id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    else:
        tandem = Tandem._meta.db_table
        live = ", ".join(["%s"] * len(Tandem.LIVE))
        # In no live tandem of the cohort, on either side (as `unmatched`).
        paired = f"SELECT t.{{side}} FROM {tandem} t WHERE t.cohort_id = %s AND t.state IN ({live})"  # noqa: S608
        where = (
            "p.state <> %s"
            f" AND NOT (p.id IN ({paired.format(side='administration_id')}))"
            f" AND NOT (p.id IN ({paired.format(side='external_id')}))"
            " ORDER BY p.side, u.name, u.email, p.id"
        )
        states = [str(state) for state in Tandem.LIVE]
        params += [str(Participation.State.WITHDRAWN), params[0], *states, params[0], *states]
        if limit is not None:
            where += " LIMIT %s"
            params.append(limit)
    sql = f"""
    SELECT p.id, p.side, p.organisation_id, p.user_id, p.topics, p.expertise,
           u.name, u.email, o.short_name, o.name
      FROM {Participation._meta.db_table} p
      JOIN {User._meta.db_table} u ON u.id = p.user_id
      JOIN {Organisation._meta.db_table} o ON o.id = p.organisation_id
     WHERE p.cohort_id = %s AND {where}"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _profile(person, registration=None):
    """The profile of a person (a row of `_people`) with their organisation's accepted
    registration of interest (a row of `_registrations`), if any."""
    pk, _side, organisation_id, user_id, topics, expertise, name, email, short, full = person
    offered, sought, timing, places_host = registration or ("", "", "", 0)
    return Profile(
        id=pk,
        label=name or email,
        organisation_id=organisation_id,
        organisation=short or full,
        topics=words(topics) | words(sought),
        expertise=words(expertise) | words(offered),
        timing=words(timing),
        places_host=places_host,
        user_id=user_id,
    )


def _earlier_pairs(cohort, user_ids):
    """(user id, user id) of the tandems of other cohorts that one of these users was in
    (one query). A union of the two sides, each found through the users' participations
    by index: an OR of the two sides' joins hashed every participation and tandem of every
    cohort (4 ms at N = 50 for a cohort of ten)."""
    theirs = Participation.objects.filter(user_id__in=user_ids).order_by().values("pk")
    others = Tandem.objects.exclude(cohort=cohort).order_by()

    def side(name):
        return others.filter(**{f"{name}__in": theirs}).values_list(
            "administration__user_id", "external__user_id"
        )

    return side("administration").union(side("external"))


def unmatched_people(cohort, limit=None):
    """The cohort's unmatched people as `cohort_matching` reads them (rows of `_people`,
    in the order the page lists them; at most `limit`). One query."""
    return _people(cohort, limit=limit)


def cohort_matching(cohort, people=None):
    """Scores, suggestions and the optimal assignment for a cohort's unmatched people
    (four queries; three when `people`, all of `unmatched_people(cohort)`, are given)."""
    if people is None:
        people = unmatched_people(cohort)
    registrations = _registrations(cohort, {p[_ORGANISATION] for p in people})
    administration, external = [], []
    for person in people:
        profile = _profile(person, registrations.get(person[_ORGANISATION]))
        side = administration if person[_SIDE] == Participation.Side.ADMINISTRATION else external
        side.append(profile)
    ids = [p[_ID] for p in people]
    likes, dislikes = set(), set()
    for source, target, kind in MatchPreference.objects.filter(
        participation_id__in=ids, other_id__in=ids
    ).values_list("participation_id", "other_id", "kind"):
        (likes if kind == MatchPreference.Kind.LIKE else dislikes).add((source, target))
    earlier = {frozenset(pair) for pair in _earlier_pairs(cohort, [p[_USER] for p in people])}
    fits = score_matrix(administration, external, likes=likes, dislikes=dislikes, earlier=earlier)
    return CohortMatching(
        administration=administration,
        external=external,
        fits=fits,
        assignment=assign(fits),
        suggestions=suggestions(fits),
    )


# --- the stored outcome: computed once per state of the cohort's inputs --------------------
#
# Scoring a cohort of 1,000 people (250,000 pairs) and solving the assignment takes about a
# second, and rendering every person's suggestions made a page of 1.8 MB: the matching page
# of a large cohort took 1 to 2 s on every visit. So the outcome (ids and scores only, no
# names: the job's summary is no second copy of the people's data) is computed once per
# state of its inputs, named by a fingerprint of those inputs, and the page shows one page
# of it at a time, the reasons of the rows it shows made fresh.

# Up to this many unmatched people the outcome is computed in the request (a few dozen
# milliseconds); above it by a job, while the page says it is being computed.
INLINE_LIMIT = 200
JOB_KIND = "tandems.matching"


def fingerprint(cohort):
    """(fingerprint, unmatched people): a digest of everything the stored outcome is made
    from, and how many people are unmatched. One query; any change of an input changes
    the digest.

    The inputs are what `cohort_matching` reads, and no more (each read through an index
    from the cohort, so the query grows with the cohort and not with the world):
    - the unmatched people (not withdrawn, in no live tandem of the cohort) with what is
      scored of them and the name and e-mail address they are ordered by: a tandem made,
      ended or withdrawn changes who is in this set, so the cohort's tandems need no
      digest of their own; the organisations' names are labels the page reads fresh;
    - the preferences these people stated;
    - the cohort's accepted registrations of interest (those of an organisation are the
      ones read: one accepted or no longer accepted enters or leaves the set);
    - the tandems of other cohorts of these people's users (pairs never formed again).
    A row deleted leaves its set, so deletes change the digest as updates do."""
    from django.db import connection

    from pioneer.models import User

    if connection.vendor != "postgresql":
        return _fingerprint_portable(cohort)
    participation = Participation._meta.db_table
    user = User._meta.db_table
    tandem = Tandem._meta.db_table
    preference = MatchPreference._meta.db_table
    registration = InterestRegistration._meta.db_table
    live = [str(state) for state in Tandem.LIVE]
    # Only the models' own table names are formatted in; every value is a parameter. The
    # names are read by a subquery per person (an index lookup): a join hashed every user.
    sql = f"""
    WITH live AS (SELECT administration_id AS id FROM {tandem}
                   WHERE cohort_id = %(cohort)s AND state = ANY(%(live)s)
                  UNION ALL SELECT external_id FROM {tandem}
                   WHERE cohort_id = %(cohort)s AND state = ANY(%(live)s)),
    people AS MATERIALIZED (
      SELECT p.id, p.side, p.organisation_id, p.user_id, p.topics, p.expertise
        FROM {participation} p
       WHERE p.cohort_id = %(cohort)s AND p.state <> %(withdrawn)s
         AND p.id NOT IN (SELECT id FROM live)),
    others AS (SELECT q.id FROM people p CROSS JOIN LATERAL (
                 SELECT q.id FROM {participation} q
                  WHERE q.user_id = p.user_id AND q.cohort_id <> %(cohort)s OFFSET 0) q),
    earlier AS (
      SELECT t.id, t.administration_id, t.external_id FROM others q
        JOIN {tandem} t ON t.administration_id = q.id
      UNION
      SELECT t.id, t.administration_id, t.external_id FROM others q
        JOIN {tandem} t ON t.external_id = q.id)
    SELECT md5(concat_ws('|',
      (SELECT string_agg(concat_ws(',', p.id, p.side, p.organisation_id, p.user_id,
                                   p.topics, p.expertise,
                                   (SELECT concat_ws(',', u.name, u.email) FROM {user} u
                                     WHERE u.id = p.user_id)),
                         ';' ORDER BY p.id)
         FROM people p),
      (SELECT string_agg(concat_ws(',', m.id, m.participation_id, m.other_id, m.kind),
                         ';' ORDER BY m.id)
         FROM {preference} m WHERE m.participation_id IN (SELECT id FROM people)),
      (SELECT string_agg(concat_ws(',', r.id, r.organisation_id, r.topics_offered,
                                   r.topics_sought, r.preferred_timing, r.places_host),
                         ';' ORDER BY r.id)
         FROM {registration} r
        WHERE r.cohort_id = %(cohort)s AND r.state = %(accepted)s),
      (SELECT string_agg(concat_ws(',', e.id,
                                   (SELECT a.user_id FROM {participation} a
                                     WHERE a.id = e.administration_id),
                                   (SELECT b.user_id FROM {participation} b
                                     WHERE b.id = e.external_id)),
                         ';' ORDER BY e.id)
         FROM earlier e)
    )),
    (SELECT count(*) FROM people)
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "cohort": getattr(cohort, "pk", cohort),
                "withdrawn": str(Participation.State.WITHDRAWN),
                "accepted": str(InterestRegistration.State.ACCEPTED),
                "live": live,
            },
        )
        digest, count = cursor.fetchone()
    return digest, count


def current_fingerprint(cohort):
    """`fingerprint(cohort)` for a page: kept under cohorts.figures' change token, which
    every save or delete of what the digest reads replaces (participations, people and
    registrations in cohorts.signals, tandems and preferences in tandems.signals; the
    services writing without signals replace it themselves; tandems_advance only moves
    tandems between live states, which no digest reads). At N = 50 the big cohort's
    digest reads 1,000 people and their earlier tandems: 4 to 5 ms of SQL on every visit
    of its matching page, which a kept digest answers from the cache. A job computing an
    outcome reads `fingerprint` itself, never a kept one."""
    from cohorts import figures

    cohort_id = getattr(cohort, "pk", cohort)
    digest, count = figures.kept(
        "tandems.matching.fingerprint", lambda: tuple(fingerprint(cohort_id)), cohort_id
    )
    return digest, count


def _fingerprint_portable(cohort):
    """`fingerprint` for databases without md5 and string_agg (SQLite for `make run`): the
    same inputs read through the ORM and digested here (a few queries; small worlds)."""
    import hashlib

    cohort_id = getattr(cohort, "pk", cohort)
    people = list(
        Participation.objects.filter(cohort_id=cohort_id)
        .order_by("pk")
        .values_list(
            "pk", "state", "side", "organisation_id", "user_id", "topics", "expertise",
            "user__name", "user__email", "organisation__name", "organisation__short_name",
        )
    )  # fmt: skip
    ids = [row[0] for row in people]
    users = [row[4] for row in people]
    tandems = list(
        Tandem.objects.filter(cohort_id=cohort_id)
        .order_by("pk")
        .values_list("pk", "state", "administration_id", "external_id")
    )
    preferences = list(
        MatchPreference.objects.filter(participation_id__in=ids)
        .order_by("pk")
        .values_list("pk", "participation_id", "other_id", "kind")
    )
    registrations = list(
        InterestRegistration.objects.filter(cohort_id=cohort_id)
        .order_by("pk")
        .values_list(
            "pk", "state", "organisation_id", "topics_offered", "topics_sought",
            "preferred_timing", "places_host",
        )
    )  # fmt: skip
    earlier = list(
        Tandem.objects.exclude(cohort_id=cohort_id)
        .filter(Q(administration__user_id__in=users) | Q(external__user_id__in=users))
        .order_by("pk")
        .values_list("pk", "administration__user_id", "external__user_id")
    )
    text = repr((people, tandems, preferences, registrations, earlier))
    live = {
        person
        for _pk, state, administration, external in tandems
        if state in Tandem.LIVE
        for person in (administration, external)
    }
    unmatched = sum(
        1 for row in people if row[1] != Participation.State.WITHDRAWN and row[0] not in live
    )
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest(), unmatched


@dataclass
class Outcome:
    """A cohort's matching as ids and scores: the people in the page's order, the optimal
    assignment [(administration id, external id, score)], each person's best allowed
    partners {id: [id, ...]}, and how many pairs are forbidden."""

    fingerprint: str
    administration: list
    external: list
    assignment: list
    suggestions: dict
    forbidden: int = 0

    @classmethod
    def of(cls, result, fingerprint=""):
        def other(fit, person_id):
            return fit.external.id if fit.administration.id == person_id else fit.administration.id

        return cls(
            fingerprint=fingerprint,
            administration=[p.id for p in result.administration],
            external=[p.id for p in result.external],
            assignment=[
                (fit.administration.id, fit.external.id, float(fit.score))
                for fit in result.assignment
            ],
            suggestions={
                pid: [other(fit, pid) for fit in fits] for pid, fits in result.suggestions.items()
            },
            forbidden=result.forbidden_count,
        )

    def as_summary(self):
        return {
            "fingerprint": self.fingerprint,
            "administration": self.administration,
            "external": self.external,
            "assignment": [list(row) for row in self.assignment],
            # JSON keys are strings.
            "suggestions": {str(k): v for k, v in self.suggestions.items()},
            "forbidden": self.forbidden,
        }

    @classmethod
    def from_summary(cls, summary):
        return cls(
            fingerprint=summary["fingerprint"],
            administration=list(summary["administration"]),
            external=list(summary["external"]),
            assignment=[tuple(row) for row in summary["assignment"]],
            suggestions={int(k): v for k, v in summary["suggestions"].items()},
            forbidden=summary.get("forbidden", 0),
        )

    @property
    def total(self):
        return sum(row[2] for row in self.assignment)

    @property
    def pair_values(self):
        return [f"{a}-{b}" for a, b, _score in self.assignment]


def stored_job(cohort, digest):
    """The newest job that computes or computed the outcome for this state of the cohort's
    inputs (not a failed one), or None. One query."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.fields.json import KT

    from pioneer.models import Job

    # The summary (the whole outcome: 100 kB of JSON at 1,000 people, 9 ms to decode) is
    # read only when this process has not decoded it yet (`stored_outcome`).
    return (
        Job.objects.filter(
            kind=JOB_KIND,
            content_type=ContentType.objects.get_for_model(type(cohort)),
            object_id=cohort.pk,
            payload__fingerprint=digest,
        )
        .exclude(state=Job.State.FAILED)
        .defer("summary")
        .annotate(summary_fingerprint=KT("summary__fingerprint"))
        .order_by("-created_at", "-pk")
        .first()
    )


def latest_job_kept(cohort):
    """`latest_job(cohort)`, where a cohort that has no such job is remembered as such
    under cohorts.figures' change token (the page that starts a matching job replaces
    it): a small cohort, matched in the request and never by a job, reads no job on its
    page, as a large one reads no fingerprint (`current_fingerprint`). A cohort with a
    job reads it on every visit (its state changes as it runs)."""
    from cohorts import figures

    read = []

    def never():
        read.append(latest_job(cohort))
        return read[0] is None

    if figures.kept("tandems.matching.no_job", never, cohort.pk) and not read:
        return None
    return read[0] if read else latest_job(cohort)


def latest_job(cohort):
    """The cohort's newest matching job that is not failed (whatever state of the inputs
    it was started for), or None. One query; the summary is not read (`stored_job`)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.fields.json import KT

    from pioneer.models import Job

    return (
        Job.objects.filter(
            kind=JOB_KIND,
            content_type=ContentType.objects.get_for_model(type(cohort)),
            object_id=cohort.pk,
        )
        .exclude(state=Job.State.FAILED)
        .defer("summary")
        .annotate(summary_fingerprint=KT("summary__fingerprint"))
        .order_by("-created_at", "-pk")
        .first()
    )


def job_fingerprint(job):
    """The fingerprint of the state a job computed the outcome for ('' while it has none)."""
    if hasattr(job, "summary_fingerprint"):
        return job.summary_fingerprint or ""
    return job.summary.get("fingerprint", "")


# Outcomes decoded by this process, by (job, fingerprint): a done job's summary never
# changes (a second run leaves it), so each worker decodes a cohort's outcome once.
_OUTCOMES = OrderedDict()
_OUTCOMES_KEPT = 16


def stored_outcome(job):
    """The outcome a done job stored (one query the first time this process reads it)."""
    from pioneer.models import Job

    key = (job.pk, job_fingerprint(job))
    outcome = _OUTCOMES.get(key)
    if outcome is None:
        if "summary" in job.get_deferred_fields():
            summary = Job.objects.filter(pk=job.pk).values_list("summary", flat=True).get()
        else:
            summary = job.summary
        outcome = Outcome.from_summary(summary)
        _OUTCOMES[key] = outcome
        while len(_OUTCOMES) > _OUTCOMES_KEPT:
            _OUTCOMES.popitem(last=False)
    else:
        _OUTCOMES.move_to_end(key)
    return outcome


def run_job(job, progress):
    """The job's runner: compute the outcome and keep it in the job's summary, unless the
    cohort's inputs changed meanwhile (then a visit starts a job for the new state)."""
    from cohorts.models import Cohort
    from pioneer import jobs

    if "fingerprint" in job.summary:  # done already (a second run of the same job)
        return None
    cohort = Cohort.objects.filter(pk=job.object_id).first()
    if cohort is None:
        raise jobs.JobError(_("The cohort no longer exists."))
    progress(0, 1)
    digest, _count = fingerprint(cohort)
    result = cohort_matching(cohort)
    jobs.job_summary_store(job=job, **Outcome.of(result, digest).as_summary())
    progress(1, 1)
    return None


def visible_profiles(cohort, ids):
    """Profiles of the given people of the cohort (those one page shows) and the likes
    among them: ({id: Profile}, likes). Three queries, whatever the cohort's size."""
    from django.db import connection

    people = _people(cohort, ids=ids)
    registrations = _registrations(cohort, {p[_ORGANISATION] for p in people})
    profiles = {p[_ID]: _profile(p, registrations.get(p[_ORGANISATION])) for p in people}
    ids = list(ids)
    if not ids:  # as the ORM: an empty IN asks nothing
        return profiles, set()
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT participation_id, other_id FROM {MatchPreference._meta.db_table}"  # noqa: S608
        f" WHERE participation_id IN ({marks}) AND other_id IN ({marks}) AND kind = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *ids, str(MatchPreference.Kind.LIKE)])
        likes = set(cursor.fetchall())
    return profiles, likes
