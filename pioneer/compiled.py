"""Queries of a fixed shape, built and compiled once per process and database connection.

Building a queryset with expressions (filtered counts, `Exists` of an annotated subquery)
and compiling it to SQL costs more Python than PostgreSQL needs to answer it: the cohort
overview's tandem figures took 1.0 ms to build and 0.6 ms to compile for a query that ran
in 1.0 ms (profiled at N = 50). A page that asks the same question of another cohort on
every request can keep the SQL and change only the id.

`values(name, build, **ids)` calls `build(**markers)` once, where each marker is an
integer no row has: the queryset it returns must use them only as the ids they stand for
(`filter(cohort_id=cohort)`), and take nothing else from the request (no dates, no
person: what varies must be an id given here). Each later call runs the kept SQL with the
markers replaced by the ids, and converts the columns as the queryset would have (dates
on SQLite, say). `count(name, build, **ids)` does the same for `build(**markers).count()`,
and `objects` gives model instances. Nothing is run to compile: a page's query count is
the same on the first request as on every other.

The SQL is kept per database connection object (each thread has its own), so a test that
switches databases or a process that serves several gets its own compiled text.
"""

from datetime import UTC, date, datetime

from django.db import connection
from django.db.models import Count, Value

# Integers no primary key takes (ids are positive); distinct from any constant a query
# might carry (small numbers, counts of parties).
_MARKER_BASE = -7_340_000_000


class NotKept(ValueError):
    """The query does not use every id it was given: its SQL cannot be kept for others."""


class _Kept:
    __slots__ = ("sql", "params", "slots", "names", "compiler", "converters")


def _markers(ids):
    return {
        name: _moment_marker(index)
        if isinstance(ids[name], datetime)
        else _text_marker(index)
        if isinstance(ids[name], str)
        else _MARKER_BASE - index
        for index, name in enumerate(sorted(ids))
    }


def _slots(params, markers):
    """Where each marker stands in the parameters, and that every marker was used."""
    by_value = {_adapted(value): name for name, value in markers.items()}
    slots = [
        (index, by_value[p])
        for index, p in enumerate(params)
        if (type(p) in _MARKER_TYPES or type(p) in _WRAPPED_INTS) and p in by_value
    ]
    if {name for _index, name in slots} != set(markers):
        raise NotKept("the query does not use every id it was given")
    return slots


def _cache():
    kept = getattr(connection, "_pioneer_compiled", None)
    if kept is None:
        kept = connection._pioneer_compiled = {}
    return kept


def _run(kept, ids):
    params = list(kept.params)
    for index, name in kept.slots:
        params[index] = ids[name]
    with connection.cursor() as cursor:
        cursor.execute(kept.sql, params)
        return cursor.fetchall()


def _kept_values(queryset, markers):
    """The kept SQL of a `values()` queryset built with `markers`, with its column names
    and the converters of its fields."""
    query = queryset.query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    kept = _Kept()
    kept.sql, kept.params = sql, tuple(params)
    kept.slots = _slots(kept.params, markers)
    kept.names = (
        list(query.selected)
        if query.selected
        else [*query.extra_select, *query.values_select, *query.annotation_select]
    )
    fields = [column[0] for column in compiler.select[: compiler.col_count]]
    kept.compiler = compiler
    kept.converters = compiler.get_converters(fields)
    return kept


def _value_rows(kept, ids):
    rows = _run(kept, ids)
    if kept.converters:
        rows = kept.compiler.apply_converters(rows, kept.converters)
    names = kept.names
    # Columns past the named ones (added for an ordering) are left out, as Django does.
    return [dict(zip(names, row, strict=False)) for row in rows]


def values(name, build, **ids):
    """The rows of `build(**markers)` (a `values()` queryset) for these `ids`, as dicts."""
    kept = _cache().get(("values", name))
    if kept is None:
        markers = _markers(ids)
        kept = _cache()[("values", name)] = _kept_values(build(**markers), markers)
    return _value_rows(kept, _moments_adapted(ids))


def count(name, build, **ids):
    """`build(**markers).count()` for these `ids` (a plain filtered queryset: not distinct,
    not sliced, no aggregate of its own; anything else is NotKept)."""

    def counted(**markers):
        queryset = build(**markers)
        query = queryset.query
        if query.distinct or query.is_sliced or query.group_by is not None:
            raise NotKept("only a plain filtered queryset is counted this way")
        # One aggregate over the filtered rows (a constant groups nothing): the SQL of
        # count() without running it.
        return queryset.order_by().values(_one=Value(1)).annotate(n=Count("pk")).values("n")

    (row,) = values(f"count:{name}", counted, **ids)
    return row["n"]


