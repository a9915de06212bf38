"""The shared layout's parts that vary with the request, written in Python: the language
switch, the signed-in person's name with the sign-out form, and the main navigation
(templates/base.html). Through the template engine they cost about half of the layout's
rendering on every page (0.6 ms of CPU signed in, for some thirty lines of HTML); the
fixed parts around them are `{% constant %}`. Every value is escaped here; the HTML is
the template's as it was, byte for byte (tests/pioneer/test_layout.py holds them to it).

The navigation's items come from the apps' receivers of pioneer.hooks.navigation, which
answer from the person's role kinds alone; they are collected once per process for each
set of role kinds and language (and set of receivers), and written once for each item
that can be the current one.
"""

from django.conf import settings
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import get_language, gettext

from pioneer import hooks

_NAVIGATION = {}  # (role kinds, language, receivers) -> [(url, label)]
_NAVIGATION_HTML = {}  # (role kinds, language, receivers, current url) -> HTML


def _receivers():
    return tuple(receiver[0] for receiver in hooks.navigation.receivers)


def navigation_items(request, roles):
    """The main navigation's items for the person's roles: dicts of url, label and
    whether it is the page's section (`current`)."""
    key = (roles.kinds, get_language(), _receivers())
    items = _NAVIGATION.get(key)
    if items is None:
        items = [
            (reverse(item.url_name), str(item.label), item.url_name == "home")
            for item in hooks.collect(hooks.navigation, request=request, roles=roles)
        ]
        _NAVIGATION[key] = items
    path = request.path
    return [
        {
            "url": url,
            "label": label,
            "current": path == url or (url != "/" and path.startswith(url) and not home),
        }
        for url, label, home in items
    ]


def navigation_html(items):
    """The main navigation (`<nav>`) of these items; empty without items."""
    if not items:
        return ""
    current = next((item["url"] for item in items if item["current"]), None)
    key = (tuple((item["url"], item["label"]) for item in items), get_language(), current)
    html = _NAVIGATION_HTML.get(key)
    if html is None:
        links = "".join(
            f'\n            <li><a class="kern-link" href="{escape(item["url"])}"'
            f"{' aria-current=' + chr(34) + 'page' + chr(34) if item['current'] else ''}>"
            f"{escape(item['label'])}</a></li>\n          "
            for item in items
        )
        html = _NAVIGATION_HTML[key] = (
            f'\n    <nav class="pio-nav" aria-label="{escape(gettext("Main navigation"))}">\n'
            f'      <div class="kern-container">\n        <ul>\n          {links}\n'
            "        </ul>\n      </div>\n    </nav>\n    "
        )
    return html


def _csrf_field(request):
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'


def language_switch(request):
    """The language switch's fields: the CSRF token, where to come back to, and a button
    per language (the current one pressed)."""
    current = get_language()
    buttons = "".join(
        f'\n              <button type="submit" name="language" value="{escape(code)}" '
        f'class="kern-btn {_PRESSED if code == current else _UNPRESSED} kern-btn--x-small" '
        f'lang="{escape(code)}" aria-pressed="{"true" if code == current else "false"}">\n'
        f'                <span class="kern-label">{"Deutsch" if code == "de" else "English"}'
        "</span>\n              </button>\n            "
        for code, _name in settings.LANGUAGES
    )
    return (
        f"\n            {_csrf_field(request)}\n"
        f'            <input type="hidden" name="next" value="{escape(request.get_full_path())}">\n'
        f"            \n            {buttons}\n          "
    )


_PRESSED = "kern-btn--secondary pio-lang-switch__current"
_UNPRESSED = "kern-btn--tertiary"
