"""The cohorts app's plug-in points: Django signals through which later apps (tandems,
companion, evaluation) add to cohort pages and services without cohorts importing them
(imports run one way: they may use cohorts).

Connect receivers in your app's `signals.py`, imported once from its AppConfig.ready():

    @receiver(cohorts.hooks.dashboard_figures, dispatch_uid="tandems.figures")
    def figures(sender, cohort, **kwargs): ...

All are sent with sender=Cohort (or Participation) and keyword arguments:

- dashboard_figures(cohort) -> list of Figure (or None). Each receiver must keep to a
  fixed number of queries (one is best) whatever the cohort's size; the page budget is 10.
- dashboard_attention(cohort) -> list of Attention (or None), same rule.
- dashboard_dates(cohort) -> list of UpcomingDate (or None), same rule.
- close_guards(cohort) -> list of reasons (translated strings) why the cohort cannot simply
  close, e.g. unfinished tandems; `cohort_transition` refuses to close without a reason
  while any guard answers.
- cohort_copied(source, target, shift, by) after `cohort_copy_next` created `target` from
  `source`, inside its transaction; `shift` is a timedelta to add to the source's dates
  (event plan, survey set). An exception rolls the whole copy back. `by` (here and
  below) is the person who did it, or None for work without a person (`SYSTEM`).
  `adopted=True` (absent otherwise) when the target is another organisation's, made by
  "adopt this programme": the adopting service has checked the source may be adopted;
  copy the plan, not what is the source organisation's own (its partners, places,
  links, people).
- programme_adopted(source, target, cohort, by) after "adopt this programme" (blueprints)
  made `target` (another organisation's programme) and its first `cohort` from `source`,
  inside its transaction: programme-level things such as the tandems app's agreement
  text are copied here (cohort-level ones go through `cohort_copied`, sent as well).
- participation_record(participation) -> list of RecordLine (or None): what a person did
  in the cohort for their participation certificate (the tandems app: the two
  hospitation phases; the companion app: the events attended). Fixed queries.
- people_without_tandem(cohort) -> QuerySet of the cohort's participations that have no
  tandem yet (the tandems app answers it). The dashboard counts it (one query) and the
  participant list filters by it (a subquery). Without a receiver nobody is "without tandem".
  The queryset is made from the cohort's id alone (not its state, dates or the request):
  the dashboard keeps the SQL of its count per process (pioneer.compiled); an answer that
  does not use the id at all is counted as it comes. The count itself is kept under the
  change token of cohorts.figures: the receiver's app replaces the token whenever what its
  answer reads is written (the tandems app connects its tandems to it; participations
  replace it already).
- event_audiences(cohort) -> list of Audience (or None): groups of the cohort's people
  that another app can address, e.g. the attendees of one event (the companion app
  answers it; the evaluation app invites them to an event's feedback survey without
  knowing events). One query for the list; each Audience's `participations` is a lazy
  QuerySet of Participation, used as a subquery.
- participation_state_changed(participation, old_state, by) inside the transaction of
  `participation_set_state`, e.g. so the tandems app can react to a withdrawal.
"""

from dataclasses import dataclass, field

from django.dispatch import Signal

dashboard_figures = Signal()
dashboard_attention = Signal()
dashboard_dates = Signal()
close_guards = Signal()
cohort_copied = Signal()
programme_adopted = Signal()
participation_record = Signal()
people_without_tandem = Signal()
participation_state_changed = Signal()
event_audiences = Signal()


def answers(signal, sender, **kwargs):
    """The receivers' answers to `signal`, lists flattened and Nones dropped."""
    found = []
    for _receiver, answer in signal.send(sender=sender, **kwargs):
        if answer is None:
            continue
        if isinstance(answer, list | tuple):
            found.extend(answer)
        else:
            found.append(answer)
    return found


@dataclass(frozen=True)
class FigureRow:
    label: str
    count: int
    url: str = ""


@dataclass(frozen=True)
class Figure:
    """A small table on the dashboard: a title, rows of (label, count, link)."""

    key: str
    title: str
    rows: list = field(default_factory=list)
    url: str = ""  # the list this figure summarises
    order: int = 100

    @property
    def total(self):
        return sum(row.count for row in self.rows)


@dataclass(frozen=True)
class Attention:
    """Something the office should look at, with a count and the list that shows it."""

    key: str
    text: str
    count: int
    url: str = ""
    level: str = "warning"  # KERN alert level: info, warning, danger


@dataclass(frozen=True)
class UpcomingDate:
    date: object
    label: str
    url: str = ""


@dataclass(frozen=True)
class RecordLine:
    """One line of a participation certificate: `section` groups lines (e.g. "phases",
    "events"), `text` is translated in the active language, `start`/`end` are dates."""

    section: str
    text: str
    start: object = None
    end: object = None
    detail: str = ""
    order: int = 100


@dataclass(frozen=True)
class Audience:
    """A group of a cohort's people another app may address: `key` is stable (e.g.
    "event:12"), `label` translated, `participations` a lazy QuerySet of Participation."""

    key: str
    label: str
    participations: object = None


@dataclass(frozen=True)
class Stage:
    value: str
    label: str
    done: bool
    current: bool


# --- the cohort page's tabs -------------------------------------------------------------
# cohort_tabs(cohort, request) -> list of Tab (or None): the tabs an app adds to the one
# cohort page (tandems, events, surveys). Sent with sender=Cohort; a receiver must not
# query the database (the frame is drawn on every tab page). The cohorts app's own three
# tabs (overview, participants, registrations) come from cohorts.selectors.cohort_tabs.
cohort_tabs = Signal()


@dataclass(frozen=True)
class Tab:
    """One tab of the cohort page: `url_name` is reversed with the cohort's pk (as `pk`
    or `cohort_pk`, whichever the pattern takes); `url` is used as it is."""

    key: str
    label: str
    url_name: str = ""
    url: str = ""
    order: int = 100
