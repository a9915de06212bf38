"""Who may do what in the cohorts app (django-rules predicates). Deny by default.

Views check these as well as scoping their querysets through `cohorts.selectors`, so a
stranger's object answers 404 before a permission is ever asked.
"""

import rules

from pioneer.rules import is_contact_of, is_office_of, is_programme_office


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
    """The user is a partner contact of the organisation the registration was accepted for."""
    return registration is not None and is_contact_of(user, registration.organisation_id)


rules.add_perm("cohorts.add_programme", is_programme_office)
rules.add_perm("cohorts.change_programme", runs)
rules.add_perm("cohorts.add_cohort", runs)
rules.add_perm("cohorts.change_cohort", runs)
rules.add_perm("cohorts.transition_cohort", runs)
rules.add_perm("cohorts.review_registration", runs)
rules.add_perm("cohorts.view_registration", runs | is_registrant_contact)