def objects(name, build, *, related=(), limit=None, **ids):
    """Instances of the model of `build(**markers)` (a queryset, not sliced; with the
    columns its `only()` or `defer()` leaves, the others deferred as Django defers them),
    with its annotations as attributes and the foreign keys named in `related` loaded as
    `select_related` would (a path such as "guest__user" too, after "guest"), at most
    `limit` of them: the rows come from `values()` of every column, read with the kept
    SQL, and become instances as Django's own iterable makes them (`Model.from_db`)."""
    kept_shape = _cache().get(("objects", name))
    if kept_shape is None:
        probe = build(**_markers(ids))
        model = probe.model
        # The model's columns, or those `only()` names (with the key) or `defer()` leaves.
        names, defer = probe.query.deferred_loading
        fields = model._meta.concrete_fields
        if names:
            fields = [
                f
                for f in fields
                if f.primary_key
                or ({f.name, f.attname} & names and not defer)
                or (defer and not {f.name, f.attname} & names)
            ]
        # (path, the path it hangs from, its field, its model, its columns)
        parts = [(None, None, None, model, [f.attname for f in fields])]
        models = {None: model}
        for path in related:
            *hops, last = path.split("__")
            parent = "__".join(hops) or None
            if parent not in models:
                raise ValueError(f"{path}: name {parent} in `related` before it")
            field = models[parent]._meta.get_field(last)
            rel_model = models[path] = field.related_model
            attnames = [f.attname for f in rel_model._meta.concrete_fields]
            parts.append((path, parent, field, rel_model, attnames))
        annotations = list(probe.query.annotations)
        kept_shape = _cache()[("objects", name)] = (parts, annotations)
    parts, annotations = kept_shape

    def columns(**markers):
        queryset = build(**markers)
        names = [*parts[0][4]]
        for path, _parent, _field, _model, attnames in parts[1:]:
            names += [f"{path}__{attname}" for attname in attnames]
        queryset = queryset.values(*names, *annotations)
        return queryset[:limit] if limit is not None else queryset

    alias = connection.alias
    (_none, _no_parent, _no_field, model, attnames), *others = parts
    found = []
    for row in values(name, columns, **ids):
        obj = model.from_db(alias, attnames, [row[a] for a in attnames])
        made = {None: obj}
        for path, parent, field, rel_model, rel_attnames in others:
            pk = row[f"{path}__{rel_model._meta.pk.attname}"]
            rel = made[path] = (
                None
                if pk is None
                else rel_model.from_db(
                    alias, rel_attnames, [row[f"{path}__{a}"] for a in rel_attnames]
                )
            )
            if made[parent] is not None:
                field.set_cached_value(made[parent], rel)
        for annotation in annotations:
            setattr(obj, annotation, row[annotation])
        found.append(obj)
    return found


def one_or_404(name, build, *, related=(), **ids):
    """The one instance `build(**markers)` gives for these ids (read as `objects` reads
    them), or Http404 when there is none or an id lies beyond any primary key's range:
    what get_object_or_404 of a queryset scoped to the user gives (someone else's object
    answers as one that does not exist), without building the queryset on every request.
    Each id must be an int (a URL's <int:pk>, an organisation of the user's roles)."""
    from django.http import Http404

    low, high = connection.ops.integer_field_range("BigIntegerField")
    if not all(type(value) is int and low <= value <= high for value in ids.values()):
        raise Http404
    found = objects(name, build, related=related, limit=2, **ids)
    if len(found) != 1:
        raise Http404
    return found[0]


# A date no query compares with (the first years hold no programme): it marks where the
# day `values_on` is given goes in the kept SQL.
_DAY_MARKER = date(1, 2, 3)


def values_on(name, build, day, **ids):
    """`values(name, build, **ids)` of a query that also compares with one date (today,
    say): `build(day=marker, **markers)` must use the marker date only where `day` goes
    (`filter(due_date__lt=day)`); each call runs the kept SQL with `day` in its place.
    NotKept when the query does not use it (or every id)."""
    kept = _cache().get(("values_on", name))
    if kept is None:
        markers = _markers(ids)
        kept = _kept_values(build(day=_DAY_MARKER, **markers), markers)
        adapted = connection.ops.adapt_datefield_value(_DAY_MARKER)
        days = [
            (index, "day")
            for index, p in enumerate(kept.params)
            if type(p) is not int and p in (_DAY_MARKER, adapted)
        ]
        if not days:
            raise NotKept("the query does not use the day it was given")
        kept.slots += days
        _cache()[("values_on", name)] = kept
    return _value_rows(kept, {**ids, "day": connection.ops.adapt_datefield_value(day)})


# --- a moment beside the ids ------------------------------------------------------------
# An id may also be an aware datetime (a moment such as now: `filter(ends_at__gt=moment)`),
# marked by a moment no row is dated at and given to the database as its datetime columns
# take it (a datetime on PostgreSQL, text on SQLite).
_MOMENT_BASE = datetime(1901, 2, 3, 4, 5, 6, 70809, tzinfo=UTC)
_MARKER_TYPES = frozenset({int, datetime, str})
# An id compared with a BigIntegerField (not a key: a historical record's `id`) comes as
# psycopg's Int8, an int, when PostgreSQL binds the parameters (pioneer.settings).
try:
    from psycopg.types.numeric import Int8

    _WRAPPED_INTS = frozenset({Int8})
except ImportError:  # SQLite alone
    _WRAPPED_INTS = frozenset()


def _moment_marker(index):
    return _MOMENT_BASE.replace(microsecond=_MOMENT_BASE.microsecond + index)


def _adapted(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _moments_adapted(ids):
    if all(type(value) is int for value in ids.values()):
        return ids
    return {name: _adapted(value) for name, value in ids.items()}


# A text may be an id too (a search term given to the database as it is, e.g. in
# `StrIndex(Upper("topics"), Upper(Value(term)))`): a lookup that rewrites its value
# (`icontains` makes a pattern of it) leaves the marker unused, and is refused (NotKept).
def _text_marker(index):
    return f"~pioneer.compiled.marker.{index}~"
