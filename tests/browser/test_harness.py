"""The harness itself: a page reached without an axe audit does not slip through."""

import pytest

pytestmark = pytest.mark.browser


def test_a_page_visited_without_an_audit_is_caught(demo_world, visitor):
    visitor.page.goto(visitor.url("/datenschutz/"))  # no audit
    visitor.goto("/impressum/")
    with pytest.raises(AssertionError, match="without an axe audit"):
        visitor.finish()
    visitor._unaudited.clear()


def test_a_same_page_anchor_is_no_new_page(demo_world, visitor):
    visitor.goto("/")
    visitor.page.keyboard.press("Tab")
    visitor.page.keyboard.press("Enter")  # the skip link: /#main
    visitor.page.wait_for_function("() => location.hash === '#main'")
    visitor.finish()
