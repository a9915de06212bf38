"""Everything works by keyboard: the skip link first, then the main navigation."""

import pytest

pytestmark = pytest.mark.browser

ACTIVE = """() => {
    const el = document.activeElement;
    return {tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute('href'),
            cls: el.className, inNav: !!el.closest('nav.pio-nav')};
}"""
FOCUS_VISIBLE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return outline || style.boxShadow !== 'none';
}"""


def _skip_link_check(visitor):
    visitor.page.keyboard.press("Tab")
    active = visitor.page.evaluate(ACTIVE)
    assert active["tag"] == "a" and active["href"] == "#main", active

    link = visitor.page.locator("a.pio-skip-link")
    assert link.is_visible()
    box = link.bounding_box()
    viewport = visitor.page.viewport_size
    assert box is not None and box["y"] >= 0 and box["x"] >= 0
    assert box["y"] + box["height"] <= viewport["height"]
    assert box["width"] > 20 and box["height"] > 10
    assert visitor.page.evaluate(FOCUS_VISIBLE)

    visitor.page.keyboard.press("Enter")
    visitor.page.wait_for_function("() => document.activeElement.id === 'main'")
    assert visitor.page.url.endswith("#main")
    # Out of view again once it has lost focus.
    assert link.bounding_box()["y"] < 0


def test_the_skip_link_is_the_first_tab_stop_and_leads_to_main(demo_world, visitor):
    visitor.goto("/")
    _skip_link_check(visitor)

    # The next Tab goes on from the main content, not back to the header.
    visitor.page.keyboard.press("Tab")
    assert visitor.page.evaluate(
        "() => !!document.activeElement.closest('main')"
        " || !!document.activeElement.closest('footer')"
    )


def test_the_skip_link_works_for_a_signed_in_person(demo_world, visitor):
    visitor.login("office@mluk.example")
    _skip_link_check(visitor)


def test_the_main_navigation_works_by_keyboard(demo_world, visitor):
    visitor.login("office@mluk.example")
    nav_links = visitor.page.locator("nav.pio-nav a")
    assert nav_links.count() >= 2
    target = nav_links.last.get_attribute("href")
    assert target != "/home/"

    for _ in range(40):
        visitor.page.keyboard.press("Tab")
        active = visitor.page.evaluate(ACTIVE)
        if active["inNav"] and active["href"] == target:
            break
    else:
        pytest.fail(f"{target} in the main navigation cannot be reached with Tab")
    assert visitor.page.evaluate(FOCUS_VISIBLE), "the focused link shows no focus indicator"

    visitor.press("Enter")
    assert visitor.path == target
    current = visitor.page.locator("nav.pio-nav a[aria-current='page']")
    assert current.get_attribute("href") == target

    # And back to the overview, by keyboard again.
    visitor.page.locator("nav.pio-nav a[href='/home/']").focus()
    visitor.press("Enter")
    assert visitor.path == "/home/"
