"""The landing page's sections (pioneer.hooks.landing_sections), rendered once and kept in
the cache.

Every visitor of the landing page sees the same sections: the open cohorts, the newest
public blueprints. Asking the apps and rendering their cards for each request cost most
of the page (two queries and some twenty cards' templates, profiled at N = 50), for a
result that changes a few times a day. So the rendered sections are kept in the cache
under a key of

- the language (the cards are translated),
- today's date (a cohort's interest window opens and closes by date),
- a change token that `changed()` replaces whenever something a section shows is saved
  or deleted: the apps connect it to their models' post_save and post_delete (the core
  does so for organisations), so a cohort opened or a blueprint published is on the
  landing page at the next request;

and for at most SECONDS, which bounds what no signal reports: a blueprint whose
publication time arrives, rows written without signals (bulk loads), or, during a Redis
outage, a token replaced in another process's fallback cache.

Sections are rendered without the request, so nothing of one visitor can reach another:
a section template must not depend on who is looking (pioneer.hooks says so).
"""

import uuid

from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from pioneer import hooks

SECONDS = 60
TOKEN_KEY = "landing:token"


def _new_token():
    cache.set(TOKEN_KEY, uuid.uuid4().hex, timeout=None)


def changed(*args, **kwargs):
    """Something a landing section shows was saved or deleted (a signal receiver). The
    token is replaced at once and again after the commit: a request that rendered the
    sections between the two, from rows not yet committed, cached them under the first."""
    _new_token()
    transaction.on_commit(_new_token)


def _key(name, token, parts):
    return ":".join(
        (
            name,
            token,
            translation.get_language(),
            timezone.localdate().isoformat(),
            *map(str, parts),
        )
    )


def cached(name, render, *parts):
    """`render()`'s result, kept under the key the landing's sections use (change token,
    language, today's date) and `parts`, for at most SECONDS. For what every visitor sees
    alike and what only the models that replace the token decide (the public interest
    form's choices, say). `parts` must come from a small set (ids of open cohorts, not a
    visitor's input), or the cache fills with variants. It reads nothing to find the key;
    where the facts a part shows must be read anyway, `pioneer.fragments` keys the part by
    a digest of them instead."""
    key = _key(name, cache.get(TOKEN_KEY) or "-", parts)
    value = cache.get(key)
    if value is None:
        value = render()
        cache.set(key, value, SECONDS)
    return value


class Kept:
    """Several values a page keeps as `cached` does, read in two round trips to the
    cache (the token, then all of them) instead of two each: `Kept((name, *parts), ...)`
    names what the page may ask for, `kept.cached(name, render, *parts)` gives each as
    `cached` would (rendered and kept on a miss, and anything not named is read then)."""

    def __init__(self, *wanted):
        self.token = cache.get(TOKEN_KEY) or "-"
        self.asked = {_key(name, self.token, parts) for name, *parts in wanted}
        self.found = cache.get_many(list(self.asked)) if self.asked else {}

    def cached(self, name, render, *parts):
        key = _key(name, self.token, parts)
        value = self.found.get(key)
        if value is None and key not in self.asked:
            value = cache.get(key)
        if value is None:
            value = render()
            cache.set(key, value, SECONDS)
        return value


def _render_sections():
    sections = hooks.collect(hooks.landing_sections, request=None)
    return "".join(
        render_to_string(section.template, {"data": section.context}) for section in sections
    )


def sections_html():
    """The landing page's sections, as HTML (from the cache when they are current)."""
    return mark_safe(cached("landing:sections", _render_sections))  # noqa: S308 (our templates')
