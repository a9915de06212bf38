"""Parts of pages kept in the cache, rendered once per state of what they show.

A part is cached under a digest of everything it is made from (the facts the caller
names, and the language), so it is never stale: whatever changes gives another key, and
an unused part leaves the cache after FRAGMENT_SECONDS. (What every visitor sees alike
and only a few models decide, such as the landing page's sections and the public interest
form, is kept by `pioneer.landing.cached` under a change token, without reading anything.)

`form_html` is the common case: an unbound form (the page as first shown) is the same
for the same language and facts (its initial values and choices); a bound form (with what
someone entered, and its errors, perhaps added after validation) is left to the page
(`{% if form_html %}{{ form_html }}{% else %}{{ form|crispy }}{% endif %}`).
"""

import hashlib
import re

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

FRAGMENT_SECONDS = 6 * 60 * 60


def key(kind, facts):
    digest = hashlib.blake2b(repr((get_language(), facts)).encode(), digest_size=16)
    return f"fragment:{kind}:{digest.hexdigest()}"


def cached(kind, facts, compute, seconds=FRAGMENT_SECONDS):
    """What `compute()` gives (anything the cache can keep: text, numbers, lists and
    dicts of them), kept under `kind` and `facts` (and the language) for `seconds` at
    most (a part kept under cohorts.figures' change token: figures.SECONDS, the bound of
    what no signal reports)."""
    name = key(kind, facts)
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, seconds)
    return value


def cached_html(kind, facts, render, seconds=FRAGMENT_SECONDS):
    """The HTML `render()` gives, kept under `kind` and `facts` (and the language)."""
    return mark_safe(cached(kind, facts, lambda: str(render()), seconds))  # noqa: S308 (rendered by our templates)


# A page number a kept page of a list may be asked by (past the end and below 1 too, as
# Paginator.get_page answers them): anything else is rendered without keeping it.
_PAGE_NUMBER = re.compile(r"-?[0-9]{1,4}")


def list_page_html(request, kind, facts, render, seconds=FRAGMENT_SECONDS):
    """The HTML `render()` gives of the page of a list that `request` asks for (its rows
    and pagination), kept under `kind`, `facts` and the page number asked, when the request
    asks nothing else: the pagination's links keep the rest of the query string, and what
    a visitor typed never becomes a key (such a page is rendered as it comes)."""
    number = request.GET.get("page")
    if set(request.GET) - {"page"} or (number is not None and not _PAGE_NUMBER.fullmatch(number)):
        return mark_safe(str(render()))  # noqa: S308 (rendered by our templates)
    return cached_html(kind, (*facts, number), render, seconds)


def form_html(form, kind, facts):
    """The unbound form rendered as `{{ form|crispy }}` would, kept per `facts`, which
    must name everything the form shows beyond its class (initial values, choices); None
    for a bound form."""
    if form.is_bound:
        return None
    return cached_html(
        f"form:{kind}",
        (type(form).__qualname__, form.prefix, facts),
        lambda: render_to_string("partials/crispy_form.html", {"form": form}),
    )
