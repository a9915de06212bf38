"""The tandems app's receivers of the cohorts app's and the core's plug-in points
(cohorts.hooks, pioneer.hooks). Imported once from TandemsConfig.ready()."""

from urllib.parse import urlencode

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cohorts import hooks as cohort_hooks
from cohorts.hooks import Attention, Figure, FigureRow, Tab
from cohorts.models import Participation
from pioneer import hooks
from pioneer.access import SYSTEM
from pioneer.hooks import NavItem, Panel
from pioneer.models import Role
from tandems import selectors, services
from tandems.models import Tandem

PARTICIPANT = Role.Kind.PARTICIPANT


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
        Tab("tandems", gettext_lazy("Tandems"), "tandems:board", order=40),
        Tab("matching", gettext_lazy("Matching"), "tandems:matching", order=45),
    ]


def _counts(cohort):
    """The cohort's tandems by state, read once per cohort object for all receivers of a
    page (figures and attention share the one query)."""
    counts = getattr(cohort, "_tandem_counts", None)
    if counts is None:
        counts = selectors.tandem_counts(cohort)
        cohort._tandem_counts = counts
    return counts


def _board_url(cohort, **query):
    url = reverse("tandems:board", kwargs={"cohort_pk": cohort.pk})
    return f"{url}?{urlencode(query)}" if query else url


@receiver(cohort_hooks.dashboard_figures, dispatch_uid="tandems.figures")
def figures(sender, cohort, **kwargs):
    if not cohort.programme.has_tandems:
        return None
    counts = _counts(cohort)
    rows = [
        FigureRow(str(label), counts.get(value, 0), _board_url(cohort, state=value))
        for value, label in Tandem.State.choices
    ]
    return Figure("tandems", _("Tandems by status"), rows, _board_url(cohort), order=30)


@receiver(cohort_hooks.dashboard_attention, dispatch_uid="tandems.attention")
def attention(sender, cohort, **kwargs):
    if not cohort.programme.has_tandems:
        return None
    waiting = _counts(cohort).get(Tandem.State.PROPOSED, 0)
    if not waiting:
        return None
    return Attention(
        "tandems_waiting",
        _("Proposed tandems waiting for the partners' confirmation"),
        waiting,
        _board_url(cohort, state=Tandem.State.PROPOSED),
        "info",
    )


@receiver(cohort_hooks.close_guards, dispatch_uid="tandems.close_guard")
def close_guard(sender, cohort, **kwargs):
    """A cohort with tandems still in a phase, or agreed and about to start, cannot simply
    close (the cohorts app asks for a reason then)."""
    unfinished = Tandem.objects.filter(
        cohort=cohort, state__in=(Tandem.State.AGREED, *Tandem.RUNNING)
    ).count()
    if not unfinished:
        return None
    return ngettext(
        "%(count)s tandem has not finished its phases yet.",
        "%(count)s tandems have not finished their phases yet.",
        unfinished,
    ) % {"count": unfinished}


@receiver(cohort_hooks.people_without_tandem, dispatch_uid="tandems.without")
def without_tandem(sender, cohort, **kwargs):
    return selectors.people_without_tandem(cohort)


# Nothing of a cohort's tandems is copied into the next cohort (cohort_copied): its people
# are new, and earlier pairings are read by the matching from the tandems themselves.


@receiver(hooks.home_panels, dispatch_uid="tandems.home_participant")
def participant_panel(sender, request, roles, **kwargs):
    """The participant's tandem: partner, status, where they are now, what to do."""
    if not roles.has(PARTICIPANT):
        return None
    today = timezone.localdate()
    entries = []
    for tandem in selectors.tandems_of_participant_light(request.user)[:3]:
        phases = list(tandem.phases.all())
        current = next((p for p in phases if p.start <= today <= p.end), None)
        entries.append(
            {
                "tandem": tandem,
                "partner": tandem.partner_of(request.user),
                "current": current,
                "days_left": (current.end - today).days if current else None,
                "is_guest": bool(current and current.guest.user_id == request.user.pk),
                "confirmed": tandem.confirmed_by_user(request.user),
            }
        )
    if not entries:
        return None
    return Panel("tandems.mine", "tandems/panel_my_tandem.html", {"entries": entries}, order=5)


@receiver(hooks.navigation, dispatch_uid="tandems.navigation")
def navigation(sender, request, roles, **kwargs):
    if roles.has(PARTICIPANT):
        return NavItem("tandems:mine", gettext_lazy("My tandem"), order=50)
    return None
