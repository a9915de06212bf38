"""Deny by default: every URL the project defines is either one of a short list of public
pages or sends an anonymous visitor to the login page, before it looks anything up.

The URLs are found by walking the resolver, so a page that a later app adds is checked here
without anyone having to remember it. The database is empty: a view that looked up its
object before checking the visitor would answer 404 instead of the login redirect.
"""

import re
import uuid
from urllib.parse import parse_qs, urlsplit

try:  # Python 3.11+
    import re._constants as sre_constants
    import re._parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants
    import sre_parse

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, UUIDConverter
from django.urls.resolvers import RoutePattern

# url names that anyone may open (allauth's sign-in and recovery pages among them).
PUBLIC = {
    "landing",
    "accessibility",
    "privacy",
    "imprint",
    "easy_language",
    "set_language",
    "health",
    # allauth: signing in, and getting back in without being signed in.
    "account_login",
    "account_confirm_login_code",
    "account_logout",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_inactive",
    "mfa_authenticate",
    # cohorts: the public registration of interest, and the link in its confirmation e-mail.
    "cohorts:interest",
    "cohorts:interest_sent",
    "cohorts:interest_confirm",
    # blueprints: the public library (unpublished ones answer 404, files as their page).
    "blueprints:list",
    "blueprints:categories",
    "blueprints:catalogue",
    "blueprints:detail",
    "blueprints:file_download",
    "blueprints:version_download",
    # evaluation: the personal survey link (a token; anything else answers 404).
    "evaluation:respond",
    # the personal calendar feed (a token; anything else answers 404).
    "calendar_feed",
    # companion: the public check of a certificate's verification code.
    "companion:certificate_verify",
    # tandems: a host contact's personal link to confirm an agreement (a token; anything
    # else answers 404).
    "tandems:agreement_link",
}

SAMPLE_BY_CONVERTER = {
    IntConverter: "1",
    UUIDConverter: str(uuid.UUID(int=1)),
    SlugConverter: "x",
    PathConverter: "x",
}


def _sample_regex(parsed):
    """One string that the (parsed) regular expression matches."""
    out = []
    for op, av in parsed:
        if op is sre_constants.LITERAL:
            out.append(chr(av))
        elif op is sre_constants.NOT_LITERAL:
            out.append("x" if chr(av) != "x" else "y")
        elif op is sre_constants.ANY:
            out.append("x")
        elif op is sre_constants.IN:
            out.append(_sample_class(av))
        elif op is sre_constants.BRANCH:
            out.append(_sample_regex(av[1][0]))
        elif op is sre_constants.SUBPATTERN:
            out.append(_sample_regex(av[-1]))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, _high, sub = av
            out.append(_sample_regex(sub) * max(low, 1))
        elif op is sre_constants.AT:
            continue
        else:  # pragma: no cover - a construct our URLs do not use
            raise NotImplementedError(f"regex construct {op} in a URL pattern")
    return "".join(out)


def _sample_class(items):
    if items and items[0][0] is sre_constants.NEGATE:
        return "x"
    op, av = items[0]
    if op is sre_constants.LITERAL:
        return chr(av)
    if op is sre_constants.RANGE:
        return chr(av[0]) if chr(av[0]) != "0" else "1"
    if op is sre_constants.CATEGORY:
        return "1" if av is sre_constants.CATEGORY_DIGIT else "x"
    raise NotImplementedError(f"character class {op} in a URL pattern")  # pragma: no cover


def _sample_part(pattern):
    """The piece of URL one pattern contributes, with sample values for its parameters."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern)

        def fill(match):
            converter = pattern.converters[match.group("name")]
            if type(converter) in SAMPLE_BY_CONVERTER:
                return SAMPLE_BY_CONVERTER[type(converter)]
            for candidate in ("1", "x", "de", str(uuid.UUID(int=1))):
                if re.fullmatch(converter.regex, candidate):
                    return candidate
            raise AssertionError(f"no sample value for the converter in {route}")

        return re.sub(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>", fill, route)
    regex = pattern.regex.pattern
    return _sample_regex(sre_parse.parse(regex))


def _walk(resolver, prefix="", namespace=None):
    for entry in resolver.url_patterns:
        part = prefix + _sample_part(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full = f"{namespace}:{ns}" if namespace and ns else ns or namespace
            yield from _walk(entry, part, full)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield "/" + part, name, entry


def project_urls():
    return sorted({(url, name or "") for url, name, _entry in _walk(get_resolver())})


URLS = project_urls()


def test_the_walk_finds_the_projects_urls():
    names = {name for _url, name in URLS}
    for name in ("landing", "home", "invite", "notification_read", "account_login", "health"):
        assert name in names
    assert len(URLS) > 30
    for url, name in URLS:
        # Each sample reaches the pattern it was made from, not an earlier one.
        match = resolve(urlsplit(url).path)
        if name:
            found = ":".join([*match.namespaces, match.url_name])
            assert found == name, url


def test_the_public_list_names_only_urls_that_exist():
    names = {name for _url, name in URLS}
    assert PUBLIC - names == set()


def _login_next(response):
    """Where the login page will send the visitor afterwards, or None if this is no
    redirect to the login page."""
    if response.status_code != 302:
        return None
    location = urlsplit(response.headers["Location"])
    if location.path != reverse("account_login"):
        return None
    return parse_qs(location.query).get("next", [""])[0]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "name"), URLS, ids=[f"{n or '-'} {u}" for u, n in URLS])
def test_every_url_is_public_or_asks_anonymous_visitors_to_sign_in(client, url, name):
    response = client.get(url)
    if name in PUBLIC:
        assert response.status_code < 500, f"{url} ({name}): HTTP {response.status_code}"
        return
    expected_next = url
    if name.startswith("admin:") or url.startswith("/admin/"):
        # The admin goes round its own login view (and logout round its index), which
        # hands over to ours: follow those hops, but only within the admin.
        for _hop in range(3):
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.startswith("/admin/"):
                break
            response = client.get(location)
        expected_next = None
    found = _login_next(response)
    assert found is not None, (
        f"{url} ({name or 'unnamed'}) answers an anonymous GET with HTTP "
        f"{response.status_code} {response.headers.get('Location', '')}"
    )
    if expected_next is not None:
        assert found == expected_next
