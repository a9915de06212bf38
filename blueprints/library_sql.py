"""The library's list and its count with their SQL kept per process (as pioneer.compiled
keeps the office's lookups), for the values a visitor's question varies: the time the
library is read at, the words searched for, a category, an audience, a group size, a tag.

Building the library's queryset (a subquery of adoptions, the search's rank) and compiling
it cost about 0.7 ms of CPU for a query PostgreSQL answers in a twentieth of that; a
search ran that twice (the page's rows and their count). Here each shape of question (who
reads: anonymous or signed in; which filters are set; the duration chosen, a constant of
the SQL) is built once with a marker value in place of each varying one; later questions
of that shape run the kept SQL with the markers replaced, and make the instances as
Django's ModelIterable makes them from the same columns. Where a marker does not appear
in the parameters as given (on SQLite a time is passed as text), nothing is kept and the
queryset is read as before.
"""

from datetime import UTC, datetime

from django.db import connection
from django.db.models import Count, Value
from django.db.models.query import get_related_populators

# Values no visitor's question holds: each stands where its value goes in the kept SQL.
_MARKERS = {
    "now": datetime(1901, 12, 13, 20, 45, 52, 345678, tzinfo=UTC),
    "text": "\ue000pioneer-kept-text\ue000",
    "category": "\ue000pioneer-kept-category\ue000",
    "audience": "\ue000pioneer-kept-audience\ue000",
    "tag": "\ue000pioneer-kept-tag\ue000",
    "group_size": -7_340_123_457,
}


class _Kept:
    __slots__ = ("sql", "params", "slots", "compiler", "converters")


def _slots(params, used):
    """Where each marker in `used` stands in `params`, or None when one of them is not
    found as it was given (then the SQL is not kept)."""
    slots = []
    for index, param in enumerate(params):
        for name in used:
            marker = _MARKERS[name]
            if isinstance(param, type(marker)) and param == marker:
                slots.append((index, name))
    if {name for _index, name in slots} != set(used):
        return None
    return slots


def _cache():
    kept = getattr(connection, "_pioneer_library_kept", None)
    if kept is None:
        kept = connection._pioneer_library_kept = {}
    return kept


def _shape(user, query):
    from blueprints.selectors import DURATIONS

    used = ["now"]
    if query.text.strip():
        used.append("text")
    for name in ("category", "audience", "tag"):
        if getattr(query, name):
            used.append(name)
    if query.group_size:
        used.append("group_size")
    duration = query.duration if query.duration in DURATIONS else ""
    return user.is_authenticated, duration, tuple(used)


def _marked_query(query, used):
    """`query` with each value in `used` replaced by its marker (the duration kept)."""
    from blueprints.selectors import LibraryQuery

    return LibraryQuery(
        text=_MARKERS["text"] if "text" in used else "",
        category=_MARKERS["category"] if "category" in used else "",
        audience=_MARKERS["audience"] if "audience" in used else "",
        duration=query.duration,
        group_size=_MARKERS["group_size"] if "group_size" in used else None,
        tag=_MARKERS["tag"] if "tag" in used else "",
    )


def _kept(kind, user, query, make):
    """The kept SQL of `make(marked queryset)` for the shape of `query`, or None."""
    shape = _shape(user, query)
    cache = _cache()
    key = (kind, shape)
    if key in cache:
        return cache[key]
    from blueprints.selectors import library_queryset

    used = shape[2]
    queryset = make(library_queryset(user, _marked_query(query, used), now=_MARKERS["now"]))
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    kept = None
    slots = _slots(params, used)
    if slots is not None:
        kept = _Kept()
        kept.sql, kept.params, kept.slots = sql, tuple(params), slots
        kept.compiler = compiler
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        kept.converters = compiler.get_converters(fields)
    cache[key] = kept
    return kept


def _values(user, query, now):
    values = {
        "now": now,
        "text": query.text.strip(),
        "category": query.category,
        "audience": query.audience,
        "tag": query.tag,
        "group_size": query.group_size,
    }
    return values


def _run(kept, values, tail=""):
    params = list(kept.params)
    for index, name in kept.slots:
        marker_type = type(params[index])
        # A wrapped integer (psycopg's Int2, ...) stays of its type.
        params[index] = marker_type(values[name]) if name == "group_size" else values[name]
    with connection.cursor() as cursor:
        cursor.execute(kept.sql + tail, params)
        rows = cursor.fetchall()
    if kept.converters:
        rows = list(kept.compiler.apply_converters(rows, kept.converters))
    return rows


def _counted(queryset):
    # One aggregate over the filtered rows (a constant groups nothing), as
    # pioneer.compiled.count counts.
    return queryset.order_by().values(_one=Value(1)).annotate(n=Count("pk")).values("n")


