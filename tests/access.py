"""Who gets what for a URL: one helper for every app's view tests, and a walk that finds
the URLs with an object id by itself.

`access_problems` / `assert_access` state the rule of DESIGN.md for one URL:

    owner                                  -> owner_status (200, or 302 after a POST ...)
    another ministry's office (stranger)   -> 404 (someone else's object does not exist)
    partner contact of another organisation-> 404 (403 where partners have no such pages)
    anonymous                              -> the login page, with ?next= this URL
    a role that may not (wrong_role)       -> 403

`walk_for_leaks` signs in as the owner, follows the links and form actions of every page
it reaches (a crawl: nobody lists the URLs), remembers the object ids it saw for each URL
parameter, then tries every URL pattern of the project with those ids: wherever the owner
gets a page, `stranger` must get 404. A view added later is checked without anyone
remembering it; `tests/test_access_walk.py` proves both helpers report a leaking view.
"""

import itertools
import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

ANONYMOUS = object()


def _login_target(response):
    """The ?next= of a redirect to the login page, or None."""
    if response.status_code != 302:
        return None
    location = urlsplit(response.headers["Location"])
    if location.path != reverse("account_login"):
        return None
    return parse_qs(location.query).get("next", [""])[0]


def _request(user, url, method, data):
    client = Client()
    if user is not ANONYMOUS and user is not None:
        client.force_login(user)
    send = client.post if method == "post" else client.get
    return send(url, data or {})


def access_problems(
    url,
    *,
    owner,
    stranger=None,
    foreign_partner=None,
    wrong_role=None,
    method="get",
    data=None,
    owner_status=200,
    foreign_partner_status=404,
    check_anonymous=True,
):
    """What is wrong with who gets what for `url` ([] when all is as it should be).

    `foreign_partner_status`: 404 where partner contacts have pages of this kind (someone
    else's answers 404), 403 where the role gate stops them before any lookup.

    Each person asks with a client of their own. The owner's request runs last, so that
    a POST by the owner (which may change things) cannot hide a stranger's answer.
    """
    problems = []
    if check_anonymous:
        response = _request(ANONYMOUS, url, method, data)
        if _login_target(response) != url.split("?")[0] and _login_target(response) != url:
            problems.append(
                f"{method.upper()} {url}: anonymous got HTTP {response.status_code}, "
                "not the login page"
            )
    for label, user, allowed in (
        ("another ministry's office", stranger, {404}),
        ("a partner contact of another organisation", foreign_partner, {foreign_partner_status}),
        ("a role that may not", wrong_role, {403}),
    ):
        if user is None:
            continue
        status = _request(user, url, method, data).status_code
        if status not in allowed:
            expected = " or ".join(str(s) for s in sorted(allowed))
            problems.append(f"{method.upper()} {url}: {label} got HTTP {status}, not {expected}")
    status = _request(owner, url, method, data).status_code
    if status != owner_status:
        problems.append(f"{method.upper()} {url}: the owner got HTTP {status}, not {owner_status}")
    return problems


def assert_access(url, **kwargs):
    problems = access_problems(url, **kwargs)
    assert not problems, "\n".join(problems)


# --- the walk ---------------------------------------------------------------------------

# Pages the crawl must not follow: signing out would end it, the admin and allauth's
# account pages are no object pages of ours, and the language switch only redirects.
SKIP_PREFIXES = ("/accounts/", "/admin/", "/i18n/", "/static/", "/media/", "/health/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.posts = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.posts.append(attrs.get("action") or "")


def _own(base, href):
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    if parts.path.startswith(SKIP_PREFIXES):
        return None
    return parts.path


def _route_of(path):
    match = _match(path)
    return (match.route, match.kwargs) if match else (None, {})


def _match(path):
    try:
        return resolve(path)
    except Resolver404:
        return None


def crawl(user, *, start=("/home/",), per_route=3, limit=400):
    """The pages `user` reaches by following links from `start`, and the POST form
    actions on them: ({path}, {path}). At most `per_route` pages of one URL pattern are
    opened (50 participants need not be opened 50 times)."""
    client = Client()
    client.force_login(user)
    queue, seen, posts = list(start), set(), set()
    opened = defaultdict(int)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        route, _kwargs = _route_of(path)
        if route is None or opened[route] >= per_route:
            continue
        seen.add(path)
        opened[route] += 1
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        # A streamed page (the participant list's print view) is read as it arrives.
        parser.feed(
            b"".join(response.streaming_content).decode()
            if response.streaming
            else response.content.decode()
        )
        for href in parser.links:
            target = _own(path, href)
            if target and target not in seen:
                queue.append(target)
        for action in parser.posts:
            target = _own(path, action)
            if target:
                posts.add(target)
    return seen, posts


def _patterns(resolver=None, prefix=""):
    """(route, name, pattern) for every URL pattern of the project."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def _fill(route, values):
    def sub(match):
        return str(values[match.group("name")])

    return "/" + _PARAM.sub(sub, route)


def walk_for_leaks(
    *,
    owner,
    stranger,
    start=("/home/",),
    skip_names=(),
    max_tries=40,
    label="another ministry's office",
):
    """Every URL pattern with parameters, filled with the object ids the owner's crawl
    saw: where the owner gets a page (GET 200), or the address takes only POST (a form
    action on the owner's pages, or GET answers 405), the stranger must get 404.
    Returns (problems, exercised routes)."""
    pages, posts = crawl(owner, start=start)
    seen_values = defaultdict(set)
    by_route = defaultdict(list)
    for path in pages | posts:
        route, kwargs = _route_of(path)
        if route is None:
            continue
        by_route[route].append(kwargs)
        for key, value in kwargs.items():
            seen_values[key].add(value)
    post_routes = {_route_of(path)[0] for path in posts}
    owner_client, stranger_client = Client(), Client()
    owner_client.force_login(owner)
    stranger_client.force_login(stranger)
    problems, exercised = [], set()
    for route, _pattern in _patterns():
        names = [m.group("name") for m in _PARAM.finditer(route)]
        if not names:
            continue
        if any(name not in seen_values for name in names):
            continue
        known = [kw for kw in by_route.get(route, []) if set(kw) == set(names)]
        combos = known + [
            dict(zip(names, values, strict=True))
            for values in itertools.product(*(sorted(seen_values[n], key=str) for n in names))
        ]
        tried = 0
        for values in combos:
            if tried >= max_tries:
                break
            url = _fill(route, values)
            match = _match(url)
            if match is None or match.route != route or match.view_name in skip_names:
                continue  # an earlier pattern answers this address, or a public one
            tried += 1
            if route in post_routes and url in posts:
                status = stranger_client.post(url, {}).status_code
                exercised.add(route)
                if status != 404:
                    problems.append(f"POST {url}: {label} got HTTP {status}")
                continue
            owner_status = owner_client.get(url).status_code
            if owner_status == 405:  # POST only: the stranger's POST must not get further
                # ... on the owner's object: the page the action belongs to is the owner's.
                page = url.rstrip("/").rsplit("/", 1)[0] + "/"
                if owner_client.get(page).status_code != 200:
                    continue
                exercised.add(route)
                status = stranger_client.post(url, {}).status_code
                if status != 404:
                    problems.append(f"POST {url}: {label} got HTTP {status}")
                continue
            if owner_status != 200:
                continue
            exercised.add(route)
            status = stranger_client.get(url).status_code
            if status != 404:
                problems.append(f"GET {url}: {label} got HTTP {status}")
    return problems, exercised
