"""The shared layout's parts written in Python (pioneer.layout) give the HTML the template
gave (the reference templates below are base.html's as it was), for every role set, both
languages, any current section and paths with characters HTML must escape."""

import itertools

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from pioneer import hooks, layout
from pioneer.context_processors import navigation
from pioneer.models import Role
from pioneer.rules import RoleSet
from tests.factories.core import UserFactory
from tests.pages import without_csrf

pytestmark = pytest.mark.django_db

LANGUAGE_SWITCH = """{% load i18n %}{% get_current_language as LANGUAGE_CODE %}
            {% csrf_token %}
            <input type="hidden" name="next" value="{{ request.get_full_path }}">
            {% get_available_languages as LANGUAGES %}
            {% for code, name in LANGUAGES %}
              <button type="submit" name="language" value="{{ code }}" class="kern-btn {% if code == LANGUAGE_CODE %}kern-btn--secondary pio-lang-switch__current{% else %}kern-btn--tertiary{% endif %} kern-btn--x-small" lang="{{ code }}" aria-pressed="{% if code == LANGUAGE_CODE %}true{% else %}false{% endif %}">
                <span class="kern-label">{% if code == "de" %}Deutsch{% else %}English{% endif %}</span>
              </button>
            {% endfor %}
          """  # noqa: E501

NAVIGATION = """{% load i18n %}    {% if nav_items %}
    <nav class="pio-nav" aria-label="{% trans 'Main navigation' %}">
      <div class="kern-container">
        <ul>
          {% for item in nav_items %}
            <li><a class="kern-link" href="{{ item.url }}"{% if item.current %} aria-current="page"{% endif %}>{{ item.label }}</a></li>
          {% endfor %}
        </ul>
      </div>
    </nav>
    {% endif %}"""  # noqa: E501

PATHS = ["/", "/cohorts/1/", "/home/", '/notifications/?a=<b>&c="d\'e"', "/blueprints/x/"]


def _render(source, request, context=None):
    return engines["django"].from_string(source).render(context or {}, request)


def _request(path, user):
    request = RequestFactory().get(path)
    request.user = user
    request.META["CSRF_COOKIE"] = "k" * 32
    return request


def _role_sets():
    kinds = [kind for kind, _label in Role.Kind.choices]
    for size in range(len(kinds) + 1):
        for chosen in itertools.combinations(kinds, size):
            yield RoleSet(frozenset(chosen), {})


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("path", PATHS)
def test_the_language_switch_is_the_templates(language, path):
    user = UserFactory()
    with translation.override(language):
        request = _request(path, user)
        html = _render("{% load pioneer_text %}{% language_switch %}", request)
        assert without_csrf(html) == without_csrf(_render(LANGUAGE_SWITCH, request))
        assert 'name="csrfmiddlewaretoken" value="' in html
    if "&" in path:  # the path's & and ' are escaped in the attribute
        assert "&amp;c=%22d&#x27;e%22" in html


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_navigation_is_the_templates_for_every_role_set_and_section(language):
    user = UserFactory()
    items_seen = set()
    with translation.override(language):
        for roles in _role_sets():
            for path in PATHS + ["/organisations/", "/programmes/"]:
                request = _request(path, user)
                items = layout.navigation_items(request, roles)
                reference = [
                    {
                        "url": url,
                        "label": item.label,
                        "current": path == url
                        or (url != "/" and path.startswith(url) and item.url_name != "home"),
                    }
                    for item in hooks.collect(hooks.navigation, request=request, roles=roles)
                    for url in [reverse(item.url_name)]
                ]
                assert [(i["url"], str(i["label"]), i["current"]) for i in items] == [
                    (i["url"], str(i["label"]), i["current"]) for i in reference
                ]
                html = _render(
                    "{% load pioneer_text %}    {% if nav_items %}{% main_navigation %}{% endif %}",
                    request,
                    {"nav_items": items},
                )
                assert html == _render(NAVIGATION, request, {"nav_items": reference})
                items_seen.update(i["url"] for i in items)
    assert len(items_seen) > 10  # the role sets reach every app's items


def test_a_label_is_escaped(monkeypatch):
    """The labels are the apps' translations; written here they are escaped as the
    template did."""
    from django.dispatch import receiver

    @receiver(hooks.navigation, dispatch_uid="tests.layout.odd")
    def odd(sender, request, roles, **kwargs):
        return hooks.NavItem("home", '<Ämter & "Co">', order=1)

    try:
        user = UserFactory()
        request = _request("/", user)
        items = layout.navigation_items(request, RoleSet(frozenset(), {}))
        html = layout.navigation_html(items)
        assert "&lt;Ämter &amp; &quot;Co&quot;&gt;" in html
        assert "<Ämter" not in html
    finally:
        hooks.navigation.disconnect(dispatch_uid="tests.layout.odd")
    # Without the receiver, the kept items are the others again (the receivers are part
    # of the key).
    items = layout.navigation_items(_request("/", UserFactory()), RoleSet(frozenset(), {}))
    assert all("Ämter" not in str(i["label"]) for i in items)


def test_the_context_processor_gives_the_items(client):
    user = UserFactory()
    request = _request("/home/", user)
    context = navigation(request)
    assert [i["url"] for i in context["nav_items"]][0] == "/home/"
    assert context["nav_items"][0]["current"] is True
