"""Hooks through which later apps (tandems, companion, evaluation) add to cohort pages and
services without cohorts importing them (imports run one way: they may use cohorts).

Register from your AppConfig.ready(), e.g. `hooks.dashboard_figures.append(my_fn)`.

- dashboard_figures: fn(cohort) -> list of Figure (or []). Each must keep to a fixed
  number of queries (one is best) whatever the cohort's size; the dashboard's budget is 10.
- dashboard_attention: fn(cohort) -> list of Attention (or []), same rule.
- dashboard_dates: fn(cohort) -> list of UpcomingDate (or []), same rule.
- close_guards: fn(cohort) -> list of reasons (translated strings) why the cohort cannot
  simply close, e.g. unfinished tandems; `cohort_transition` refuses to close without a
  reason while any guard answers.
- cohort_copied: fn(source, target, shift) after `cohort_copy_next` created `target` from
  `source`; `shift` is a timedelta to add to the source's dates (event plan, survey set).
- people_without_tandem: fn(cohort) -> QuerySet of the cohort's participations that have
  no tandem yet; the tandems app registers it. The dashboard counts it (one query) and the
  participant list filters by it (a subquery). Without it nobody is "without tandem".
- participation_state_changed: fn(participation, old_state, by) inside the transaction of
  `participation_set_state`, e.g. so the tandems app can react to a withdrawal.
"""

from dataclasses import dataclass, field

close_guards: list = []
dashboard_figures: list = []
dashboard_attention: list = []
dashboard_dates: list = []
cohort_copied: list = []
people_without_tandem: list = []
participation_state_changed: list = []


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
