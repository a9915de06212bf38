"""A participant's timeline (My tandem) in a real browser: axe finds nothing serious
(the Visitor audits every page), every link and button is reached by keyboard, the
print stylesheet puts it on one page, and on a 320-pixel phone nothing scrolls
sideways. Then Anna makes her calendar link in one click and a calendar parser reads it."""

import io

import pytest
from icalendar import Calendar
from pypdf import PdfReader

pytestmark = pytest.mark.browser

FOCUSABLE_IN_MAIN = """() => Array.from(document.querySelectorAll(
    'main a[href], main button:not([hidden]), main input:not([type=hidden])'
)).filter(el => el.offsetParent !== null).map(el => el.outerHTML.slice(0, 80))"""
ACTIVE_IN_MAIN = """() => {
    const el = document.activeElement;
    return el && el.closest('main') ? el.outerHTML.slice(0, 80) : null;
}"""


def _open_timeline(visitor):
    visitor.login("anna@mluk.example")
    visitor.goto("/tandem/")
    page = visitor.page
    # Where she is now, in words; the picture hidden from screen readers; today once in
    # the ordered list of her dates.
    assert page.locator(".pio-now").first.is_visible()
    assert page.locator("svg.pio-timeline__picture").first.get_attribute("aria-hidden") == "true"
    assert page.locator("ol.pio-dates__list > li.pio-dates__today").count() == 1
    assert page.locator("ol.pio-dates__list > li").count() > 5
    return page


def test_the_timeline_by_keyboard_and_on_one_printed_page(demo_world, visitor_factory):
    visitor = visitor_factory(viewport={"width": 1280, "height": 900})
    page = _open_timeline(visitor)

    # Every link and button of the page's content is reached with Tab, in order.
    wanted = page.evaluate(FOCUSABLE_IN_MAIN)
    assert wanted
    page.locator("a.pio-skip-link").focus()
    page.keyboard.press("Enter")
    reached = []
    for _ in range(len(wanted) + 5):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE_IN_MAIN)
        if active is None:
            break
        reached.append(active)
    assert reached == wanted

    # Printed: no navigation, no forms; the whole page on one A4 sheet.
    page.emulate_media(media="print")
    assert not page.locator("nav.pio-nav").is_visible()
    assert page.locator("svg.pio-timeline__picture").first.is_visible()
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Ben Brandt" in text


def test_the_timeline_on_a_phone(demo_world, visitor_factory):
    visitor = visitor_factory(viewport={"width": 320, "height": 640}, is_mobile=True)
    page = _open_timeline(visitor)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, width
    picture = page.locator("svg.pio-timeline__picture").first.bounding_box()
    assert picture["x"] >= 0 and picture["x"] + picture["width"] <= 320


def test_anna_makes_her_calendar_link_in_one_click(demo_world, visitor_factory):
    visitor = visitor_factory(viewport={"width": 1280, "height": 900})
    visitor.login("anna@mluk.example")
    visitor.goto("/tandem/")
    with visitor.page.expect_navigation():
        visitor.page.locator("main a[href='/calendar/']").click()
    visitor.audit()
    visitor.submit(visitor.page.locator("main form[action='/calendar/link/'] button"))
    url = visitor.page.locator("#feed-url").input_value()
    assert url.endswith(".ics")
    path = "/calendar/" + url.rsplit("/calendar/", 1)[1]
    # The calendar program has no session: a fresh request context.
    response = visitor.page.context.browser.new_context().request.get(visitor.url(path))
    assert response.status == 200
    cal = Calendar.from_ical(response.body())
    titles = [str(event["SUMMARY"]) for event in cal.walk("VEVENT")]
    assert len(titles) >= 9  # two phases, seven milestones, her events
