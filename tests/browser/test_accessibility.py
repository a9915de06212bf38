"""axe-core finds no serious or critical violation, in German and English, in every role,
with forms in their error state too. (Every visit through `Visitor` runs axe; these tests
make sure the visits cover the public pages, each role's navigation and failed forms.)"""

import pytest

from tests.pages import DEMO_LOGINS, PUBLIC_PAGES

pytestmark = pytest.mark.browser

LANGUAGES = [("de", "Deutsch"), ("en", "English")]


def _in_language(visitor, code, label):
    if visitor.html_lang() != code:
        visitor.switch_language(label)
    assert visitor.html_lang() == code


@pytest.mark.parametrize(("code", "label"), LANGUAGES)
def test_public_pages(demo_world, visitor, code, label):
    visitor.goto("/")
    _in_language(visitor, code, label)
    before = len(visitor.audited)
    for path in PUBLIC_PAGES:
        visitor.goto(path)
    assert [lang for _path, lang in visitor.audited[before:]] == [code] * len(PUBLIC_PAGES)


def _own_links(visitor, selector):
    hrefs = visitor.page.locator(selector).evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [h for h in hrefs if h and h.startswith("/") and not h.startswith("//")]


@pytest.mark.parametrize("email", DEMO_LOGINS)
def test_every_page_in_each_roles_navigation(demo_world, visitor, email):
    visitor.login(email)
    for code, label in LANGUAGES:
        _in_language(visitor, code, label)
        pages = _own_links(visitor, "nav.pio-nav a") + _own_links(visitor, "main a")
        seen = set()
        for path in pages:
            path = path.split("#")[0]
            if path in seen:
                continue
            seen.add(path)
            visitor.goto(path)
            assert visitor.html_lang() == code
        visitor.goto("/home/")


def _error_summary_or_invalid_field(visitor):
    """A failed form says so: a summary at the top that takes the focus, and a field
    marked invalid whose description (the error message) exists."""
    summary = visitor.page.locator("main .pio-error-summary")
    assert summary.first.is_visible(), "no error summary"
    visitor.page.wait_for_function("() => !!document.activeElement.closest('.pio-error-summary')")
    invalid = visitor.page.locator("main [aria-invalid='true']")
    assert invalid.count() >= 1, "no field is marked aria-invalid"
    described = invalid.first.get_attribute("aria-describedby") or ""
    ids = described.split()
    assert ids, "the invalid field is not described by its error"
    for element_id in ids:
        assert visitor.page.locator(f"[id='{element_id}']").count() == 1, element_id


@pytest.mark.parametrize(("code", "label"), LANGUAGES)
def test_forms_with_errors(demo_world, visitor, code, label):
    visitor.goto("/")
    _in_language(visitor, code, label)

    # The login form, sent empty and then with a wrong password.
    visitor.goto("/accounts/login/")
    form = visitor.page.locator("form:has(input[name='password'])")
    visitor.submit(form.locator("[type='submit']").last)
    assert visitor.path.startswith("/accounts/login/")
    _error_summary_or_invalid_field(visitor)
    form.locator("input[name='login']").fill("anna@mluk.example")
    form.locator("input[name='password']").fill("wrong-password")
    visitor.submit(form.locator("[type='submit']").last)
    assert visitor.path.startswith("/accounts/login/")

    # The password reset form, sent empty.
    visitor.goto("/accounts/password/reset/")
    form = visitor.page.locator("main form:has(input[name='email'])")
    visitor.submit(form.locator("[type='submit']").last)
    _error_summary_or_invalid_field(visitor)

    # The barrier report on the accessibility statement, sent empty.
    visitor.goto("/barrierefreiheit/")
    form = visitor.page.locator("main form[action*='barrierefreiheit']")
    visitor.submit(form.locator("[type='submit']"))
    assert visitor.html_lang() == code
    _error_summary_or_invalid_field(visitor)

    # The invitation form of the programme office, sent empty.
    visitor.login("office@mluk.example")
    _in_language(visitor, code, label)
    visitor.goto("/invite/")
    form = visitor.page.locator("main form")
    visitor.submit(form.locator("[type='submit']"))
    assert visitor.path == "/invite/"
    _error_summary_or_invalid_field(visitor)
