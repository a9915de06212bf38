"""Small text filters the shared templates need."""

from django import template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

# A label that ends a sentence already (a question) takes no colon of ours after it.
_ENDS_A_SENTENCE = ("?", "!", ".", "…")


@register.filter
def labelled(error, label):
    """ "Label: error" for the error summary, without doubled punctuation: a label ending in
    ":" keeps one colon, a label that is a question ("Would you host?") takes none."""
    text = str(label or "").strip().rstrip(":").rstrip()
    if not text:
        return conditional_escape(error)
    separator = " " if text.endswith(_ENDS_A_SENTENCE) else ": "
    return mark_safe(f"{conditional_escape(text)}{separator}{conditional_escape(error)}")  # noqa: S308


@register.simple_tag
def programme_office():
    """The e-mail signature's facts (settings PROGRAMME_OFFICE_*), for any template,
    allauth's included, without each sender passing them in."""
    return {
        "name": settings.PROGRAMME_OFFICE_NAME,
        "email": settings.PROGRAMME_OFFICE_EMAIL,
        "phone": settings.PROGRAMME_OFFICE_PHONE,
    }


@register.simple_tag
def operator_name():
    return settings.OPERATOR_NAME


def _abbr(organisation):
    return format_html('<abbr title="{}">{}</abbr>', organisation.name, organisation.short_name)


@register.filter
def organisation_first(organisation):
    """An organisation at its first mention in a text: the full name with its abbreviation
    explained, "Ministerium für ... (<abbr title="Ministerium für ...">MLUK</abbr>)"."""
    if not organisation:
        return ""
    if not organisation.short_name or organisation.short_name == organisation.name:
        return organisation.name
    return format_html("{} ({})", organisation.name, _abbr(organisation))


@register.filter
def organisation_short(organisation):
    """An organisation mentioned again: its abbreviation, explained on hover and to screen
    readers by <abbr title>."""
    if not organisation:
        return ""
    if not organisation.short_name or organisation.short_name == organisation.name:
        return organisation.name
    return _abbr(organisation)
