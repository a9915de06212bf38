"""The library in a browser, with axe on every page: a visitor searches and downloads; the
MLUK's office writes a blueprint (errors, preview, save), uploads a file (a refused one
first), publishes it; in German and English."""

import pytest

from blueprints import samples
from blueprints.models import Blueprint, BlueprintFileVersion

pytestmark = pytest.mark.browser

LANGUAGES = [("de", "Deutsch"), ("en", "English")]


def _in_language(visitor, code, label):
    if visitor.html_lang() != code:
        visitor.switch_language(label)
    assert visitor.html_lang() == code


@pytest.mark.parametrize(("code", "label"), LANGUAGES)
def test_a_visitor_searches_filters_and_downloads(demo_world, visitor, code, label):
    visitor.goto("/blueprints/")
    _in_language(visitor, code, label)
    form = visitor.page.locator("main form[role='search']")
    form.locator("input[name='q']").fill("Prototyp")
    visitor.submit(form.locator("[type='submit']"))
    cards = visitor.page.locator("main .kern-card")
    assert cards.count() == 2  # the workshop in German and in English
    visitor.goto("/blueprints/?category=template")
    assert visitor.page.locator("main .kern-card").count() == 1
    visitor.goto("/blueprints/categories/")
    visitor.goto("/blueprints/design-thinking-workshop/")
    assert visitor.page.locator("main table").count() == 1  # the agenda
    link = visitor.page.locator("main a[href*='/download/']").first
    with visitor.page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "Ablaufplan Design Thinking Workshop.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"


@pytest.mark.parametrize(("code", "label"), LANGUAGES)
def test_the_office_writes_a_blueprint_with_a_file(demo_world, visitor, code, label, tmp_path):
    visitor.login("office@mluk.example")
    _in_language(visitor, code, label)
    visitor.goto("/blueprints/")
    visitor.submit(visitor.page.locator("main a[href='/blueprints/new/']"))
    form = visitor.page.locator("main form[method='post']")

    # Sent empty: the error summary takes the focus, the fields say what is missing.
    visitor.submit(form.locator("button[type='submit']:not([name])"))
    assert visitor.page.locator("main .pio-error-summary").first.is_visible()
    assert visitor.page.locator("main [aria-invalid='true']").count() >= 2

    form = visitor.page.locator("main form[method='post']")
    form.locator("input[name='title']").fill("Kollegiale Fallberatung")
    form.locator("textarea[name='summary']").fill("Beratung unter Gleichen.")
    form.locator("textarea[name='body']").fill("# Ablauf\n\n1. Fall schildern\n2. Fragen")
    form.locator("input[name='duration_minutes']").fill("90")
    visitor.submit(form.locator("button[name='preview']"))
    preview = visitor.page.locator("main #preview-heading + p + .pio-markdown")
    assert preview.locator("h2", has_text="Ablauf").count() == 1
    assert not Blueprint.objects.filter(title="Kollegiale Fallberatung").exists()

    form = visitor.page.locator("main form[method='post']")
    visitor.submit(form.locator("button[type='submit']:not([name])"))
    assert visitor.path == "/blueprints/kollegiale-fallberatung/"

    # A macro-enabled document posing as DOCX is refused with a message; a PDF is taken.
    visitor.submit(visitor.page.locator("main a[href$='/files/new/']"))
    bad = tmp_path / "makro.docx"
    bad.write_bytes(
        samples.docx_bytes("x", main_type="application/vnd.ms-word.document.macroEnabled.main+xml")
    )
    form = visitor.page.locator("main form[method='post']")
    form.locator("input[type='file']").set_input_files(str(bad))
    visitor.submit(form.locator("button[type='submit']"))
    assert visitor.page.locator("main [aria-invalid='true']").count() == 1
    good = tmp_path / "Ablauf.pdf"
    good.write_bytes(samples.pdf_bytes("Ablauf", ["Fall schildern, Fragen, Hypothesen."]))
    form = visitor.page.locator("main form[method='post']")
    form.locator("input[name='title']").fill("Ablauf")
    form.locator("input[type='file']").set_input_files(str(good))
    visitor.submit(form.locator("button[type='submit']"))
    assert visitor.path == "/blueprints/kollegiale-fallberatung/"
    assert (
        BlueprintFileVersion.objects.filter(
            blueprint_file__blueprint__slug="kollegiale-fallberatung"
        ).count()
        == 1
    )

    visitor.submit(visitor.page.locator("main form[action$='/publish/'] button"))
    assert Blueprint.objects.get(slug="kollegiale-fallberatung").is_published


def test_a_signed_in_reader_makes_a_handbook(demo_world, visitor):
    visitor.login("office@mik.example")
    visitor.goto("/blueprints/?category=method")
    visitor.page.locator("main input[name='ids']").first.check()
    visitor.page.locator("main input[name='ids']").nth(1).check()
    visitor.submit(visitor.page.locator("main form[action='/blueprints/handbook/'] button"))
    assert visitor.path.startswith("/jobs/")
    link = visitor.page.locator("main a[href$='/download/']")
    link.wait_for()
    with visitor.page.expect_download() as info:
        link.first.click()
    with open(info.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
