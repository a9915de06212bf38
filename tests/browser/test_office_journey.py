"""The programme office's main journey, in German and in English: sign in, open a cohort
page from the home, switch its tabs, accept a registration through the check page, import
people from a small CSV with a preview and held invitations, send one invitation at once
and the others after their check page, and close the cohort through its confirmation.

Every page is audited by axe (the `Visitor`) and checked for the other language's
interface text (`tests/browser/language.py`). With PIONEER_SCREENSHOTS=1 the English run
saves the README's screenshots into docs/screenshots/ (otherwise into a temporary folder,
so the code that makes them runs every time).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from cohorts.models import Cohort, InterestRegistration, Participation
from pioneer.models import Notification
from tests.browser.language import watch_language

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
CSV = (
    "Name;E-Mail;Seite;Organisation;Sprache\r\n"
    "Jana Journey;jana.journey@mluk.example;Verwaltung;{org};de\r\n"
    "John Journey;john.journey@mluk.example;Verwaltung;{org};en\r\n"
)


def _text(code, message, **values):
    with translation.override(code):
        return translation.gettext(message) % values if values else translation.gettext(message)


def _main(visitor):
    return visitor.page.locator("main").inner_text()


def _shoot(visitor, folder, name):
    visitor.page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


@pytest.mark.parametrize(("code", "label"), LANGUAGES)
def test_the_offices_main_journey(demo_world, visitor_factory, tmp_path, code, label):
    visitor = visitor_factory(viewport={"width": 1280, "height": 900})
    folder = SCREENSHOTS if os.environ.get("PIONEER_SCREENSHOTS") and code == "en" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    watch_language(visitor)
    visitor.login("office@mluk.example")
    if visitor.html_lang() != code:
        visitor.switch_language(label)
    assert visitor.html_lang() == code
    start = len(visitor.audited)
    cohort = Cohort.objects.get(slug="durchgang-3")

    # The home answers "what now?" and leads to the one cohort page.
    visitor.goto("/home/")
    _shoot(visitor, folder, "office-home")
    visitor.submit(visitor.page.locator("main a", has_text=cohort.title).first)
    assert visitor.path == f"/cohorts/{cohort.pk}/"
    _shoot(visitor, folder, "cohort-overview")

    # The tabs: participants, registrations, back to the overview.
    tabs = visitor.page.locator("nav.pio-tabs")
    visitor.submit(tabs.locator("a[href$='/participants/']"))
    assert visitor.page.locator("nav.pio-tabs [aria-current='page']").count() == 1
    visitor.submit(visitor.page.locator("nav.pio-tabs a[href$='/registrations/']"))
    _shoot(visitor, folder, "cohort-registrations")

    # Review and accept a registration through the check page.
    registration = InterestRegistration.objects.get(
        cohort=cohort, organisation_name="Gemeinwohl Lab e. V."
    )
    visitor.submit(visitor.page.locator(f"main a[href='/registrations/{registration.pk}/']").first)
    decide = visitor.page.locator("main form[action$='/decide/']")
    decide.locator("input[name='decision'][value='accept']").check()
    decide.locator("input[name='choice']:not([value='new'])").first.check()
    visitor.submit(decide.locator("button[type='submit']"))
    assert registration.contact_email in _main(visitor)  # the check page, e-mail shown
    registration.refresh_from_db()
    assert registration.state == "confirmed"  # nothing happened yet
    visitor.submit(visitor.page.locator("main form[action$='/decide/'] button[type='submit']"))
    registration.refresh_from_db()
    assert registration.state == "accepted"
    following = InterestRegistration.objects.get(
        cohort=cohort, organisation_name="Landesamt für Umwelt"
    )
    # On to the next registration to review.
    assert visitor.page.locator(f"a[href='/registrations/{following.pk}/']").count() >= 1

    # Import two people with a preview, holding their invitations.
    upload = tmp_path / "people.csv"
    upload.write_text(CSV.format(org=cohort.programme.organisation.name), encoding="utf-8")
    visitor.goto(f"/cohorts/{cohort.pk}/participants/import/")
    visitor.page.locator("main input[type='file']").set_input_files(str(upload))
    visitor.submit(visitor.page.locator("main form button[type='submit']"))
    assert "Jana Journey" in _main(visitor)
    # The invitation as Jana will read it (German), marked with its language.
    assert visitor.page.locator("main dd[lang='de']").count() == 2
    visitor.page.locator("main input[name='hold_invitations']").check()
    visitor.submit(visitor.page.locator("main form button[type='submit']"))
    held = Participation.objects.filter(cohort=cohort, invitation_held=True)
    assert held.count() == 2
    assert not Notification.objects.filter(recipient__email__endswith="journey@mluk.example")

    # Send John's invitation at once from his page (the "invite again" button).
    john = held.get(user__email="john.journey@mluk.example")
    visitor.goto(f"/cohorts/{cohort.pk}/participants/{john.pk}/")
    visitor.submit(visitor.page.locator("main form[action$='/invite-again/'] button"))
    assert Notification.objects.filter(recipient=john.user, kind="account.invitation").count() == 1

    # The other held invitation: its check page counts one e-mail and previews it.
    visitor.goto(f"/cohorts/{cohort.pk}/participants/")
    visitor.submit(visitor.page.locator("main form[action$='/send-invitations/'] button"))
    one = translation.override(code)
    with one:
        counted = translation.ngettext(
            "%(counter)s e-mail will be sent.", "%(counter)s e-mails will be sent.", 1
        ) % {"counter": 1}
    assert counted in _main(visitor)
    assert not Notification.objects.filter(recipient__email="jana.journey@mluk.example")
    visitor.submit(visitor.page.locator("main form[action$='/send-invitations/'] button"))
    assert not held.exists()
    assert Notification.objects.filter(recipient__email="jana.journey@mluk.example").count() == 1

    # Close the cohort early through its check page: warnings first, then the move.
    visitor.goto(f"/cohorts/{cohort.pk}/")
    form = visitor.page.locator("main form[action$='/stage/']")
    form.locator("select[name='to_state']").select_option("closed")
    form.locator("textarea[name='note']").fill("Journey")
    visitor.submit(form.locator("button[type='submit']"))
    warnings = visitor.page.locator("main .kern-alert--warning li")
    assert warnings.count() >= 3  # ends early, window open, a registration to review
    _shoot(visitor, folder, "close-cohort-check")
    cohort.refresh_from_db()
    assert cohort.state == "open"
    visitor.submit(visitor.page.locator("main form[action$='/stage/'] button[type='submit']"))
    cohort.refresh_from_db()
    assert (cohort.state, cohort.closed_reason) == ("closed", "Journey")
    assert visitor.path == f"/cohorts/{cohort.pk}/"
    assert {lang for _path, lang in visitor.audited[start:]} == {code}


@pytest.mark.parametrize(("code", "label"), LANGUAGES)
def test_a_change_of_status_is_checked_first_and_can_be_undone(demo_world, visitor, code, label):
    watch_language(visitor)
    visitor.login("office@mluk.example")
    if visitor.html_lang() != code:
        visitor.switch_language(label)
    cohort = Cohort.objects.get(slug="durchgang-3")
    visitor.goto(f"/cohorts/{cohort.pk}/")
    form = visitor.page.locator("main form[action$='/stage/']")
    form.locator("select[name='to_state']").select_option("matching")
    visitor.submit(form.locator("button[type='submit']"))
    undo_hint = _text(
        code, "You can undo this change on the overview for %(minutes)s minutes.", minutes=10
    )
    assert undo_hint in _main(visitor)
    cohort.refresh_from_db()
    assert cohort.state == "open"
    visitor.submit(visitor.page.locator("main form[action$='/stage/'] button[type='submit']"))
    cohort.refresh_from_db()
    assert cohort.state == "matching"
    # The overview offers the way back, by keyboard too (a button in a form).
    undo = visitor.page.locator("main form[action$='/stage/undo/'] button")
    undo.focus()
    visitor.press("Enter")
    cohort.refresh_from_db()
    assert cohort.state == "open"
    assert visitor.page.locator("main form[action$='/stage/undo/']").count() == 0
