"""The tandems app's receivers of the cohorts app's and the core's plug-in points
(cohorts.hooks, pioneer.hooks). Imported once from TandemsConfig.ready()."""

from django.dispatch import receiver
from django.utils import timezone

from cohorts import hooks as cohort_hooks
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
