"""Bars every page must clear (DESIGN.md): a query budget, and nothing from another host.

The pages come from the demo world and each role's navigation, so pages that later apps
add to the navigation are checked here without further work.
"""

from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from pioneer.context_processors import navigation
from tests.pages import DEMO_LOGINS, PUBLIC_PAGES

RESOURCE_ATTRS = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src"}


class _Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attr = RESOURCE_ATTRS.get(tag)
        values = dict(attrs)
        if attr and values.get(attr):
            self.urls.append(values[attr])
        if values.get("style") and "url(" in values["style"]:
            self.urls.append(values["style"])


def _assert_same_host(html):
    parser = _Resources()
    parser.feed(html)
    outside = [u for u in parser.urls if "//" in u and not u.startswith(("/static/", "/media/"))]
    assert outside == []


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def _pages_for(client, email):
    from django.test import RequestFactory

    from pioneer.models import User

    user = User.objects.get(email=email)
    client.force_login(user)
    request = RequestFactory().get("/")
    request.user = user
    return [item["url"] for item in navigation(request)["nav_items"]]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_keep_to_the_budget_and_to_our_host(
    client, demo, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    _assert_same_host(response.content.decode())
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp


@pytest.mark.parametrize("email", DEMO_LOGINS)
def test_every_page_in_a_roles_navigation_keeps_to_the_budget(
    client, demo, email, django_assert_max_num_queries
):
    pages = _pages_for(client, email)
    assert "/home/" in pages
    for url in pages:
        with django_assert_max_num_queries(10):
            response = client.get(url)
        assert response.status_code == 200, url
        _assert_same_host(response.content.decode())
