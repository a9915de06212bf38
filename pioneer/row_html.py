"""Rows of long lists written in Python instead of the template language.

A list page's rows cost Django's template engine about 0.2-0.5 ms each (a variable
lookup, a filter, a `{% url %}` or `{% trans %}` per cell); the same HTML written with
`format_html` costs a tenth of that. The helpers here make what each row needs once per
page: the links (`url_maker`), the translated words (callers translate before the loop),
dates in the format the template's `date` filter would use.
"""

import html
from functools import lru_cache

from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

# A number no object has: it marks where a row's own key goes in a reversed URL.
_SENTINEL = 987654321


def url_maker(name, *args):
    """A function key -> the URL `reverse(name, args=[*args, key])` gives, reversed once.
    The last argument of the pattern must be an integer or a slug that the key fills."""
    pattern = reverse(name, args=[*args, _SENTINEL])
    head, marker, tail = pattern.rpartition(str(_SENTINEL))
    if not marker:  # pragma: no cover - a pattern that does not echo its argument
        return lambda key: reverse(name, args=[*args, key])
    return lambda key: f"{head}{key}{tail}"


# Django's date format characters written from the value's own numbers, and the month's
# names, which are looked up once per formatter in the current language.
_FIELDS = {
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "Y": "{0.year:04d}",
    "H": "{0.hour:02d}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
    "F": "{1}",
    "M": "{2}",
}
_TIME_FIELDS = frozenset("His")


def _format_pattern(fmt):
    """A `str.format` pattern that writes what Django's `fmt` writes, given the value, its
    month's name and its month's short name; None when `fmt` uses a character this does
    not write (weekdays, `P`, escapes, ...)."""
    parts = []
    for char in fmt:
        if char in _FIELDS:
            parts.append(_FIELDS[char])
        elif char.isalpha() or char == "\\":
            return None
        else:
            parts.append(char.replace("{", "{{").replace("}", "}}"))
    return "".join(parts)


def date_formatter(name):
    """A function value -> `{{ value|date:name }}` for many rows: the format looked up
    once (in the current language), written from the value's numbers and the month's
    names read once when it can (a fifth of what `dateformat.format` costs a value)."""
    fmt = formats.get_format(name)
    pattern = _format_pattern(fmt)
    months = {n: str(MONTHS[n]) for n in MONTHS} if "F" in fmt else dict.fromkeys(MONTHS, "")
    short = {n: str(MONTHS_3[n]).title() for n in MONTHS_3} if "M" in fmt else months
    times = any(char in _TIME_FIELDS for char in fmt)

    def write(value):
        if value is None:
            return ""
        if hasattr(value, "tzinfo") and timezone.is_aware(value):
            value = timezone.localtime(value)
        if pattern is not None and (not times or hasattr(value, "hour")):
            return pattern.format(value, months[value.month], short[value.month])
        return dateformat.format(value, fmt)

    return write


def short_date(value):
    """`{{ value|date:"SHORT_DATE_FORMAT" }}`: a datetime in the current time zone."""
    return date_as(value, "SHORT_DATE_FORMAT")


def date_as(value, fmt):
    """`{{ value|date:fmt }}` for a date or a datetime (in the current time zone)."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, fmt)


def number(value):
    """`{{ value }}` of a whole number: localized (no thousands separator unless the
    settings ask for one)."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return formats.localize(value)


def esc(value):
    """`{{ value }}` in a template: escaped text (None prints as "None", as there)."""
    return conditional_escape(value)


def join(parts):
    """Rows already escaped, as one safe string for the template."""
    return mark_safe("".join(parts))


def labels(choices):
    """A model field's choices as value -> escaped label in the current language (what
    `get_FOO_display` gives, without its dict per call)."""
    return {value: conditional_escape(str(label)) for value, label in choices}


def organisation_rows(organisations):
    """The rows of the office's organisation list (templates/pioneer/organisation_list.html)."""
    from django.utils.html import format_html

    from pioneer.models import Organisation

    detail = url_maker("organisation_detail")
    kinds = labels(Organisation.Kind.choices)
    return join(
        format_html(
            '<tr class="kern-table__row"><th scope="row" class="kern-table__cell">'
            '<a class="kern-link" href="{}">{}</a></th>'
            '<td class="kern-table__cell">{}</td><td class="kern-table__cell">{}</td>'
            '<td class="kern-table__cell kern-table__cell--numeric">{}</td></tr>',
            detail(org.pk),
            org.name,
            kinds.get(org.kind) or org.kind,
            org.parent or "–",
            number(org.contact_count),
        )
        for org in organisations
    )


