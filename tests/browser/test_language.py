"""The language switch: German by default, English on request, remembered for a person."""

import pytest

from pioneer.models import User

pytestmark = pytest.mark.browser


def _footer(visitor):
    return visitor.page.locator("body > footer").inner_text()


def test_the_language_switch_changes_the_page_and_back(demo_world, visitor):
    visitor.goto("/")
    assert visitor.html_lang() == "de"
    assert "Erklärung zur Barrierefreiheit" in _footer(visitor)

    visitor.switch_language("English")
    assert visitor.path == "/"
    assert visitor.html_lang() == "en"
    assert "Accessibility statement" in _footer(visitor)
    assert "Erklärung zur Barrierefreiheit" not in _footer(visitor)
    pressed = visitor.page.locator("form.pio-lang-switch button[aria-pressed='true']")
    assert pressed.inner_text().strip() == "English"

    # The choice holds on the next page, too.
    visitor.goto("/barrierefreiheit/")
    assert visitor.html_lang() == "en"
    assert visitor.page.locator("main h1").inner_text() == "Accessibility statement"
    # German names of German law and offices stay German, and say so (WCAG 3.1.2).
    german = visitor.page.locator("main [lang='de']").all_inner_texts()
    assert "Barrierefreie-Informationstechnik-Verordnung" in german

    visitor.switch_language("Deutsch")
    assert visitor.path == "/barrierefreiheit/"
    assert visitor.html_lang() == "de"
    assert visitor.page.locator("main h1").inner_text() == "Erklärung zur Barrierefreiheit"


def test_a_signed_in_persons_choice_is_remembered(demo_world, visitor_factory):
    first = visitor_factory()
    first.login("anna@mluk.example")
    assert first.html_lang() == "de"
    first.switch_language("English")
    assert first.path == "/home/"
    assert first.html_lang() == "en"
    assert User.objects.get(email="anna@mluk.example").language == "en"

    # Another browser, without the cookie: the preference comes with the person.
    second = visitor_factory()
    second.goto("/")
    assert second.html_lang() == "de"
    second.login("anna@mluk.example")
    assert second.path == "/home/"
    assert second.html_lang() == "en"
    assert "My overview" in second.page.locator("title").inner_text()
