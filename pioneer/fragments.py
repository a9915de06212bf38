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

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

FRAGMENT_SECONDS = 6 * 60 * 60


def key(kind, facts):
    digest = hashlib.blake2b(repr((get_language(), facts)).encode(), digest_size=16)
    return f"fragment:{kind}:{digest.hexdigest()}"


def cached(kind, facts, compute):
    """What `compute()` gives (anything the cache can keep: text, numbers, lists and
    dicts of them), kept under `kind` and `facts` (and the language)."""
    name = key(kind, facts)
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, FRAGMENT_SECONDS)
    return value


def cached_html(kind, facts, render):
    """The HTML `render()` gives, kept under `kind` and `facts` (and the language)."""
    return mark_safe(cached(kind, facts, lambda: str(render())))  # noqa: S308 (rendered by our templates)


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
