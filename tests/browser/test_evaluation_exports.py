"""The evaluator's exports in a browser, with axe on every page: from the pilot's final
report they ask for the PDF and the XLSX (each a job page with its download), read what
publishing would make public, and publish; German and English."""

import pytest

from blueprints.models import Blueprint
from evaluation.models import Survey
from pioneer.models import Job

pytestmark = pytest.mark.browser

LANGUAGES = [("de", "Deutsch"), ("en", "English")]


@pytest.mark.parametrize(("code", "label"), LANGUAGES)
def test_the_evaluator_exports_and_publishes_the_report(demo_world, visitor, code, label):
    survey = (
        Survey.objects.filter(kind=Survey.Kind.FINAL, title="Abschlussbefragung")
        .order_by("cohort__start_date")
        .first()
    )
    visitor.login("evaluator@mluk.example")
    # Without a broker the jobs run inline after the request's commit: the click waits
    # for WeasyPrint on a shared machine.
    visitor.page.set_default_timeout(90_000)
    if visitor.html_lang() != code:
        visitor.switch_language(label)
    report = f"/surveys/{survey.pk}/report/"
    for action in ("report.pdf", "export.xlsx"):
        visitor.goto(report)
        visitor.submit(visitor.page.locator(f"main form[action$='/{action}'] button"))
        assert visitor.path.startswith("/jobs/")
        visitor.page.locator("main .kern-alert--success").wait_for(timeout=30_000)
        visitor.audit()
        assert visitor.page.locator("main a[href$='/download/']").count() == 1
    assert Job.objects.filter(state=Job.State.DONE).count() == 2
    visitor.goto(report)
    visitor.page.locator(f"main a[href='/surveys/{survey.pk}/publish/']").click()
    visitor.page.wait_for_url(f"**/surveys/{survey.pk}/publish/")
    visitor.audit()
    assert visitor.html_lang() == code
    visitor.submit(visitor.page.locator("main form button[type='submit']"))
    visitor.page.locator("main .kern-alert--success").wait_for(timeout=30_000)
    visitor.audit()
    blueprint = Blueprint.objects.get(category=Blueprint.Category.EVALUATION, is_public=False)
    assert f"/blueprints/{blueprint.slug}/" in visitor.page.content()
    assert blueprint.language == code
