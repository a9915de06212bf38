"""Certificates and the network of pioneers in the browser, on a phone-sized screen: the
office's Certificates tab of the closed pilot, the public check of a code (valid, then an
error state), Anna's network with a topic filter, joining as another participant, and
leaving. axe-core audits every page on the way (tests/browser/conftest.py)."""

import pytest

from cohorts.models import Cohort
from companion.models import Certificate, NetworkEntry

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def _assert_fits(visitor):
    width = visitor.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{visitor.path} is {width}px wide"


def test_the_office_sees_the_pilots_certificates_and_anyone_checks_one(demo_world, visitor_factory):
    pilot = Cohort.objects.get(programme__slug="pioneer4bb", slug="pilot")
    certificate = Certificate.objects.filter(participation__cohort=pilot).first()
    visitor = visitor_factory(viewport=PHONE)
    visitor.login("office@mluk.example")
    visitor.goto(f"/cohorts/{pilot.pk}/certificates/")
    _assert_fits(visitor)
    assert visitor.page.locator(f"main a[href$='/certificates/{certificate.pk}/download/']").count()
    anyone = visitor_factory(viewport=PHONE)
    anyone.goto(f"/certificates/check/?code={certificate.printed_code}")
    assert anyone.page.locator("main .kern-alert--success").is_visible()
    assert certificate.holder_name in anyone.page.locator("main").inner_text()
    _assert_fits(anyone)
    anyone.goto("/certificates/check/?code=nonsense", expect_status=400)
    assert anyone.page.locator("main [aria-invalid='true']").count() == 1


def test_joining_searching_and_leaving_the_network(demo_world, visitor_factory):
    anna = visitor_factory(viewport=PHONE)
    anna.login("anna@mluk.example")
    anna.goto("/network/")
    assert "Paul" in anna.page.locator("main").inner_text()
    anna.goto("/network/?topic=Klimaschutz")
    _assert_fits(anna)
    clara = visitor_factory(viewport=PHONE)
    clara.login("clara@mluk.example")
    clara.goto("/network/")
    assert "Paul" not in clara.page.locator("main").inner_text()
    clara.goto("/network/join/")
    clara.page.fill("#id_topics", "Open Data, Vergabe")
    clara.submit(clara.page.locator("main form button[type='submit']"))
    assert NetworkEntry.objects.filter(user__email="clara@mluk.example").exists()
    assert "Paul" in clara.page.locator("main").inner_text()
    clara.goto("/network/leave/")
    clara.submit(clara.page.locator("main form button[type='submit']"))
    assert not NetworkEntry.objects.filter(user__email="clara@mluk.example").exists()
    _assert_fits(clara)
