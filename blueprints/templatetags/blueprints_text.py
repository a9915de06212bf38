"""Template filters of the blueprints app: Markdown (rendered and cleaned), and sizes."""

from functools import lru_cache

from django import template
from django.template.defaultfilters import filesizeformat

from blueprints import markdown as markdown_module

register = template.Library()


@register.filter
def markdown(text):
    """The HTML of `text`; the same text gives the same HTML, so the recent ones are kept
    (a blueprint page is read far more often than its text changes)."""
    return _markdown(text or "")


@lru_cache(maxsize=256)
def _markdown(text):
    return markdown_module.render(text)


@register.filter
def duration(minutes):
    """A method's length in words: minutes, hours, or days of about seven hours."""
    from django.utils.translation import gettext, ngettext

    if not minutes:
        return ""
    if minutes < 60:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    if minutes < 360:
        hours = minutes / 60
        text = f"{hours:.1f}".rstrip("0").rstrip(".")
        return gettext("%(n)s hours") % {"n": text} if hours != 1 else gettext("1 hour")
    days = max(1, round(minutes / 420))
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


@register.filter
def size(value):
    return filesizeformat(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def file_type(content_type):
    """PDF, DOCX, ... for a stored content type."""
    from blueprints.uploads import TYPES

    for file_type in TYPES.values():
        if file_type.content_type == content_type:
            return file_type.label
    return ""
