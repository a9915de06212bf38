"""The tandems app's receivers of the cohorts app's and the core's plug-in points
(cohorts.hooks, pioneer.hooks). Imported once from TandemsConfig.ready()."""

from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts import hooks as cohort_hooks
from cohorts.hooks import Tab
from cohorts.models import Participation
from pioneer import hooks
from pioneer.access import SYSTEM
from tandems import services


@receiver(cohort_hooks.participation_state_changed, dispatch_uid="tandems.withdrawal")
def withdrawal_ends_tandem(sender, participation, old_state, by, **kwargs):
    """A partner who withdraws ends their tandem (inside the change's transaction)."""
    if participation.state == Participation.State.WITHDRAWN:
        services.tandems_end_for_withdrawal(participation=participation, by=by or SYSTEM)


@receiver(hooks.periodic, dispatch_uid="tandems.advance")
def advance(sender, now, **kwargs):
    return services.tandems_advance(today=timezone.localdate(now) if now else None)


@receiver(cohort_hooks.cohort_tabs, dispatch_uid="tandems.tabs")
def tabs(sender, cohort, request, **kwargs):
    """The board and the matching, for programmes with tandems (no query: the cohort's
    programme is loaded with it)."""
    if not cohort.programme.has_tandems:
        return None
    return [
        Tab("tandems", _("Tandems"), "tandems:board", order=40),
        Tab("matching", _("Matching"), "tandems:matching", order=45),
    ]
