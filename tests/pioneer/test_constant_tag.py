"""{% constant %}: the fixed parts of the shared layout are rendered once per process and
language; what may stand inside is checked when the template is read."""

import pytest
from django.template import Context, Engine, TemplateSyntaxError
from django.test import Client
from django.urls import reverse
from django.utils import translation

LIBRARIES = {"libraries": {"pioneer_text": "pioneer.templatetags.pioneer_text"}}


def _engine():
    return Engine(builtins=["django.templatetags.i18n", "django.templatetags.static"], **LIBRARIES)


def _template(body):
    return _engine().from_string("{% load pioneer_text %}" + body)


def test_it_renders_its_content_once_per_language():
    made = _template(
        '{% constant %}<a href="{% url \'landing\' %}">{% trans "Sign in" %}</a>'
        "<img src=\"{% static 'pioneer/favicon.svg' %}\">{% endconstant %}"
    )
    (node,) = [n for n in made.nodelist if n.__class__.__name__ == "ConstantNode"]
    with translation.override("de"):
        german = made.render(Context())
    with translation.override("en"):
        english = made.render(Context())
    assert f'<a href="{reverse("landing")}">Anmelden</a>' in german
    assert ">Sign in</a>" in english
    assert set(node.rendered) == {"de", "en"}
    # Rendered once: what is kept is what the next render gives, whatever the context.
    node.rendered["de"] = "kept"
    with translation.override("de"):
        assert made.render(Context({"anything": 1})) == "kept"


@pytest.mark.parametrize(
    "body",
    [
        "{{ user.name }}",
        '{% trans "Hello" as greeting %}',
        "{% trans greeting %}",
        '{% trans "Hello"|upper %}',
        "{% url 'tandems:board' cohort.pk %}",
        "{% url view_name %}",
        "{% url 'landing' as landing %}",
        "{% static path %}",
        "{% static 'x.css' as css %}",
        "{% csrf_token %}",
        "{% if user %}x{% endif %}",
        "{% blocktrans with name=user.name %}Hi {{ name }}{% endblocktrans %}",
    ],
)
def test_anything_that_could_vary_is_refused_when_the_template_is_read(body):
    with pytest.raises(TemplateSyntaxError, match="constant"):
        _template("{% constant %}" + body + "{% endconstant %}")


@pytest.mark.django_db
def test_the_layout_signed_in_and_out_in_both_languages():
    from tests.factories.core import office_user

    for language, sign_in, sign_out in (
        ("de", "Anmelden", "Abmelden"),
        ("en", "Sign in", "Sign out"),
    ):
        client = Client()
        client.cookies["django_language"] = language
        html = client.get(reverse("landing")).content.decode()
        assert f'href="{reverse("account_login")}"><span class="kern-label">{sign_in}' in html
        assert html.rstrip().endswith("</html>")
        client.force_login(office_user())
        html = client.get(reverse("home")).content.decode()
        assert f'<span class="kern-label">{sign_out}</span>' in html
        assert sign_in not in html.split("<main")[0]
        assert reverse("privacy") in html and 'name="csrfmiddlewaretoken"' in html
