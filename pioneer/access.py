"""The guard every granting service calls: may this actor act for that organisation?

Services that grant access (roles, partner links, invitations, participations) take the
acting person as `by` and refuse an organisation that person's programme office may not
act for. Work without a person (the demo world, management commands) passes `by=SYSTEM`,
so that skipping the check is always written down where it happens; `by=None` is an
error, never a silent bypass.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pioneer.models import Role
from pioneer.rules import may_act_for, roles_of


class _System:
    """The actor of work that no person started (seeding, commands)."""

    def __repr__(self):
        return "SYSTEM"

    pk = None
    is_authenticated = False


SYSTEM = _System()


class OrganisationRefused(ValidationError):
    """The actor may not act for the organisation they chose."""


def actor(by):
    """The person to record as having done it (None for SYSTEM)."""
    _require_actor(by)
    return None if by is SYSTEM else by


def _require_actor(by):
    if by is None:
        raise TypeError("pass the acting person as by=, or by=SYSTEM for work without one")


def check_may_act_for(by, organisation, *, field="organisation"):
    """Raise OrganisationRefused unless `by` may act for `organisation` (or is SYSTEM)."""
    _require_actor(by)
    if by is SYSTEM:
        return
    if organisation is None or not may_act_for(by, organisation):
        raise OrganisationRefused(
            {
                field: _(
                    "You cannot act for this organisation. Choose your own organisation, "
                    "one of its subordinate authorities or a partner organisation linked "
                    "to your programmes."
                )
            }
        )


def check_own_office(by, organisation, *, field="organisation"):
    """Raise OrganisationRefused unless `organisation` is one of `by`'s own offices."""
    _require_actor(by)
    if by is SYSTEM:
        return
    org_id = getattr(organisation, "pk", organisation)
    if org_id not in roles_of(by).organisation_ids(Role.Kind.PROGRAMME_OFFICE):
        raise OrganisationRefused(
            {
                field: _(
                    "You can only add colleagues to the programme office of your own organisation."
                )
            }
        )
