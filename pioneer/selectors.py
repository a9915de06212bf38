"""Reads of the core, scoped to the person asking."""

from django.db.models import Q

from pioneer.models import Notification, Organisation, PartnerLink, Role
from pioneer.rules import roles_of


def notifications_for(user):
    """What a person was told (sent notifications only), newest first."""
    return Notification.objects.filter(recipient=user, state=Notification.State.SENT).order_by(
        "-sent_at", "-id"
    )


def unread_count(user):
    return notifications_for(user).filter(read_at__isnull=True).count()


def office_organisations(user):
    """The organisations whose programme office the user works in (their own)."""
    ids = roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def organisations_for_office(user):
    """THE answer to "which organisations may this office act for?" (one query).

    Its own organisations, their subordinate authorities, and the partner organisations
    it linked explicitly (`PartnerLink`). Every form that offers an organisation, the
    import's lookup and every service that grants access ask this; nothing else does.
    """
    ids = roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)
    if not ids:
        return Organisation.objects.none()
    linked = PartnerLink.objects.filter(office_organisation_id__in=ids).values("partner_id")
    return Organisation.objects.filter(
        Q(pk__in=ids) | Q(kind=Organisation.Kind.AUTHORITY, parent_id__in=ids) | Q(pk__in=linked)
    ).order_by("name")


def partner_contacts_of(organisations):
    """{organisation id: [users]} of the partner contacts of these organisations (one
    query)."""
    out = {}
    roles = (
        Role.objects.filter(kind=Role.Kind.PARTNER_CONTACT, organisation__in=organisations)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    for role in roles:
        out.setdefault(role.organisation_id, []).append(role.user)
    return out


def linked_office_ids(organisation_ids):
    """The organisations whose offices linked any of these partners (a subquery)."""
    return PartnerLink.objects.filter(partner_id__in=organisation_ids).values(
        "office_organisation_id"
    )