class Library:
    """The library's rows for `user` and `query` as the paginator reads them: `count()`
    and a slice give what `selectors.library(user, query)` gives."""

    def __init__(self, user, query, now):
        self.user, self.query, self.now = user, query, now

    def _queryset(self):
        from blueprints.selectors import library_queryset

        return library_queryset(self.user, self.query, now=self.now)

    def count(self):
        kept = _kept("count", self.user, self.query, _counted)
        if kept is None:
            return self._queryset().count()
        ((n,),) = _run(kept, _values(self.user, self.query, self.now))
        return n

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step is not None:  # pragma: no cover
            raise TypeError("the library is read a page (a slice) at a time")
        kept = _kept("rows", self.user, self.query, lambda queryset: queryset)
        if kept is None:
            return list(self._queryset()[item])
        low, high = item.start or 0, item.stop
        if high is not None and high <= low:
            return []
        tail = connection.ops.limit_offset_sql(low, high)
        rows = _run(kept, _values(self.user, self.query, self.now), f" {tail}" if tail else "")
        return list(_instances(kept.compiler, rows))


def _instances(compiler, rows):
    """The model instances Django's ModelIterable makes of these rows of `compiler`'s
    query (its select, related objects and annotations)."""
    db = connection.alias
    select, klass_info, annotation_col_map = (
        compiler.select,
        compiler.klass_info,
        compiler.annotation_col_map,
    )
    model_cls = klass_info["model"]
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    related_populators = get_related_populators(klass_info, select, db)
    for row in rows:
        obj = model_cls.from_db(db, init_list, row[start:end])
        for populator in related_populators:
            populator.populate(row, obj)
        for name, position in annotation_col_map.items():
            setattr(obj, name, row[position])
        yield obj


# --- any query of the blueprints pages, its values marked by type ----------------------


def _marker(name, index, value):
    """A value of the type of `value` that no question holds, distinct per `index`."""
    if isinstance(value, datetime):
        return datetime(1901, 12, 13, 20, 45, 52, 100_000 + index, tzinfo=UTC)
    if isinstance(value, str):
        return f"\ue000pioneer-kept-{name}-{index}\ue000"
    if type(value) is int:
        return -7_340_223_457 - index
    raise TypeError(f"{name}: only a time, a text or an integer is marked")


def _kept_any(name, build, values):
    """(kept SQL or None, markers) of `build(**markers)`, kept per process and `name`."""
    cache = _cache()
    key = ("any", name)
    found = cache.get(key, cache)
    markers = {
        value_name: _marker(value_name, index, value)
        for index, (value_name, value) in enumerate(sorted(values.items()))
    }
    if found is not cache:
        return found
    queryset = build(**markers)
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    kept = None
    slots = []
    for index, param in enumerate(params):
        for value_name, marker in markers.items():
            if isinstance(param, type(marker)) and param == marker:
                slots.append((index, value_name))
    if {value_name for _index, value_name in slots} == set(markers):
        kept = _Kept()
        kept.sql, kept.params, kept.slots = sql, tuple(params), slots
        kept.compiler = compiler
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        kept.converters = compiler.get_converters(fields)
    cache[key] = kept
    return kept


def _run_any(kept, values):
    params = list(kept.params)
    for index, value_name in kept.slots:
        value = values[value_name]
        # A wrapped integer (psycopg's Int2, ...) stays of its type.
        params[index] = type(params[index])(value) if type(value) is int else value
    with connection.cursor() as cursor:
        cursor.execute(kept.sql, params)
        rows = cursor.fetchall()
    if kept.converters:
        rows = list(kept.compiler.apply_converters(rows, kept.converters))
    return rows


def objects(name, build, **values):
    """The instances `build(**values)` gives (a queryset of model instances: only(),
    select_related() and annotations as the queryset makes them), its SQL kept per
    process and `name` with a marker for each of `values` (times, texts, integers): what
    varies must be one of them, and `name` must tell apart whatever else changes the SQL
    (a number of ids in a list). Read through the queryset where a marker is not found."""
    kept = _kept_any(name, build, values)
    if kept is None:
        return list(build(**values))
    return list(_instances(kept.compiler, _run_any(kept, values)))


def values(name, build, **values_):
    """The rows of `build(**values)` (a `values()` queryset) as dicts, kept as `objects`."""
    kept = _kept_any(name, build, values_)
    if kept is None:
        return list(build(**values_))
    query = kept.compiler.query
    names = (
        list(query.selected)
        if query.selected
        else [*query.extra_select, *query.values_select, *query.annotation_select]
    )
    return [dict(zip(names, row, strict=False)) for row in _run_any(kept, values_)]