_NOTIFICATION = (
    '<li class="kern-card"><div class="kern-card__container">'
    '<div class="kern-card__header"><h2 class="kern-title"><span{lang}>{subject}</span>{unread}'
    '</h2><p class="kern-body--small">{sent}</p></div>'
    '<div class="kern-card__body"{lang}>{body}</div>{footer}</div></li>'
)
_NOTIFICATION_FOOTER = (
    '<div class="kern-card__footer"><form method="post" action="{url}">{csrf}'
    '<button class="kern-btn kern-btn--tertiary" type="submit">'
    '<span class="kern-label">{label}<span class="kern-sr-only">: <span{lang}>{subject}</span>'
    "</span></span></button></form></div>"
)
# What the list reads of each notification (selectors.notifications_for, narrowed).
NOTIFICATION_COLUMNS = ("pk", "subject", "body", "link", "language", "sent_at", "read_at")


def notification_items(request, notifications):
    """The cards of a person's notification list (templates/pioneer/notification_list.html):
    one CSRF field and the words made once for the page. `notifications` have the
    attributes NOTIFICATION_COLUMNS names (rows of `values_list(..., named=True)`)."""
    from django.middleware.csrf import get_token
    from django.utils.html import format_html, linebreaks
    from django.utils.translation import gettext as _

    read = url_maker("notification_read")
    csrf = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    unread = format_html(
        ' <span class="kern-badge kern-badge--info"><span class="kern-label">{}</span></span>',
        _("unread"),
    )
    open_, mark = esc(_("Open")), esc(_("Mark as read"))
    reader_language = request.user.language
    sent = date_formatter("DATETIME_FORMAT")
    langs = {}
    items = []
    for n in notifications:
        language = reader_language or n.language
        lang = langs.get(language)
        if lang is None:
            lang = langs[language] = f' lang="{esc(language)}"' if language else ""
        subject = esc(n.subject)
        footer = ""
        if not n.read_at or n.link:
            footer = _NOTIFICATION_FOOTER.format(
                url=esc(read(n.pk)),
                csrf=csrf,
                label=open_ if n.link else mark,
                lang=lang,
                subject=subject,
            )
        items.append(
            _NOTIFICATION.format(
                lang=lang,
                subject=subject,
                unread="" if n.read_at else unread,
                sent=esc(sent(n.sent_at)),
                body=linebreaks(n.body, autoescape=True),
                footer=footer,
            )
        )
    return join(items)


def sort_headers(params, headers):
    """The column headings of a sortable list, one per `pioneer.tables.Header`, the links
    as `{% querystring sort=… page=None select=None %}` writes them."""
    from django.utils.html import format_html
    from django.utils.translation import gettext as _

    icons = {
        "ascending": format_html(
            '<span class="kern-icon kern-icon--arrow-up kern-icon--small" aria-hidden="true">'
            '</span><span class="kern-sr-only"> ({})</span>',
            _("sorted ascending; sort descending"),
        ),
        "descending": format_html(
            '<span class="kern-icon kern-icon--arrow-down kern-icon--small" aria-hidden="true">'
            '</span><span class="kern-sr-only"> ({})</span>',
            _("sorted descending; sort ascending"),
        ),
        "": format_html('<span class="kern-sr-only"> ({})</span>', _("sort by this column")),
    }
    cells = []
    for column in headers:
        label = esc(column.label)
        if column.sortable:
            query = params.copy()
            query["sort"] = column.sort
            for key in ("page", "select"):
                if key in query:
                    del query[key]
            label = format_html(
                '<a class="kern-link pio-sort" href="?{}">{}{}</a>',
                query.urlencode(),
                label,
                icons.get(column.aria_sort, icons[""]),
            )
        cells.append(
            format_html(
                '<th scope="col" class="kern-table__header{}"{}>{}</th>',
                " kern-table__header--numeric" if column.numeric else "",
                format_html(' aria-sort="{}"', column.aria_sort) if column.aria_sort else "",
                label,
            )
        )
    return join(cells)


def kept_url_maker(name, *args):
    """`url_maker(name, *args)` with its reverse() kept per process (under the URLconf and
    script prefix in effect): a reverse() costs 0.1-0.3 ms, a page of rows asks for the
    same few patterns on every visit."""
    from django.urls import get_script_prefix, get_urlconf

    head, tail = _kept_pattern(
        name, args, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()
    )
    if tail is None:  # pragma: no cover - a pattern that does not echo its argument
        return lambda key: reverse(name, args=[*args, key])
    return lambda key: f"{head}{key}{tail}"


@lru_cache(maxsize=4096)
def _kept_pattern(name, args, _urlconf, _prefix):
    pattern = reverse(name, args=[*args, _SENTINEL])
    head, marker, tail = pattern.rpartition(str(_SENTINEL))
    return (head, tail) if marker else (None, None)


def text(value):
    """`esc(value)` as a plain string, for rows joined into one safe string: what the
    template writes of `{{ value }}`, without the lazy wrappers of Django's escape (a
    fifth of its cost for the plain text of a column)."""
    if type(value) is str:
        return html.escape(value)
    return str(conditional_escape(value))
