"""Who may do what in the companion app (django-rules predicates). Deny by default.

The selectors scope first (someone else's event answers 404); these say what the
person may do with an event they can see.
"""

import rules

from pioneer.rules import is_office_of


@rules.predicate
def runs_event(user, event):
    """The user's programme office runs the event's (or the series') cohort."""
    if event is None:
        return False
    cohort = event.cohort
    return is_office_of(user, cohort.programme.organisation_id)


@rules.predicate
def takes_part(user, event):
    """The user takes part in the event's cohort (and has not withdrawn)."""
    if event is None or not user.is_authenticated:
        return False
    cache = getattr(user, "_companion_cohorts", None)
    if cache is None:
        from companion.selectors import live_cohort_ids

        cache = live_cohort_ids(user)
        user._companion_cohorts = cache
    return event.cohort_id in cache


rules.add_perm("companion.manage_events", runs_event)
rules.add_perm("companion.register", takes_part)
