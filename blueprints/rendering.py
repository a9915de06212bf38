"""Rendered parts of the library pages kept in the cache, each under a key made of
everything it shows (a digest of the facts, the language), so a part is rendered once and
then read: never stale, whatever changed (a title, a tag, an adoption, the language).

- `cards`: the blueprint cards of a page of the library, read from the cache in one
  round trip; only those not there yet are rendered (templates/blueprints/_card.html).
- `filter_form`: the library's search and filter form, the same for everyone who asked
  the same (most visitors ask nothing) with the same tags to choose from; a search for
  words alone is that form with the words written into its search field.
"""

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

# An unused part leaves the cache after this long (seconds); a changed one is never read.
PART_SECONDS = 6 * 60 * 60


def _key(kind, facts):
    digest = hashlib.blake2b(repr(facts).encode(), digest_size=16).hexdigest()
    return f"blueprints:{kind}:{digest}"


def _card_facts(blueprint, adopted_by, heading, tags, selectable):
    organisation = blueprint.organisation
    return (
        get_language(),
        heading,
        selectable,
        blueprint.pk,
        blueprint.slug,
        blueprint.title,
        blueprint.summary,
        blueprint.category,
        blueprint.visibility,
        blueprint.language,
        blueprint.published_at.isoformat() if blueprint.published_at else None,
        (organisation.name, organisation.short_name) if organisation else None,
        None if tags is None else [(tag.slug, tag.name) for tag in tags.get(blueprint.pk, ())],
        adopted_by.get(blueprint.pk, 0),
    )


def cards(blueprints, adopted_by, *, heading="h3", tags=None, selectable=False):
    """The HTML of the blueprints' cards, in order (one cache round trip). `tags`:
    {blueprint id: its tags} (selectors.card_tags) to show them, None to show none."""
    blueprints = list(blueprints)
    keys = [_key("card", _card_facts(b, adopted_by, heading, tags, selectable)) for b in blueprints]
    found = cache.get_many(keys)
    missing = {}
    for blueprint, key in zip(blueprints, keys, strict=True):
        if key not in found:
            found[key] = missing[key] = render_to_string(
                "blueprints/_card.html",
                {
                    "blueprint": blueprint,
                    "adopted_by": adopted_by,
                    "heading": heading,
                    "show_tags": tags is not None,
                    "tags": tags.get(blueprint.pk, ()) if tags is not None else (),
                    "selectable": selectable,
                },
            )
    if missing:
        cache.set_many(missing, PART_SECONDS)
    return [mark_safe(found[key]) for key in keys]  # noqa: S308 (rendered by our template)


def filter_form(form, tags):
    """The HTML of the library's filter form (templates/blueprints/_filter_form.html):
    the same for the same language and tags when nobody asked anything yet (most visitors).
    A question asked is rendered each time: a visitor's words must not become cache keys,
    or anyone could fill the cache with variants."""
    asked = form.is_bound and any(
        value for name in form.fields for value in form.data.getlist(name)
    )
    if asked:
        html = _searched_only(form, tags)
        if html is None:
            html = render_to_string("blueprints/_filter_form.html", {"form": form})
        return mark_safe(html)  # noqa: S308 (rendered by our template, the words escaped)
    return mark_safe(_unasked_form(form, tags))  # noqa: S308 (rendered by our template)


def _unasked_form(form, tags):
    """The filter form as it is when nothing was asked (kept per language and tags);
    `form` is rendered unless it was asked something, else a blank one."""
    key = _key("filter", (get_language(), [(tag.slug, tag.name) for tag in tags]))
    html = cache.get(key)
    if html is None:
        if form.is_bound:
            form = type(form)(tags=tags)
        html = render_to_string("blueprints/_filter_form.html", {"form": form})
        cache.set(key, html, PART_SECONDS)
    return html


# The search field of the unasked form, and where a searched one writes its words.
_Q_INPUT = '<input type="text" name="q" maxlength="200"'


def _searched_only(form, tags):
    """The form of a search that asked nothing but words (what most searches ask), valid:
    the unasked form with the words in the search field, as the widget writes them (the
    last `q` given, escaped; an empty one writes no value). None for anything else (a
    filter chosen, an error shown): that form is rendered."""
    if form.errors or any(
        value for name in form.fields if name != "q" for value in form.data.getlist(name)
    ):
        return None
    html = _unasked_form(form, tags)
    if html.count(_Q_INPUT) != 1:  # pragma: no cover - the field's markup changed
        return None
    text = form.data.get("q")
    if text in ("", None):
        return html
    return html.replace(
        _Q_INPUT, f'<input type="text" name="q" value="{conditional_escape(text)}" maxlength="200"'
    )
