"""Each demo login signs in through the real login form and reaches its home page."""

import pytest

from tests.browser.conftest import DEMO_LOGINS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("email", DEMO_LOGINS)
def test_each_demo_login_reaches_its_home_page(demo_world, visitor, email):
    visitor.login(email)

    assert visitor.path == "/home/"
    assert DEMO_LOGINS[email] in visitor.page.locator("body > header").inner_text()
    first_name = DEMO_LOGINS[email].split()[0]
    assert first_name in visitor.page.locator("main h1").inner_text()


def test_a_wrong_password_keeps_the_visitor_on_the_login_form(demo_world, visitor):
    visitor.login("anna@mluk.example", password="not-the-password")

    assert visitor.path.startswith("/accounts/login/")
    assert visitor.page.locator("input[name='password']").count() == 1
    assert "Anna Albrecht" not in visitor.page.locator("body > header").inner_text()


def test_signing_in_leads_back_to_the_page_asked_for(demo_world, visitor):
    visitor.goto("/notifications/")  # anonymous: the login form, with ?next=
    assert visitor.path == "/accounts/login/?next=/notifications/"
    form = visitor.page.locator("form:has(input[name='password'])")
    form.locator("input[name='login']").fill("clara@mluk.example")
    form.locator("input[name='password']").fill("pioneer-demo")
    visitor.submit(form.locator("[type='submit']").last)

    assert visitor.path == "/notifications/"
