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
