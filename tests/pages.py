"""What the page-level tests (query budget, same host, browser and axe) walk through."""

# The public pages every visitor reaches without signing in.
PUBLIC_PAGES = [
    "/",
    "/barrierefreiheit/",
    "/datenschutz/",
    "/impressum/",
    "/leichte-sprache/",
    "/blueprints/",
    "/blueprints/categories/",
    "/accounts/login/",
    "/accounts/password/reset/",
]

# The demo logins the README lists: e-mail -> the name the page shows once signed in.
DEMO_LOGINS = {
    "office@mluk.example": "Olga Office",
    "anna@mluk.example": "Anna Albrecht",
    "ben@partner.example": "Ben Brandt",
    "clara@mluk.example": "Clara Conrad",
    "contact@partner.example": "Paula Partner",
    "evaluator@mluk.example": "Eva Evaluatorin",
    "office@mik.example": "Max Mik",
    "admin@pioneer.example": "Ada Admin",
}


def without_csrf(html):
    """A page's HTML with the CSRF fields' values (masked anew for each field and visit)
    left out, for comparing two renderings of a page."""
    import re

    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1", str(html))


def page_html(client, path, language="de"):
    """A page's HTML in `language` (it must answer 200), its CSRF fields' values left out."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path)
    assert response.status_code == 200
    return without_csrf(response.content.decode())


def unkept_html(kind, facts, render, seconds=None):
    """A stand-in for `pioneer.fragments.cached_html` that keeps nothing: the part as it
    is rendered anew."""
    from django.utils.safestring import mark_safe

    return mark_safe(str(render()))  # noqa: S308 (our templates)
