"""Sortable columns for the office's lists: one whitelist of sort keys per list, read from
`?sort=key` (ascending) or `?sort=-key` (descending).

    table = SortableTable(request.GET, columns=[Column("name", _("Name"), ("user__name",)), ...],
                          default="name")
    rows = queryset.order_by(*table.ordering)
    {% for column in table.headers %} ... column.aria_sort, column.sort ... {% endfor %}

Anything not on the whitelist is ignored (the default order then), so a hand-made address
cannot order by a field the list does not show nor raise an error. The last key is always
the primary key, so rows with equal values keep one stable order across pages.
"""

from dataclasses import dataclass, field

from django import forms

SORT_PARAM = "sort"


@dataclass(frozen=True)
class Column:
    """A column of a list. `fields`: what `order_by` uses (empty: not sortable)."""

    key: str
    label: object
    fields: tuple = ()
    numeric: bool = False
    # Numbers and dates read best largest / newest first when first clicked.
    descending_first: bool = False


@dataclass
class Header:
    key: str
    label: object
    numeric: bool
    sortable: bool
    # "ascending" / "descending" on the sorted column, "" elsewhere (aria-sort).
    aria_sort: str = ""
    # The value of ?sort= that a click on this header asks for.
    sort: str = ""


@dataclass
class SortableTable:
    params: object
    columns: list
    default: str
    tie_breaker: str = "pk"
    key: str = field(init=False)
    descending: bool = field(init=False)

    def __post_init__(self):
        value = (self.params.get(SORT_PARAM) or "").strip()
        descending = value.startswith("-")
        key = value[1:] if descending else value
        sortable = {c.key for c in self.columns if c.fields}
        if key not in sortable:
            descending = self.default.startswith("-")
            key = self.default[1:] if descending else self.default
        self.key = key
        self.descending = descending

    @property
    def is_default(self):
        return f"{'-' if self.descending else ''}{self.key}" == self.default

    @property
    def column(self):
        return next(c for c in self.columns if c.key == self.key)

    @property
    def ordering(self):
        """What `order_by` takes: the column's fields (names or expressions) in the
        chosen direction, then the tie-breaker in the same direction."""
        keys = [self._directed(name) for name in (*self.column.fields, self.tie_breaker)]
        return keys

    def _directed(self, name):
        if isinstance(name, str):
            return f"-{name}" if self.descending else name
        return name.desc() if self.descending else name.asc()

    @property
    def headers(self):
        shown = []
        for column in self.columns:
            header = Header(column.key, column.label, column.numeric, bool(column.fields))
            if column.fields:
                if column.key == self.key:
                    header.aria_sort = "descending" if self.descending else "ascending"
                    header.sort = column.key if self.descending else f"-{column.key}"
                else:
                    header.sort = f"-{column.key}" if column.descending_first else column.key
            shown.append(header)
        return shown


# --- the active filters, as chips that remove themselves ---------------------------------

# Leaving a filter also leaves the page number and a server-side selection behind.
RESET_WITH_FILTER = ("page", "select")


@dataclass(frozen=True)
class Chip:
    label: object
    value: str
    url: str


def _display(field, value):
    if isinstance(field, forms.ModelChoiceField):
        return str(value)
    choices = getattr(field, "choices", None)
    if choices:
        for key, label in choices:
            if str(key) == str(value):
                return str(label)
    return str(value)


def filter_chips(form, params):
    """The filters in effect (those that parsed), each with the address of the same list
    without it. A value that did not parse is not in effect and has no chip."""
    if not form.is_bound:
        return []
    form.is_valid()
    chips = []
    for name, value in getattr(form, "cleaned_data", {}).items():
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            continue
        query = params.copy()
        for key in (name, *RESET_WITH_FILTER):
            query.pop(key, None)
        encoded = query.urlencode()
        chips.append(
            Chip(form.fields[name].label, _display(form.fields[name], value), f"?{encoded}")
        )
    return chips


def bad_filters(form):
    """The labels of the filters whose values did not parse (they are ignored)."""
    if not form.is_bound or form.is_valid():
        return []
    return [str(form.fields[name].label) for name in form.errors if name in form.fields]
