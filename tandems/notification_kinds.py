"""The tandems app's notification kinds (pioneer.notifications registry): the agreement
invitations of tandems.agreements and the reminders of tandems.reminders. Each is rendered
when sent, in the recipient's language, with the phase or milestone as it is then (a
swapped order shows the new guest)."""

from django.urls import reverse

from pioneer import notifications
from tandems import reminders


def _agreement_link(invitation):
    return reverse("tandems:agreement", kwargs={"pk": invitation.phase_id})


def _agreement_context(invitation, recipient):
    return {"invitation": invitation, "phase": invitation.phase}


notifications.register(
    "tandems.agreement_invitation",
    template="notifications/tandems_agreement_invitation",
    link=_agreement_link,
    extra_context=_agreement_context,
    related=("phase__guest__user", "phase__host_organisation"),
)


def _my_tandem(target):
    return reverse("tandems:mine")


def _phase_context(phase, recipient):
    tandem = phase.tandem
    partner = tandem.partner_of(recipient)
    return {
        "phase": phase,
        "tandem": tandem,
        "partner": partner.user,
        "is_guest": phase.guest.user_id == recipient.pk,
        "host_organisation": phase.host_organisation,
        # Whom the guest asks on arrival (the host organisation's contact), if named.
        "host_contact": phase.host_contact_label,
        "host_contact_email": (
            phase.host_contact.email if phase.host_contact_id else phase.host_contact_email
        ),
    }


def _milestone_context(milestone, recipient):
    tandem = milestone.tandem
    return {"milestone": milestone, "tandem": tandem, "partner": tandem.partner_of(recipient).user}


for key in reminders.PHASE_KINDS:
    notifications.register(
        key,
        link=_my_tandem,
        extra_context=_phase_context,
        related=(
            "tandem__administration__user",
            "tandem__external__user",
            "guest",
            "host_organisation",
            "host_contact",
        ),
    )
notifications.register(
    reminders.MILESTONE_DUE,
    link=_my_tandem,
    extra_context=_milestone_context,
    related=("tandem__administration__user", "tandem__external__user"),
)
