"""Reports of barriers from the accessibility statement's feedback form."""

from django.conf import settings
from django.db import transaction

from pioneer.models import BarrierReport
from pioneer.services.notifications import mail_schedule


@transaction.atomic
def barrier_report_submit(*, page, description, name="", email="", language="de"):
    """Record a reported barrier and tell the accessibility contact.

    Side effects: one plain-text e-mail (German and English, the contact may read either)
    to settings.ACCESSIBILITY_CONTACT_EMAIL in the ledger, sent after commit or by the
    dispatcher; replies go to the reporter.
    """
    report = BarrierReport.objects.create(
        page=page, description=description, name=name, email=email, language=language
    )
    mail_schedule(
        kind="mail.barrier_report",
        to=settings.ACCESSIBILITY_CONTACT_EMAIL,
        language=settings.LANGUAGE_CODE,
        subject="Barriere gemeldet / barrier reported",
        text=(
            f"Seite / page: {page}\n\n{description}\n\n"
            f"Von / from: {name or '-'} <{email or '-'}>\n"
            f"Sprache / language: {language}\n"
            f"Nr. / no.: {report.pk}\n"
        ),
        reply_to=email,
        cause=report,
    )
    return report
