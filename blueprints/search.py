"""The full-text search of the library: on PostgreSQL a stored tsvector per blueprint
(German stemming, title before summary before text before materials), kept current after
every save and searched with a GIN index; elsewhere (the embedded SQLite) a substring
match.

Stored, not computed per search: parsing every body at every query grows with the
library (a quarter of a second at 500 blueprints on a busy machine); a stored vector is
ranked in microseconds.
"""

from django.db import connection
from django.db.models import F, Q


def is_full_text():
    return connection.vendor == "postgresql"


def vector():
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("title", weight="A", config="german")
        + SearchVector("summary", weight="B", config="german")
        + SearchVector("body", weight="C", config="german")
        + SearchVector("materials", weight="D", config="german")
    )


def refresh(queryset):
    """Recompute the stored vector of the blueprints in `queryset` (one UPDATE)."""
    if is_full_text():
        queryset.update(search_vector=vector())


def search(queryset, text):
    """`queryset` narrowed to what matches `text`, best match first."""
    text = (text or "").strip()
    if not text:
        return queryset
    if is_full_text():
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(text, config="german", search_type="websearch")
        return (
            queryset.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-published_at", "-id")
        )
    return queryset.filter(
        Q(title__icontains=text)
        | Q(summary__icontains=text)
        | Q(body__icontains=text)
        | Q(materials__icontains=text)
    )
