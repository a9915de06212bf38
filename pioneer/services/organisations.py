"""Organisations and the explicit links through which an office acts for a partner.

Functions are keyword-only, named <entity>_<verb>, atomic, and say their side effects.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pioneer.access import (
    SYSTEM,
    OrganisationRefused,
    actor,
    check_may_act_for,
    check_own_office,
)
from pioneer.models import Organisation, PartnerLink, Role
from pioneer.rules import forget_roles, may_edit_organisation, roles_of


@transaction.atomic
def organisation_create(
    *,
    name,
    kind,
    by,
    parent=None,
    short_name="",
    street="",
    postcode="",
    city="",
    website="",
):
    """Create an organisation after full validation, and let `by`'s office act for it.

    A person creates only subordinate authorities of their own ministries and partner
    organisations (company, non-profit, other); the new partner is linked to every
    organisation whose programme office `by` works in (`PartnerLink`). `by=SYSTEM`
    (demo, commands, the acceptance of a registration that links it itself) may create
    any kind and links nothing.

    Raises ValidationError (nothing saved) for a subordinate authority without its parent
    ministry, a parent that is not one of the actor's ministries, a kind the actor may not
    create, or a name already taken for this kind.
    """
    person = actor(by)
    if person is not None:
        if kind == Organisation.Kind.MINISTRY:
            raise ValidationError({"kind": _("Ministries are set up by the administrators.")})
        if kind == Organisation.Kind.AUTHORITY:
            check_own_office(by, parent, field="parent")
    organisation = Organisation(
        name=name,
        kind=kind,
        parent=parent,
        short_name=short_name,
        street=street,
        postcode=postcode,
        city=city,
        website=website,
    )
    organisation.full_clean()
    organisation.save()
    if person is not None and kind != Organisation.Kind.AUTHORITY:
        for office_id in roles_of(person).organisation_ids(Role.Kind.PROGRAMME_OFFICE):
            PartnerLink.objects.get_or_create(
                office_organisation_id=office_id,
                partner=organisation,
                defaults={"linked_by": person},
            )
        forget_roles(person)
    return organisation


@transaction.atomic
def organisation_update(
    *,
    organisation,
    by,
    name,
    kind,
    parent=None,
    short_name="",
    street="",
    postcode="",
    city="",
    website="",
):
    """Change every detail of an organisation the actor's office may act for (the values
    given replace the stored ones). No side effects.

    The guards of `organisation_create` hold: an authority's parent is one of the actor's
    ministries; a ministry's kind does not change here. Raises ValidationError, and the
    caller's `organisation` stays as it was: the change is made on a fresh copy.
    """
    check_may_act_for(by, organisation)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if actor(by) is not None:
        if not may_edit_organisation(by, organisation):
            raise OrganisationRefused(
                {"name": _("Another ministry's authority is changed by that ministry.")}
            )
        if Organisation.Kind.MINISTRY in (kind, organisation.kind) and kind != organisation.kind:
            raise ValidationError({"kind": _("Ministries are set up by the administrators.")})
        if kind == Organisation.Kind.AUTHORITY:
            check_own_office(by, parent, field="parent")
    organisation.name, organisation.kind, organisation.parent = name, kind, parent
    organisation.short_name, organisation.website = short_name, website
    organisation.street, organisation.postcode, organisation.city = street, postcode, city
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def partner_link(*, office_organisation, partner, by):
    """Let `office_organisation`'s programme office act for `partner` (idempotent).

    The office decides this explicitly (accepting a registration and linking it, or on
    its organisation pages); nothing links by matching names. `by` must work in
    `office_organisation`'s office. Returns (link, created). No e-mails.
    """
    check_own_office(by, office_organisation)
    link, created = PartnerLink.objects.get_or_create(
        office_organisation=office_organisation,
        partner=partner,
        defaults={"linked_by": actor(by)},
    )
    if by is not SYSTEM:
        forget_roles(by)
    return link, created
