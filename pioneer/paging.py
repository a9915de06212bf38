"""Pages of long lists that read only the rows they show.

`Paginator(queryset).get_page(n)` sorts and cuts the queryset as it is: with its joins
(`select_related`) PostgreSQL builds every wide row of the list (1,191 registrations of the
review queue at N = 50) before it keeps 25. `narrow` sorts and cuts on the ids in a
subquery and joins the wide rows for the page's rows only, in one query all the same.
"""

from django.core.paginator import Paginator


def narrow(queryset):
    """The queryset of one page (`page.object_list`, sliced and ordered) as the same rows,
    fetched by the ids of the page: one query, the joins for these rows only."""
    query = queryset.query
    if query.low_mark == 0 and query.high_mark is None:
        return queryset
    ordering = query.order_by or queryset.model._meta.ordering
    ids = queryset.values("pk")
    rows = queryset.model._default_manager.filter(pk__in=ids).order_by(*ordering)
    rows.query.select_related = query.select_related
    return rows


def page_of(queryset, size, number):
    """`Paginator(queryset, size).get_page(number)` with `narrow` rows."""
    page = Paginator(queryset, size).get_page(number)
    page.object_list = narrow(page.object_list)
    return page


class CountedRows:
    """A list for `Paginator` whose page comes with the list's length in one query.

    `Paginator.get_page` asks the length first (to check the number) and then for the
    page's slice: two queries, and the count joined every row of the list once more.
    `fetch(offset, limit)` answers both at once (its rows and the number of all rows, as
    `COUNT(*) OVER ()` gives them; the number is not read when no row came), for the page
    `number` asks for. A number the paginator will not show (past the last page, under 1)
    costs the count (`count()`) and the page it shows instead: more queries, only then."""

    def __init__(self, fetch, count, number, per_page):
        self._fetch, self._count = fetch, count
        self._total = None
        self._kept = None  # (offset, rows) of the page asked for
        try:  # as Paginator.validate_number reads it: "2.0" is no page number
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        self._first = (number - 1) * per_page if number >= 1 else None
        self._per_page = per_page

    def count(self):
        if self._total is None and self._first is not None:
            rows, total = self._fetch(self._first, self._per_page)
            if rows:
                self._kept = (self._first, rows)
                self._total = total
            elif self._first == 0:
                self._kept, self._total = (0, rows), 0
        if self._total is None:
            self._total = self._count()
        return self._total

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("a page is read as a slice of the list")
        start, stop = index.start or 0, index.stop
        if self._kept is not None and self._kept[0] == start:
            rows = self._kept[1]
            if stop is not None and stop - start <= len(rows):
                return rows[: stop - start]
        rows, _total = self._fetch(start, self._per_page if stop is None else stop - start)
        return rows
