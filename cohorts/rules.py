"""Who may do what in the cohorts app: one predicate per action (django-rules), checked
in the view with `pioneer.permissions.require` and handed to the template from there.
Deny by default.

The selectors scope first (someone else's object answers 404 before a permission is
ever asked); these say what the person may do with an object they can see.
"""

import rules

from pioneer.models import PartnerLink
from pioneer.rules import is_contact_of, is_office_of, is_partner_contact, is_programme_office


def _organiser_id(obj):
    """The organisation that runs a programme, cohort or registration."""
    if obj is None:
        return None
    if hasattr(obj, "cohort"):
        obj = obj.cohort
    if hasattr(obj, "programme"):
        obj = obj.programme
    return obj.organisation_id


@rules.predicate
def runs(user, obj):
    """The user's programme office runs this programme (or the cohort's programme)."""
    organiser = _organiser_id(obj)
    return organiser is not None and is_office_of(user, organiser)


@rules.predicate
def is_registrant_contact(user, registration):
    """The user is a partner contact of the organisation an office linked the
    registration to, and that office linked the organisation as its partner (never by
    name)."""
    if registration is None or not registration.organisation_id:
        return False
    return is_contact_of(user, registration.organisation_id) and (
        PartnerLink.objects.filter(
            office_organisation_id=_organiser_id(registration),
            partner_id=registration.organisation_id,
        ).exists()
    )


rules.add_perm("cohorts.add_programme", is_programme_office)
rules.add_perm("cohorts.change_programme", runs)
rules.add_perm("cohorts.add_cohort", runs)
rules.add_perm("cohorts.change_cohort", runs)
rules.add_perm("cohorts.transition_cohort", runs)
rules.add_perm("cohorts.review_registration", runs)
rules.add_perm("cohorts.view_registration", runs | is_registrant_contact)
rules.add_perm("cohorts.manage_participations", runs)
rules.add_perm("cohorts.view_partner_people", is_partner_contact)
