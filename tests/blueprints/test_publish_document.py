"""The library's side of pioneer.hooks.publish_document: another app's finished document
becomes a DRAFT blueprint of the organisation running the cohort, its files through the
library's own upload checks; only that office can make it public."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from blueprints import services
from blueprints.models import Blueprint
from pioneer import hooks
from tests.factories.cohorts import CohortFactory
from tests.factories.core import evaluator_user, office_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _offer(cohort, by, files=None, category=hooks.DOCUMENT_EVALUATION_REPORT):
    return hooks.publish(
        title="Evaluation: Abschlussbefragung (Pilot)",
        summary="Zusammengefasste Ergebnisse.",
        body_markdown="Abschluss: 12 Personen haben geantwortet.",
        files=[("bericht.pdf", PDF, "application/pdf")] if files is None else files,
        origin_cohort=cohort,
        category=category,
        by=by,
        language="de",
    )


def test_an_offered_report_is_a_draft_of_the_cohorts_organisation(client):
    cohort = CohortFactory()
    evaluator = evaluator_user()
    url = _offer(cohort, evaluator)
    blueprint = Blueprint.objects.get()
    assert url == f"/blueprints/{blueprint.slug}/"
    assert blueprint.category == Blueprint.Category.EVALUATION
    assert blueprint.organisation == cohort.programme.organisation
    assert (blueprint.programme, blueprint.cohort) == (cohort.programme, cohort)
    assert not blueprint.is_public and blueprint.published_at is None
    (version,) = [v for f in blueprint.files.all() for v in f.versions.all()]
    assert version.content_type == "application/pdf" and version.size == len(PDF)
    assert version.uploaded_by == evaluator and version.display_name == "bericht.pdf"
    with version.file.open("rb") as handle:
        assert handle.read() == PDF
    # Nobody but the organisation's office sees the draft; it can publish it.
    assert client.get(url).status_code == 404
    client.force_login(evaluator)
    assert client.get(url).status_code == 404
    office = office_user(org=cohort.programme.organisation)
    client.force_login(office)
    assert client.get(url).status_code == 200
    with pytest.raises(PermissionDenied):
        services.blueprint_publish(blueprint=blueprint, by=evaluator)
    services.blueprint_publish(blueprint=blueprint, by=office)
    client.logout()
    assert client.get(url).status_code == 200


def test_a_file_the_upload_checks_refuse_offers_nothing():
    cohort = CohortFactory()
    with pytest.raises(ValidationError):
        _offer(
            cohort, evaluator_user(), files=[("bericht.pdf", b"MZ not a pdf", "application/pdf")]
        )
    scripted = PDF.replace(b"/Catalog", b"/Catalog /OpenAction << /S /JavaScript >>")
    with pytest.raises(ValidationError):
        _offer(cohort, evaluator_user(), files=[("bericht.pdf", scripted, "application/pdf")])
    assert not Blueprint.objects.exists()


def test_a_kind_of_document_the_library_does_not_know_is_not_taken():
    assert _offer(CohortFactory(), evaluator_user(), category="something-else") is None
    assert not Blueprint.objects.exists()
