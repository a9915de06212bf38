"""A visitor registers interest, confirms the e-mail link, and the office accepts it."""

import re

import pytest
from django.core import mail

from cohorts.models import Cohort, InterestRegistration
from pioneer.models import Role

pytestmark = pytest.mark.browser


def test_register_confirm_and_accept(demo_world, visitor_factory):
    mail.outbox.clear()
    guest = visitor_factory()
    guest.goto("/")
    guest.submit(guest.page.locator("main a[href^='/interest/?cohort=']").first)
    assert guest.path.startswith("/interest/")

    # Sending the empty form: an error summary, nothing saved.
    form = guest.page.locator("main form[method='post']")
    guest.submit(form.locator("button[type='submit']"))
    assert guest.page.locator(".pio-error-summary").is_visible()
    assert not InterestRegistration.objects.filter(organisation_name="Klimawerk GmbH").exists()

    form = guest.page.locator("main form[method='post']")
    form.get_by_label(Cohort.objects.get(slug="durchgang-3").title).check()
    form.locator("input[name='organisation_name']").fill("Klimawerk GmbH")
    form.locator("input[name='organisation_kind'][value='company']").check()
    form.locator("input[name='street']").fill("Am Markt 3")
    form.locator("input[name='postcode']").fill("03046")
    form.locator("input[name='city']").fill("Cottbus")
    form.locator("input[name='contact_name']").fill("Kira Klima")
    form.locator("input[name='contact_email']").fill("kira@klimawerk.example")
    form.locator("input[name='places_send']").fill("1")
    form.locator("input[name='places_host']").fill("2")
    form.locator("textarea[name='topics_offered']").fill("Energiewende, Datenanalyse")
    form.locator("input[name='privacy']").check()
    guest.submit(form.locator("button[type='submit']"))
    assert guest.path == "/interest/sent/"
    assert "kira@klimawerk.example" in guest.page.locator("main").inner_text()

    registration = InterestRegistration.objects.get(organisation_name="Klimawerk GmbH")
    assert registration.state == "unconfirmed"
    message = next(m for m in mail.outbox if m.to == ["kira@klimawerk.example"])
    link = re.search(r"/interest/confirm/[\w-]+/", message.body).group(0)

    guest.goto(link)
    guest.submit(guest.page.locator("main form button[type='submit']"))
    assert "bestätigt" in guest.page.locator("main").inner_text()
    registration.refresh_from_db()
    assert registration.state == "confirmed"

    office = visitor_factory()
    office.login("office@mluk.example")
    office.goto("/registrations/?state=confirmed")
    office.submit(office.page.get_by_role("link", name="Klimawerk GmbH"))
    decide = office.page.locator("main form[action$='/decide/']")
    decide.locator("input[name='decision'][value='accept']").check()
    decide.locator("input[name='choice'][value='new']").check()
    office.submit(decide.locator("button[type='submit']"))
    # The check page shows the e-mail before anything happens.
    assert "kira@klimawerk.example" in office.page.locator("main").inner_text()
    office.submit(office.page.locator("main form[action$='/decide/'] button[type='submit']"))
    assert "Angenommen" in office.page.locator("main").inner_text()

    registration.refresh_from_db()
    assert registration.state == "accepted"
    assert registration.decided_by.email == "office@mluk.example"
    assert Role.objects.filter(
        kind="partner", organisation=registration.organisation, user__email="kira@klimawerk.example"
    ).exists()


def test_office_pages_pass_axe_including_error_states(demo_world, visitor):
    visitor.login("office@mluk.example")
    visitor.goto("/programmes/")
    visitor.submit(visitor.page.get_by_role("link", name="pioneer4BB"))
    running = Cohort.objects.get(slug="durchgang-2")
    visitor.submit(visitor.page.get_by_role("link", name=running.title))
    # Ending a running cohort without a reason: refused, with the reason why.
    form = visitor.page.locator("main form[action$='/stage/']")
    form.locator("select[name='to_state']").select_option("closed")
    visitor.submit(form.locator("button[type='submit']"))
    assert visitor.page.locator(".pio-error-summary").is_visible()
    visitor.goto("/programmes/new/")
    visitor.submit(visitor.page.locator("main form button[type='submit']"))
    assert visitor.page.locator(".pio-error-summary").is_visible()
    visitor.goto("/programmes/pioneer4bb/cohorts/new/")
    registration = InterestRegistration.objects.filter(state="confirmed").first()
    visitor.goto(f"/registrations/{registration.pk}/")
    decide = visitor.page.locator("main form[action$='/decide/']")
    decide.locator("input[name='decision'][value='decline']").check()
    visitor.submit(decide.locator("button[type='submit']"))
    assert visitor.page.locator(".pio-error-summary").is_visible()
    registration.refresh_from_db()
    assert registration.state == "confirmed"
