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


def test_a_barrier_can_be_reported_by_keyboard_alone(demo_world, visitor):
    from pioneer.models import BarrierReport

    visitor.goto("/barrierefreiheit/")
    page = visitor.page
    # Labels are wired to their fields: focusing by label is what a screen reader offers.
    page.get_by_label("Seite oder Funktion").focus()
    page.keyboard.type("/impressum/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "description"
    page.keyboard.type("Der Kontrast ist zu gering.")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type") == "submit":
            break
    else:
        pytest.fail("the submit button cannot be reached with Tab")
    visitor.press("Enter")

    assert visitor.path == "/barrierefreiheit/"
    status = page.locator("main [role='status']")
    assert "Vielen Dank" in status.inner_text()
    report = BarrierReport.objects.get()
    assert report.page == "/impressum/"
    assert report.language == "de"


def _tab_through(visitor, limit=80):
    """Tab through the whole page; every stop must show where the focus is."""
    page = visitor.page
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """async () => {
                // KERN scrolls smoothly: wait until the scroll to the focus has settled.
                let last = -1, still = 0;
                for (let i = 0; i < 120 && still < 3; i++) {
                    await new Promise(r => requestAnimationFrame(r));
                    still = window.scrollY === last ? still + 1 : 0;
                    last = window.scrollY;
                }
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                const s = getComputedStyle(el);
                const r = el.getBoundingClientRect();
                return {
                    what: el.tagName.toLowerCase() + (el.name ? '[name=' + el.name + ']' : '')
                        + (el.getAttribute('href') ? '[href=' + el.getAttribute('href') + ']' : ''),
                    ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                        || s.boxShadow !== 'none',
                    inView: r.width > 0 && r.height > 0 && r.bottom > 0
                        && r.top < window.innerHeight,
                };
            }"""
        )
        if info is None or (seen and info["what"] == seen[0]["what"]):
            break  # back at the start: the whole page has been visited
        seen.append(info)
    assert seen, "nothing on the page takes the focus"
    hidden = [s for s in seen if not (s["ring"] and s["inView"])]
    assert hidden == [], f"{visitor.path}: focus not visible on {hidden}"
    return seen


@pytest.mark.parametrize("path", ["/", "/barrierefreiheit/", "/accounts/login/"])
def test_every_tab_stop_shows_the_focus_on_public_pages(demo_world, visitor, path):
    visitor.goto(path)
    _tab_through(visitor)


def test_every_tab_stop_shows_the_focus_when_signed_in(demo_world, visitor):
    visitor.login("office@mluk.example")
    stops = _tab_through(visitor)
    assert any("[href=/invite/]" in stop["what"] for stop in stops)
    visitor.goto("/invite/")
    _tab_through(visitor)
