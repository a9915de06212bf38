"""The participant list's page of people without a filter, read with SQL compiled once per
process (pioneer.compiled) for each way of showing it: sort column and direction, the
view (what needs action, or all), whether the cohort's status counts the only nominated
as waiting, and the page's offset (the first `COMPILED_PAGES` pages; later ones, and any
filtered list, are built as before).

Building the list's queryset (the view's condition, the order, `only()`) and compiling it
cost about 0.6 ms of CPU per visit at N = 50 for a query PostgreSQL answers in a tenth
of that. The rows are what a row shows of each person (`PageRow`), in the queryset's
order: `tests/cohorts/test_people_page.py` holds them to the queryset."""

from cohorts import selectors
from cohorts.models import Cohort, Participation
from pioneer import compiled

# Offsets past this many pages are read by the queryset (each kept SQL names its offset:
# 6 columns x 2 directions x 2 views x 2 waiting rules x 5 pages at most, per process).
COMPILED_PAGES = 5


def waiting_nominated(cohort):
    """Whether the cohort's status counts the only nominated as needing action."""
    return cohort.state in selectors.NOMINATED_WAIT


def rows_queryset(cohort, ordering, needing_action):
    """The unfiltered list's queryset as the view builds it (`participations_of`, the
    view's condition, the order), with the columns a row shows."""
    rows = selectors.participations_of(cohort)
    if needing_action:
        rows = selectors.participations_needing_action(cohort, rows)
    return rows.order_by(*ordering).only(*selectors.PARTICIPATION_ROW_FIELDS)


def page_rows(cohort, table, *, needing_action, offset, size):
    """The people of one page of the unfiltered list (`table`: its SortableTable), or None
    past the compiled pages."""
    if offset >= COMPILED_PAGES * size or offset < 0:
        return None
    direction = "-" if table.descending else ""
    nominated = waiting_nominated(cohort)
    name = (
        f"cohorts.people_page.{direction}{table.key}.{int(needing_action)}"
        f".{int(nominated)}.{offset}.{size}"
    )
    ordering = table.ordering

    def columns(cohort):
        # Only the id of `cohort` goes into the SQL; its status is in the name.
        shape = Cohort(pk=cohort, state=Cohort.State.RUNNING if nominated else Cohort.State.OPEN)
        rows = rows_queryset(shape, ordering, needing_action)
        if not needing_action:
            return rows[offset : offset + size].values(*_COLUMNS)
        # The people who need action: the page's ids chosen from the cohort's people
        # alone (the partial index of `models.INVITATION_WAITING` gives them in the first
        # order), then their accounts and organisations. The kept statement is prepared
        # (pioneer.settings), and its generic plan, made for a cohort of average size
        # (some twenty people), joined all the big cohort's 500 waiting people to their
        # accounts and organisations before it sorted them for the page (1.4 ms at N = 50;
        # this way 0.3 ms).
        page = rows.values("pk")[offset : offset + size]
        return Participation.objects.filter(pk__in=page).order_by(*ordering).values(*_COLUMNS)

    return [PageRow(row) for row in compiled.values(f"{name}.rows", columns, cohort=cohort.pk)]


# What a row of the list shows (cohorts.views.rows.participation_rows), as plain values:
# 75 model instances (the people, their accounts, their organisations) cost 0.4 ms to make.
_COLUMNS = ("pk", *selectors.PARTICIPATION_ROW_FIELDS)


class Person:
    """The account of a row: what the list shows of it."""

    __slots__ = ("name", "email", "last_login")


class PageRow:
    """A person of the list's page as the row reads it (`pk`, `side`, `state`, `position`,
    `invitation_held`, `user.name`, `user.email`, `user.last_login`, and `organisation`
    as its name reads: the short name, else the name)."""

    __slots__ = ("pk", "side", "state", "position", "invitation_held", "user", "organisation")

    def __init__(self, row):
        self.pk = row["pk"]
        self.side = row["side"]
        self.state = row["state"]
        self.position = row["position"]
        self.invitation_held = row["invitation_held"]
        user = self.user = Person()
        user.name = row["user__name"]
        user.email = row["user__email"]
        user.last_login = row["user__last_login"]
        self.organisation = row["organisation__short_name"] or row["organisation__name"]
