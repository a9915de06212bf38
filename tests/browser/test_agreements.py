"""The hospitation agreements in the browser (axe runs on every visit, German and English):
Anna reads her confirmed agreement, the office fails and records a paper signature, and
Clara's host contact confirms through the personal link of the demo world."""

import pytest

from tandems.demo import CLARA_HOST_TOKEN
from tandems.models import AgreementConfirmation, HospitationPhase

pytestmark = pytest.mark.browser


def _submit_slow(visitor, button):
    """Submit a form whose request makes the agreement's PDFs: without a broker (the
    live server) the job runs inline after the commit, which takes a while."""
    with visitor.page.expect_navigation(timeout=180_000):
        button.click(timeout=180_000)
    visitor.audit()


def test_a_participant_reads_the_confirmed_agreement(demo_world, visitor):
    phase = HospitationPhase.objects.get(
        tandem__administration__user__email="anna@mluk.example", number=1
    )
    visitor.login("anna@mluk.example")
    visitor.goto(f"/tandem/agreements/{phase.pk}/")
    assert "Paula Partner" in visitor.page.locator("main").inner_text()
    visitor.switch_language("English")
    visitor.goto(f"/tandem/agreements/{phase.pk}/")
    assert "All three parties have confirmed" in visitor.page.locator("main").inner_text()


def test_the_office_records_a_paper_signature(demo_world, visitor):
    phase = HospitationPhase.objects.get(
        tandem__administration__user__email="clara@mluk.example", number=2
    )
    visitor.login("office@mluk.example")
    visitor.goto(f"/tandem/agreements/{phase.pk}/")
    visitor.goto(f"/tandem/agreements/{phase.pk}/edit/")
    visitor.goto(f"/tandem/agreements/{phase.pk}/paper/")
    form = visitor.page.locator("main form[enctype]")
    visitor.submit(form.locator("button[type='submit']"))  # the box not ticked
    assert visitor.page.locator(".pio-error-summary").is_visible()
    form = visitor.page.locator("main form[enctype]")
    form.locator("input[name='confirm']").check()
    _submit_slow(visitor, form.locator("button[type='submit']"))
    assert visitor.path == f"/tandem/agreements/{phase.pk}/"
    assert AgreementConfirmation.objects.filter(phase=phase, via_paper=True).count() == 3
    visitor.goto(f"/tandem/programmes/{phase.tandem.cohort.programme_id}/agreement-text/")


def test_the_host_contact_confirms_by_link(demo_world, visitor):
    visitor.goto(f"/agreement/{CLARA_HOST_TOKEN}/")
    form = visitor.page.locator("main form")
    form.locator("input[name='agree']").check()
    visitor.submit(form.locator("button[type='submit']"))  # the checklist not ticked
    assert visitor.page.locator(".pio-error-summary").is_visible()
    form = visitor.page.locator("main form")
    for box in form.locator("input[name='checklist']").all():
        box.check()
    form.locator("input[name='agree']").check()
    _submit_slow(visitor, form.locator("button[type='submit']"))
    assert visitor.page.locator("main .kern-alert--success").is_visible()
    visitor.goto(f"/agreement/{CLARA_HOST_TOKEN}/")
    assert AgreementConfirmation.objects.filter(via_link=True, party="host").exists()


def test_a_partner_contact_sees_the_organisations_tandems(demo_world, visitor):
    visitor.login("contact@partner.example")
    visitor.goto("/tandem/partner/")
    assert "Anna Albrecht" in visitor.page.locator("main").inner_text()
