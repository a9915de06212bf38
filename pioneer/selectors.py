"""Reads of the core, scoped to the person asking."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from pioneer.models import Notification, Organisation, PartnerLink, Role, organisation_key
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


def organisations_with_contact_counts(user):
    """The office's organisations (`organisations_for_office`) with their parent and
    their number of partner contacts. The count is a correlated subquery: a page of
    organisations counts its own contacts only (a GROUP BY over the join would count
    those of every organisation first)."""
    contacts = (
        Role.objects.filter(kind=Role.Kind.PARTNER_CONTACT, organisation=OuterRef("pk"))
        .order_by()
        .values("organisation")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        organisations_for_office(user)
        .select_related("parent")
        .annotate(contact_count=Coalesce(Subquery(contacts, output_field=IntegerField()), 0))
    )


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


def organisations_resembling(name, limit=10):
    """Existing organisations whose name resembles `name`: the same normalised name in
    any kind, or one name containing the other, or the short name as a word of it. A
    suggestion for a person to decide on, never a link. Each carries its current partner
    contacts as `current_contacts` (two queries whatever the number)."""
    key = organisation_key(name)
    if not key:
        return []
    words = key.split()
    # Every organisation's name is compared, so each costs as little as it can: plain
    # tuples (a model instance only for the few that match) and memoised keys.
    fields = ("id", "name", "short_name", "kind", "parent_id")
    rows = Organisation.objects.order_by().values_list(*fields)
    found = []
    for row in rows:
        other = organisation_key(row[1])
        short = organisation_key(row[2])
        if other == key:
            found.append((0, row))
        elif len(key) >= 4 and len(other) >= 4 and (key in other or other in key):
            found.append((1, row))
        elif short and len(short) >= 3 and short in words:
            found.append((2, row))
    found.sort(key=lambda pair: (pair[0], pair[1][1]))
    candidates = [Organisation.from_db(rows.db, fields, row) for _rank, row in found[:limit]]
    contacts = partner_contacts_of([org.pk for org in candidates])
    for org in candidates:
        org.current_contacts = contacts.get(org.pk, [])
    return candidates


def is_duplicate(name, kind, candidates):
    """One of `candidates` has the same normalised name and kind: the same organisation."""
    key = organisation_key(name)
    return any(org.kind == kind and organisation_key(org.name) == key for org in candidates)
