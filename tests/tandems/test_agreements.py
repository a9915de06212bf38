"""The three-party hospitation agreements: confirmations (signed in, by link, on paper),
the rule that no phase starts without them, new versions after a change, invitations
through the ledger, the agreement text and its copy to an adopting programme."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cohorts import hooks as cohort_hooks
from pioneer.access import SYSTEM
from pioneer.models import Notification, OutgoingMail
from tandems import agreements, services
from tandems.models import (
    AgreementConfirmation,
    AgreementDocument,
    AgreementInvitation,
    AgreementTemplate,
    Milestone,
    Tandem,
)
from tests.factories.cohorts import ProgrammeFactory
from tests.factories.core import office_user, partner_user
from tests.factories.tandems import tandem

pytestmark = pytest.mark.django_db

Party = agreements.Party
ALL = list(agreements.CHECKLIST)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _agreed():
    t = tandem()
    for user in (t.administration.user, t.external.user):
        services.tandem_confirm(tandem=t, by=user)
    return t


def _named(phase, office):
    """The phase with a host contact (a partner contact with an account) and a sender's
    representative without an account."""
    host = partner_user(phase.host_organisation)
    agreements.phase_set_agreement(
        phase=phase,
        by=office,
        goals="Förderverfahren kennenlernen",
        host_contact=host,
        sender_contact_name="Susi Sender",
        sender_contact_email="susi@sender.example",
    )
    phase.refresh_from_db()
    return phase, host


@pytest.fixture
def setup():
    t = _agreed()
    office = office_user(t.cohort.programme.organisation)
    first, second = t.phases.order_by("number")
    first, host = _named(first, office)
    return {"tandem": t, "office": office, "phase": first, "second": second, "host": host}


def _confirm_all(phase, host, office):
    agreements.agreement_confirm(
        phase=phase, party=Party.PERSON, by=phase.guest.user, checklist=ALL
    )
    agreements.agreement_confirm(phase=phase, party=Party.HOST, by=host, checklist=ALL)
    agreements.agreement_record_paper(phase=phase, by=office)  # the sender, on paper


def test_the_phase_does_not_start_without_three_confirmations(setup):
    t, phase, host = setup["tandem"], setup["phase"], setup["host"]
    start = phase.start
    agreements.agreement_confirm(
        phase=phase, party=Party.PERSON, by=phase.guest.user, checklist=ALL
    )
    agreements.agreement_confirm(phase=phase, party=Party.HOST, by=host, checklist=ALL)
    assert services.tandems_advance(today=start) == 0
    t.refresh_from_db()
    assert t.state == Tandem.State.AGREED
    # The third party (the sending organisation) by its personal link.
    invitation = AgreementInvitation.objects.get(phase=phase, party=Party.SENDER)
    token = "known-token-for-the-test"
    AgreementInvitation.objects.filter(pk=invitation.pk).update(token_hash=agreements._hash(token))
    result, _invitation = agreements.agreement_confirm_by_link(token=token)
    assert result == agreements.LinkResult.CONFIRMED
    assert services.tandems_advance(today=start) == 1
    t.refresh_from_db()
    assert t.state == Tandem.State.PHASE_1
    assert Milestone.objects.get(tandem=t, kind=Milestone.Kind.AGREEMENT).done_at


def test_a_paper_signature_lets_the_phase_start(setup):
    t, phase = setup["tandem"], setup["phase"]
    recorded = agreements.agreement_record_paper(phase=phase, by=setup["office"])
    assert set(recorded) == set(agreements.PARTIES)
    assert all(c.via_paper for c in phase.confirmations.all())
    assert services.tandems_advance(today=phase.start) == 1
    # Phase 2 waits for its own agreement.
    assert services.tandems_advance(today=setup["second"].start) == 0
    t.refresh_from_db()
    assert t.state == Tandem.State.PHASE_1


def test_only_the_signatory_confirms_and_only_once(setup):
    phase, host = setup["phase"], setup["host"]
    with pytest.raises(ValidationError, match="do not sign"):
        agreements.agreement_confirm(phase=phase, party=Party.HOST, by=phase.guest.user)
    with pytest.raises(ValidationError, match="do not sign"):
        agreements.agreement_confirm(phase=phase, party=Party.PERSON, by=setup["office"])
    with pytest.raises(ValidationError, match="checklist"):
        agreements.agreement_confirm(
            phase=phase, party=Party.HOST, by=host, checklist=["confidentiality"]
        )
    assert not AgreementConfirmation.objects.exists()
    agreements.agreement_confirm(phase=phase, party=Party.HOST, by=host, checklist=ALL)
    with pytest.raises(ValidationError, match="already"):
        agreements.agreement_confirm(phase=phase, party=Party.HOST, by=host, checklist=ALL)
    phase.refresh_from_db()
    assert phase.host_checklist_done and not phase.guest_checklist_done
    assert phase.agreement_text_de.startswith("## Gegenstand")


def test_a_link_confirms_once_and_expires(setup):
    phase = setup["phase"]
    invitation = AgreementInvitation.objects.get(phase=phase, party=Party.SENDER)
    assert invitation.token_hash and len(invitation.token_hash) == 64
    token = "another-known-token"
    AgreementInvitation.objects.filter(pk=invitation.pk).update(token_hash=agreements._hash(token))
    later = invitation.expires_at + timedelta(seconds=1)
    assert agreements.agreement_confirm_by_link(token=token, now=later)[0] == "expired"
    assert not AgreementConfirmation.objects.exists()
    assert agreements.agreement_confirm_by_link(token="nonsense")[0] == "invalid"
    assert agreements.agreement_confirm_by_link(token=token)[0] == "confirmed"
    assert agreements.agreement_confirm_by_link(token=token)[0] == "used"
    confirmation = AgreementConfirmation.objects.get()
    assert confirmation.via_link and confirmation.name == "Susi Sender"


def test_the_host_by_link_ticks_the_checklist(setup):
    office, phase = setup["office"], setup["phase"]
    agreements.phase_set_agreement(
        phase=phase,
        by=office,
        goals=phase.goals,
        host_contact_name="Hanna Host",
        host_contact_email="hanna@host.example",
        sender_contact_name="Susi Sender",
        sender_contact_email="susi@sender.example",
    )
    phase.refresh_from_db()
    agreements.agreement_invite(phase=phase, by=office)
    invitation = AgreementInvitation.objects.get(
        phase=phase, party=Party.HOST, version=phase.agreement_version
    )
    token = "host-token"
    AgreementInvitation.objects.filter(pk=invitation.pk).update(token_hash=agreements._hash(token))
    with pytest.raises(ValidationError, match="checklist"):
        agreements.agreement_confirm_by_link(token=token, checklist=[])
    assert agreements.agreement_confirm_by_link(token=token, checklist=ALL)[0] == "confirmed"
    phase.refresh_from_db()
    assert phase.host_checklist_done


def test_a_changed_agreement_needs_new_confirmations(setup):
    office, phase, host = setup["office"], setup["phase"], setup["host"]
    _confirm_all(phase, host, office)
    assert agreements.is_complete(phase)
    version = phase.agreement_version
    _phase, lost = agreements.phase_set_agreement(
        phase=phase,
        by=office,
        goals="Andere Ziele",
        host_contact=host,
        sender_contact_name="Susi Sender",
        sender_contact_email="susi@sender.example",
    )
    assert lost
    phase.refresh_from_db()
    assert phase.agreement_version == version + 1
    assert not agreements.is_complete(phase)
    assert not phase.guest_checklist_done and not phase.host_checklist_done
    # The old confirmations stay, as confirmations of version 1.
    assert AgreementConfirmation.objects.filter(phase=phase, version=version).count() == 3
    # Invitations for the new version went out (the person and the host through the
    # ledger, the sender's representative by a new link).
    assert AgreementInvitation.objects.filter(phase=phase, version=version + 1).count() == 3
    assert services.tandems_advance(today=phase.start) == 0


def test_new_dates_and_a_swap_make_new_versions(setup):
    t, office, phase, host = setup["tandem"], setup["office"], setup["phase"], setup["host"]
    _confirm_all(phase, host, office)
    first, second = t.phases.order_by("number")
    v1, v2 = first.agreement_version, second.agreement_version
    services.tandem_set_dates(
        tandem=t,
        by=office,
        first_start=first.start,
        first_end=first.end - timedelta(days=1),
        second_start=second.start,
        second_end=second.end,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.agreement_version, second.agreement_version) == (v1 + 1, v2)
    services.tandem_swap_order(tandem=t, by=office)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.agreement_version, second.agreement_version) == (v1 + 2, v2 + 1)
    assert not agreements.is_complete(first)


def test_unchanged_data_keeps_the_confirmations(setup):
    office, phase, host = setup["office"], setup["phase"], setup["host"]
    _confirm_all(phase, host, office)
    version = phase.agreement_version
    _phase, lost = agreements.phase_set_agreement(
        phase=phase,
        by=office,
        goals=phase.goals,
        host_contact=host,
        sender_contact_name="Susi Sender",
        sender_contact_email="susi@sender.example",
    )
    assert not lost
    phase.refresh_from_db()
    assert phase.agreement_version == version and agreements.is_complete(phase)


def test_the_contacts_are_checked(setup):
    office, phase = setup["office"], setup["phase"]
    stranger = partner_user()
    with pytest.raises(ValidationError, match="must be a contact"):
        agreements.phase_set_agreement(phase=phase, by=office, goals="", host_contact=stranger)
    with pytest.raises(ValidationError, match="both a name and an e-mail"):
        agreements.phase_set_agreement(
            phase=phase, by=office, goals="", host_contact_name="Nur Name"
        )
    # The guest may change the goals, not the contacts.
    guest = phase.guest.user
    with pytest.raises(ValidationError, match="Only the programme office"):
        agreements.phase_set_agreement(phase=phase, by=guest, goals=phase.goals)
    agreements.phase_set_agreement(
        phase=phase,
        by=guest,
        goals="Meine Ziele",
        host_contact=setup["host"],
        sender_contact_name="Susi Sender",
        sender_contact_email="susi@sender.example",
    )
    phase.refresh_from_db()
    assert phase.goals == "Meine Ziele"
    with pytest.raises(ValidationError):
        agreements.phase_set_agreement(phase=phase, by=office_user(), goals="x")


def test_invitations_go_through_the_ledger_once(setup):
    phase = setup["phase"]
    # The tandem's agreement (both partners confirmed) invited the person; naming the
    # contacts made a new version, to which the person and the host were invited.
    person = Notification.objects.filter(kind=agreements.INVITATION, recipient=phase.guest.user)
    assert person.count() == 2
    assert Notification.objects.filter(recipient=setup["host"]).count() == 1
    links = Notification.objects.filter(kind=agreements.LINK_MAIL, email="susi@sender.example")
    assert links.count() == 1
    mail = OutgoingMail.objects.get(pk=links.get().object_id)
    assert "/agreement/" in mail.text
    # Inviting again sends nothing new.
    before = Notification.objects.count()
    assert agreements.agreement_invite(phase=phase, by=setup["office"]) == []
    assert Notification.objects.count() == before


def test_a_renewed_link_replaces_the_old_one(setup):
    phase = setup["phase"]
    invitation = AgreementInvitation.objects.get(phase=phase, party=Party.SENDER)
    old = invitation.token_hash
    path = agreements.agreement_link_renew(invitation=invitation, by=setup["office"])
    invitation.refresh_from_db()
    assert invitation.token_hash != old
    assert invitation.token_hash == agreements._hash(path.rstrip("/").rsplit("/", 1)[-1])


def test_an_ended_tandem_takes_no_confirmations(setup):
    phase = setup["phase"]
    services.tandem_end_early(tandem=setup["tandem"], reason="Wechsel", by=SYSTEM)
    with pytest.raises(ValidationError, match="has ended"):
        agreements.agreement_confirm(
            phase=phase, party=Party.PERSON, by=phase.guest.user, checklist=ALL
        )


def test_the_scan_is_checked_and_stored(setup):
    office, phase = setup["office"], setup["phase"]
    for name, content, message in (
        ("scan.docx", PDF, "Only PDF"),
        ("scan.pdf", b"not a pdf at all %%EOF", "no PDF"),
        ("scan.pdf", b"", "empty"),
        ("scan.pdf", PDF.replace(b"/Catalog", b"/Catalog /OpenAction << /JS (x) >>"), "scripts"),
        ("scan.pdf", b"%PDF-1.4\n" + b"x" * (agreements.MAX_SCAN_MB * 1024 * 1024), "larger"),
    ):
        with pytest.raises(ValidationError, match=message):
            agreements.agreement_record_paper(
                phase=phase, by=office, scan=SimpleUploadedFile(name, content)
            )
    assert not AgreementConfirmation.objects.exists()
    assert not AgreementDocument.objects.exists()
    agreements.agreement_record_paper(
        phase=phase, by=office, scan=SimpleUploadedFile("../../Unterschrift; x.pdf", PDF)
    )
    scan = AgreementDocument.objects.get(kind=AgreementDocument.Kind.SCAN)
    assert scan.display_name == "Unterschrift x.pdf"
    assert "Unterschrift" not in scan.file_name and scan.file_name.endswith(".pdf")
    assert scan.is_current and scan.version == 1


def test_the_programme_text_is_set_and_frozen_at_confirmation(setup):
    office, phase = setup["office"], setup["phase"]
    programme = setup["tandem"].cohort.programme
    agreements.template_set(programme=programme, by=office, body_de="## Eigener Text", body_en="")
    assert agreements.agreement_text(phase, "de").startswith("## Eigener Text")
    assert agreements.agreement_text(phase, "en") == agreements.DEFAULT_TEXT["en"]
    agreements.agreement_confirm(
        phase=phase, party=Party.PERSON, by=phase.guest.user, checklist=ALL
    )
    agreements.template_set(programme=programme, by=office, body_de="## Neuer Text", body_en="")
    phase.refresh_from_db()
    assert agreements.agreement_text(phase, "de").startswith("## Eigener Text")
    with pytest.raises(ValidationError):
        agreements.template_set(programme=programme, by=office_user(), body_de="", body_en="")


def test_an_adopted_programme_gets_the_agreement_text():
    source = ProgrammeFactory()
    AgreementTemplate.objects.create(programme=source, body_de="## Vorlage", body_en="## Text")
    target = ProgrammeFactory()
    # The signal as blueprints' "adopt this programme" sends it (a fake send).
    cohort_hooks.programme_adopted.send(
        sender=None, source=source, target=target, cohort=None, by=None
    )
    copy = AgreementTemplate.objects.get(programme=target)
    assert (copy.body_de, copy.body_en) == ("## Vorlage", "## Text")
    # A source without its own text leaves the target with the default.
    plain, other = ProgrammeFactory(), ProgrammeFactory()
    cohort_hooks.programme_adopted.send(sender=None, source=plain, target=other, cohort=None)
    assert not AgreementTemplate.objects.filter(programme=other).exists()


def test_the_markdown_is_sanitised(setup):
    programme = setup["tandem"].cohort.programme
    agreements.template_set(
        programme=programme,
        by=setup["office"],
        body_de="<script>alert(1)</script>\n\n[x](javascript:alert(1)) **fett**",
        body_en="",
    )
    from pioneer.markdown import render

    html = render(agreements.agreement_text(setup["phase"], "de"))
    assert "<script" not in html and 'href="javascript' not in html
    assert "<strong>fett</strong>" in html


def test_a_link_of_an_ended_tandem_no_longer_confirms(setup):
    phase = setup["phase"]
    invitation = AgreementInvitation.objects.get(phase=phase, party=Party.SENDER)
    AgreementInvitation.objects.filter(pk=invitation.pk).update(token_hash=agreements._hash("t"))
    Tandem.objects.filter(pk=setup["tandem"].pk).update(
        state=Tandem.State.ENDED_EARLY, ended_reason="Wechsel"
    )
    assert agreements.agreement_confirm_by_link(token="t")[0] == "expired"
    assert not AgreementConfirmation.objects.exists()
