"""Every data table sits in a scroll region of its own (WCAG 1.4.10, reflow at 320 pixels).

A wide table must scroll inside a labelled, focusable region rather than widen the page.
The check reads the templates themselves, so a table in a partial or on a page no walk
reaches is held to it as well; print layouts (PDFs, print views) are exempt.
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.test_languages import VOID_TAGS as VOID

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = []
        self.unwrapped = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag == "table" and "kern-table" in classes and "pio-print-table" not in classes:
            region = next(
                (
                    a
                    for t, a in reversed(self.stack)
                    if t == "div" and "kern-table-responsive" in (a.get("class") or "").split()
                ),
                None,
            )
            if (
                region is None
                or region.get("role") != "region"
                or region.get("tabindex") != "0"
                or not (region.get("aria-labelledby") or region.get("aria-label"))
            ):
                self.unwrapped.append(self.getpos()[0])
        if tag not in VOID:
            self.stack.append((tag, values))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return


def _screen_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        if "kern-table" in text and "@page" not in text and "pdf" not in path.name:
            yield path


def test_the_check_sees_templates_with_tables():
    names = {p.relative_to(TEMPLATES).as_posix() for p in _screen_templates()}
    assert {"tandems/agreements/partner_tandems.html", "evaluation/_bars.html"} <= names


def test_the_parser_finds_an_unwrapped_table():
    parser = _Tables()
    parser.feed(
        '<div><table class="kern-table"></table></div>'
        '<div class="kern-table-responsive"><table class="kern-table"></table></div>'
    )
    assert parser.unwrapped == [1, 1]


@pytest.mark.parametrize(
    "path", list(_screen_templates()), ids=lambda p: p.relative_to(TEMPLATES).as_posix()
)
def test_every_table_scrolls_in_a_labelled_region(path):
    parser = _Tables()
    parser.feed(path.read_text())
    assert parser.unwrapped == [], (
        f"{path.name}: tables on lines {parser.unwrapped} are not in a labelled scroll region"
    )
