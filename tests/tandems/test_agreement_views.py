"""The agreements' pages: who gets what (tests/access.py), flat queries (tests/queries.py),
the link without an account, uploads and guarded downloads, German and English."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tandems import agreements, services
from tandems.models import AgreementConfirmation, AgreementDocument, AgreementInvitation
from tandems.storage import agreement_storage
from tests.access import assert_access
from tests.factories.core import evaluator_user, office_user, participant_user, partner_user
from tests.factories.tandems import tandem
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db

Party = agreements.Party
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _client(user, language="en"):
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def world():
    t = tandem()
    for user in (t.administration.user, t.external.user):
        services.tandem_confirm(tandem=t, by=user)
    office = office_user(t.cohort.programme.organisation)
    phase = t.phases.get(number=1)
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
    return {"tandem": t, "office": office, "phase": phase, "host": host}


def _document(phase, kind=AgreementDocument.Kind.GENERATED, language="en"):
    name = agreement_storage().save(f"{phase.pk}/test.pdf", ContentFile(PDF))
    return AgreementDocument.objects.create(
        phase=phase,
        kind=kind,
        language=language,
        version=1,
        agreement_version=phase.agreement_version,
        file_name=name,
        display_name="Vereinbarung.pdf",
        size=len(PDF),
    )


def test_who_reads_an_agreement(world):
    phase, office = world["phase"], world["office"]
    url = reverse("tandems:agreement", args=[phase.pk])
    assert_access(
        url, owner=phase.guest.user, stranger=office_user(), foreign_partner=partner_user()
    )
    for reader in (office, world["host"], world["tandem"].external.user):
        assert _client(reader).get(url).status_code == 200
    for outsider in (participant_user(), evaluator_user(), partner_user()):
        assert _client(outsider).get(url).status_code == 404


def test_the_office_pages(world):
    phase, office = world["phase"], world["office"]
    for url, method, status in (
        (reverse("tandems:agreement_paper", args=[phase.pk]), "get", 200),
        (reverse("tandems:agreement_invite", args=[phase.pk]), "post", 302),
        (
            reverse("tandems:agreement_template", args=[world["tandem"].cohort.programme_id]),
            "get",
            200,
        ),
    ):
        assert_access(
            url,
            method=method,
            owner=office,
            owner_status=status,
            stranger=office_user(),
            foreign_partner=partner_user(),
            foreign_partner_status=403,
            wrong_role=phase.guest.user,
        )


def test_editing_goals_and_contacts(world):
    phase, office = world["phase"], world["office"]
    url = reverse("tandems:agreement_edit", args=[phase.pk])
    # The host contact reads the agreement but may not edit it.
    assert_access(url, owner=office, stranger=office_user(), wrong_role=world["host"])
    # The guest edits the goals only.
    html = _client(phase.guest.user).get(url).content.decode()
    assert 'name="goals"' in html and 'name="host_contact"' not in html
    response = _client(phase.guest.user).post(url, {"goals": "Eigene Ziele"})
    assert response.status_code == 302
    phase.refresh_from_db()
    assert phase.goals == "Eigene Ziele"


def test_a_change_after_confirmations_says_they_no_longer_count(world):
    phase, office, host = world["phase"], world["office"], world["host"]
    agreements.agreement_confirm(
        phase=phase, party=Party.HOST, by=host, checklist=list(agreements.CHECKLIST)
    )
    url = reverse("tandems:agreement_edit", args=[phase.pk])
    client = _client(office)
    assert "no longer count" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "goals": "Neue Ziele",
            "host_contact": host.pk,
            "sender_contact_name": "Susi Sender",
            "sender_contact_email": "susi@sender.example",
        },
        follow=True,
    )
    assert "no longer count" in response.content.decode()
    phase.refresh_from_db()
    assert not agreements.is_complete(phase) and not agreements.current_confirmations(phase)


def test_bad_contacts_are_refused_with_a_message(world):
    phase, office = world["phase"], world["office"]
    url = reverse("tandems:agreement_edit", args=[phase.pk])
    version = phase.agreement_version
    for data, message in (
        ({"goals": "x", "host_contact_name": "Nur Name"}, "both a name and an e-mail"),
        ({"goals": "x", "host_contact": partner_user().pk}, "valid choice"),
    ):
        response = _client(office).post(url, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    phase.refresh_from_db()
    assert phase.agreement_version == version and phase.goals == "Förderverfahren kennenlernen"


def test_confirming_signed_in(world):
    phase, host = world["phase"], world["host"]
    url = reverse("tandems:agreement", args=[phase.pk])
    client = _client(host)
    html = client.get(url).content.decode()
    assert 'name="checklist"' in html and "Confirm the agreement" in html
    response = client.post(url, {"party": "host", "agree": "on", "checklist": ["conflicts"]})
    assert response.status_code == 400
    assert "all three points" in response.content.decode()
    assert not AgreementConfirmation.objects.exists()
    response = client.post(
        url, {"party": "host", "agree": "on", "checklist": list(agreements.CHECKLIST)}
    )
    assert response.status_code == 302
    confirmation = AgreementConfirmation.objects.get()
    assert confirmation.party == "host" and confirmation.confirmed_by == host
    # Someone who reads but does not sign cannot post a confirmation.
    assert _client(world["office"]).post(url, {"party": "sender", "agree": "on"}).status_code == 403


def test_the_personal_link(world):
    phase = world["phase"]
    invitation = AgreementInvitation.objects.get(phase=phase, party=Party.SENDER)
    token = "a-token-for-the-view"
    AgreementInvitation.objects.filter(pk=invitation.pk).update(token_hash=agreements._hash(token))
    url = reverse("tandems:agreement_link", args=[token])
    anonymous = _client(None)
    response = anonymous.get(url)
    assert response.status_code == 200
    assert "Susi Sender" in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    assert not AgreementConfirmation.objects.exists()  # GET confirms nothing
    assert anonymous.post(url, {}).status_code == 400
    assert anonymous.post(url, {"agree": "on"}).status_code == 200
    assert AgreementConfirmation.objects.get().via_link
    again = anonymous.get(url)
    assert "used already" in again.content.decode()
    assert anonymous.get(reverse("tandems:agreement_link", args=["nope"])).status_code == 404


def test_uploading_the_signed_scan(world):
    phase, office = world["phase"], world["office"]
    url = reverse("tandems:agreement_paper", args=[phase.pk])
    client = _client(office)
    response = client.post(
        url, {"confirm": "on", "scan": SimpleUploadedFile("scan.pdf", b"GIF89a not a pdf")}
    )
    assert response.status_code == 400
    assert "no PDF" in response.content.decode()
    assert not AgreementConfirmation.objects.exists()
    response = client.post(url, {"confirm": "on", "scan": SimpleUploadedFile("scan.pdf", PDF)})
    assert response.status_code == 302
    scan = AgreementDocument.objects.get(kind="scan")
    assert AgreementConfirmation.objects.filter(via_paper=True).count() == 3
    download = reverse("tandems:agreement_document", args=[scan.pk])
    response = _client(phase.guest.user).get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]


def test_downloads_check_permission(world):
    phase = world["phase"]
    document = _document(phase)
    url = reverse("tandems:agreement_document", args=[document.pk])
    assert_access(
        url, owner=phase.guest.user, stranger=office_user(), foreign_partner=partner_user()
    )
    assert _client(world["host"]).get(url).status_code == 200
    assert _client(participant_user()).get(url).status_code == 404


def test_the_partner_contacts_page(world):
    phase, host = world["phase"], world["host"]
    url = reverse("tandems:partner")
    assert_access(url, owner=host, wrong_role=phase.guest.user)
    html = _client(host).get(url).content.decode()
    assert str(phase.guest.user) in html and "you are the host contact" in html
    assert reverse("tandems:agreement", args=[phase.pk]) in html
    other = _client(partner_user()).get(url).content.decode()
    assert str(phase.guest.user) not in other


def test_the_agreement_text_page(world):
    office = world["office"]
    programme = world["tandem"].cohort.programme
    url = reverse("tandems:agreement_template", args=[programme.pk])
    client = _client(office)
    assert "## Subject" in client.get(url).content.decode()
    response = client.post(url, {"body_de": "## Eigener Text", "body_en": "## Own text"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "<h3>Own text</h3>" in html


def test_the_pages_keep_their_queries_flat(world):
    """The agreement page and the partner contact's page: the same queries with 1 and 50
    confirmations of earlier versions, documents and tandems."""
    phase, office, host = world["phase"], world["office"], world["host"]

    def more_versions(count):
        for _ in range(count):
            agreements.agreement_record_paper(phase=phase, by=office)
            agreements._invalidate(phase)

    for reader in (office, host, phase.guest.user):
        assert_flat_queries(
            _client(reader), reverse("tandems:agreement", args=[phase.pk]), more_versions
        )

    def more_tandems(count):
        for _ in range(count):
            t = tandem()
            first = t.phases.get(number=1)
            first.host_organisation = phase.host_organisation
            first.save(update_fields=["host_organisation"])
            t.administration.organisation = phase.host_organisation
            t.administration.save(update_fields=["organisation"])

    assert_flat_queries(_client(host), reverse("tandems:partner"), more_tandems)
