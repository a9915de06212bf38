"""Reads of the agreements, scoped to the person asking (deny by default): who may read
a phase's agreement is `tandems.agreements.phases_filter_for`. Journals are never read
here: partner contacts and representatives see tandems, phases and agreements only."""

from django.db.models import Prefetch, Q

from pioneer.models import Role
from tandems.agreements import phases_filter_for
from tandems.models import (
    AgreementConfirmation,
    AgreementDocument,
    AgreementInvitation,
    HospitationPhase,
    Tandem,
)


def phases_for(user):
    return HospitationPhase.objects.filter(phases_filter_for(user))


def agreement_page(user):
    """The phases `user` may read with all an agreement page shows (four queries)."""
    return (
        phases_for(user)
        .select_related(
            "tandem__cohort__programme",
            "tandem__administration__user",
            "tandem__administration__organisation",
            "tandem__external__user",
            "tandem__external__organisation",
            "guest__user",
            "guest__organisation",
            "host_organisation",
            "host_contact",
            "sender_contact",
        )
        .prefetch_related(
            Prefetch(
                "confirmations",
                queryset=AgreementConfirmation.objects.select_related("confirmed_by").order_by(
                    "-version", "party"
                ),
            ),
            Prefetch(
                "agreement_documents",
                queryset=AgreementDocument.objects.filter(is_current=True).order_by(
                    "kind", "language"
                ),
                to_attr="current_documents",
            ),
        )
    )


def invitations_of(phase):
    return AgreementInvitation.objects.filter(
        phase=phase, version=phase.agreement_version
    ).order_by("party")


def documents_for(user):
    return AgreementDocument.objects.filter(phase__in=phases_for(user)).select_related("phase")


def partner_organisations(user):
    from pioneer.models import Organisation

    return Organisation.objects.filter(
        roles__user=user, roles__kind=Role.Kind.PARTNER_CONTACT
    ).distinct()


def partner_tandems(user):
    """The tandems of the partner contact's organisations' people, with their phases and
    how many parties confirmed each phase's current agreement (three queries). No
    journal entries, ever."""
    from tandems.agreements import confirmed_count

    orgs = Role.objects.filter(user=user, kind=Role.Kind.PARTNER_CONTACT).values("organisation_id")
    return (
        Tandem.objects.filter(
            Q(administration__organisation_id__in=orgs) | Q(external__organisation_id__in=orgs)
        )
        .select_related(
            "cohort__programme",
            "administration__user",
            "administration__organisation",
            "external__user",
            "external__organisation",
        )
        .prefetch_related(
            Prefetch(
                "phases",
                queryset=HospitationPhase.objects.select_related(
                    "guest__user", "host_organisation", "host_contact"
                )
                .annotate(confirmed=confirmed_count())
                .order_by("number"),
            )
        )
        .order_by("-cohort__start_date", "administration__user__name", "pk")
    )
