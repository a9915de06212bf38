"""The PDF of a phase's hospitation agreement, made by the jobs mechanism with WeasyPrint
as tagged PDF/UA, once per language (German and English, so every reader gets theirs),
with who confirmed when.

Safe to run twice: what goes into a PDF (the agreement's data, text and confirmations) is
summed up in a digest; when the current PDF of a language has that digest already, the
run stores nothing. Otherwise it stores the next version and makes it the current one
(under the phase's lock, so two runs at once store one).
"""

import hashlib
import json

from django.core.files import File
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pioneer import jobs
from pioneer.markdown import render
from tandems import agreements
from tandems.models import AgreementDocument, HospitationPhase

LANGUAGES = ("de", "en")


def _phase(pk, lock=False):
    queryset = HospitationPhase.objects.select_related(
        "tandem__cohort__programme__organisation",
        "tandem__administration__user",
        "tandem__external__user",
        "guest__user",
        "guest__organisation",
        "host_organisation",
        "host_contact",
        "sender_contact",
    ).prefetch_related("confirmations")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.filter(pk=pk).first()


def context_of(phase, language, template=None):
    confirmations = agreements.current_confirmations(phase)
    text = agreements.agreement_text(phase, language, template=template)
    rows = [
        {
            "party": party,
            "label": agreements.Party(party).label,
            "confirmation": confirmations.get(party),
        }
        for party in agreements.PARTIES
    ]
    return {"phase": phase, "tandem": phase.tandem, "text": text, "rows": rows}


def digest_of(phase, context):
    facts = {
        "version": phase.agreement_version,
        "dates": [phase.start.isoformat(), phase.end.isoformat()],
        "guest": phase.guest_id,
        "host": phase.host_organisation_id,
        "goals": phase.goals,
        "contacts": [
            phase.host_contact_label,
            phase.host_contact_email,
            phase.sender_contact_label,
            phase.sender_contact_email,
        ],
        "checklist": [
            getattr(phase, f"{p}_{i}") for p in ("guest", "host") for i in agreements.CHECKLIST
        ],
        "text": context["text"],
        "confirmations": [
            [
                r["party"],
                r["confirmation"].name,
                r["confirmation"].at.isoformat(),
                r["confirmation"].via_paper,
            ]
            for r in context["rows"]
            if r["confirmation"]
        ],
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def _render(phase, context, path):
    from weasyprint import HTML

    html = render_to_string(
        "tandems/agreements/agreement_pdf.html",
        {**context, "body": render(context["text"]), "made_at": timezone.now()},
    )
    HTML(string=html, base_url=None).write_pdf(path, pdf_variant="pdf/ua-1")


def make(phase_pk, made_by=None):
    """Make the PDFs that are not current; returns the documents stored now."""
    phase = _phase(phase_pk)
    if phase is None:
        return []
    template = agreements.template_of(phase.tandem.cohort.programme_id)
    stored = []
    for language in LANGUAGES:
        with translation.override(language):
            context = context_of(phase, language, template)
            digest = digest_of(phase, context)
            if AgreementDocument.objects.filter(
                phase=phase,
                kind=AgreementDocument.Kind.GENERATED,
                language=language,
                is_current=True,
                digest=digest,
            ).exists():
                continue
            path = jobs.temporary_path(".pdf")
            _render(phase, context, path)
            with transaction.atomic():
                locked = _phase(phase_pk, lock=True)
                if (
                    locked is None
                    or AgreementDocument.objects.filter(
                        phase=locked,
                        kind=AgreementDocument.Kind.GENERATED,
                        language=language,
                        is_current=True,
                        digest=digest,
                    ).exists()
                ):
                    continue  # another run stored this very PDF meanwhile
                with open(path, "rb") as handle:
                    size = handle.seek(0, 2)
                    stored.append(
                        agreements._store_document(
                            locked,
                            kind=AgreementDocument.Kind.GENERATED,
                            language=language,
                            content=File(handle),
                            display_name=_("Hospitation agreement, phase %(number)s")
                            % {"number": phase.number}
                            + ".pdf",
                            size=size,
                            made_by=made_by,
                            digest=digest,
                        )
                    )
    return stored


def run(job, progress):
    progress(0, len(LANGUAGES))
    documents = make(job.object_id)
    progress(len(LANGUAGES), len(LANGUAGES))
    jobs.job_summary_store(job=job, documents=[d.pk for d in documents])
    return None


def _may_see(user, job):
    from tandems.agreement_selectors import phases_for

    return phases_for(user).filter(pk=job.object_id).exists()


def register():
    jobs.register(
        agreements.PDF_JOB,
        run=run,
        may_see=_may_see,
        label=gettext_lazy("Hospitation agreement (PDF)"),
        back=lambda job: reverse("tandems:agreement", kwargs={"pk": job.object_id}),
    )
