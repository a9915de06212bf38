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
