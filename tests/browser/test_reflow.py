"""Reflow (WCAG 1.4.10): at 320 CSS pixels wide the page needs no horizontal scrolling,
and axe-core passes at that width too (the header and navigation wrap, nothing hides)."""

import pytest

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}
PUBLIC_PAGES = [
    "/",
    "/barrierefreiheit/",
    "/datenschutz/",
    "/impressum/",
    "/leichte-sprache/",
    "/blueprints/",
]
OFFICE_PAGES = ["/home/", "/invite/", "/notifications/"]


def _assert_no_horizontal_scrolling(visitor):
    overflow = visitor.page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 3).map(el => el.tagName.toLowerCase() + '.' + el.className)"""
    )
    width = visitor.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{visitor.path} is {width}px wide: {overflow}"


def test_public_and_core_pages_reflow_at_320_pixels(demo_world, visitor_factory):
    visitor = visitor_factory(viewport=NARROW)
    for path in PUBLIC_PAGES:
        visitor.goto(path)
        _assert_no_horizontal_scrolling(visitor)
    visitor.login("office@mluk.example")
    for path in OFFICE_PAGES:
        visitor.goto(path)
        _assert_no_horizontal_scrolling(visitor)
    # Every link of the main navigation is there (wrapped, not cut off) and can be used.
    for link in visitor.page.locator("nav.pio-nav a").all():
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"]


@pytest.mark.parametrize("email", ["office@mluk.example", "contact@partner.example"])
def test_every_page_in_the_navigation_reflows_at_320_pixels(demo_world, visitor_factory, email):
    """Wide tables scroll inside their own keyboard-reachable region, not the page."""
    visitor = visitor_factory(viewport=NARROW)
    visitor.login(email)
    paths = [link.get_attribute("href") for link in visitor.page.locator("nav.pio-nav a").all()]
    assert len(paths) >= 3
    for path in paths:
        visitor.goto(path)
        _assert_no_horizontal_scrolling(visitor)
