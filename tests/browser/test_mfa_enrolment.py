"""The e-mail code before a staff account enrols a second factor, through the real page:
axe-core finds nothing serious in its empty, sent and error states."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.browser


def test_office_confirms_by_e_mail_before_the_set_up(demo_world, visitor):
    visitor.login("office@mluk.example")
    visitor.goto("/accounts/2fa/totp/activate/")
    assert visitor.path.startswith("/accounts/2fa/confirm-by-email/")
    visitor.submit(visitor.page.locator("main button[name='send']"))
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    visitor.page.locator("main input[name='code']").fill(wrong)
    visitor.submit(visitor.page.locator("main button[type='submit']:not([name])"))
    assert visitor.page.locator("main [aria-invalid='true']").count() == 1
    visitor.page.locator("main input[name='code']").fill(code)
    visitor.submit(visitor.page.locator("main button[type='submit']:not([name])"))
    assert not visitor.path.startswith("/accounts/2fa/confirm-by-email/")
