"""The core's plug-in points: Django signals through which apps add to shared pages.

pioneer never imports the apps; each app connects receivers to these signals in its own
`<app>/signals.py`, imported once from its AppConfig.ready() (in the manner of pretalx's
`orga/signals.py`). A receiver answers with what it contributes, or None to add nothing.

- landing_sections(sender=None, request): a Panel (or a list of them) for the public
  landing page (open cohorts, public blueprints, ...).
- home_panels(sender=None, request, roles): Panels for the signed-in person's home page;
  `roles` is their pioneer.rules.RoleSet, so a receiver answers only for roles it serves.
- navigation(sender=None, request, roles): NavItems for the main navigation.
- periodic(sender=None, now): sent every few minutes by the beat dispatcher and by
  `manage.py dispatch_notifications`, after the due e-mails and jobs: housekeeping such
  as the retention periods the privacy notice promises. Receivers must be safe to run
  twice and at any moment.

Every receiver must keep to a fixed number of queries whatever the data's size: the
page budget is 10 queries, and all receivers of a page share it.
"""

from dataclasses import dataclass, field

from django.dispatch import Signal

landing_sections = Signal()
home_panels = Signal()
navigation = Signal()
periodic = Signal()


@dataclass(frozen=True)
class Panel:
    """A block of a shared page: `template` rendered with `context` as `data`."""

    key: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    order: int = 100

    @property
    def key(self):
        return self.url_name


def collect(signal, **kwargs):
    """Every receiver's answer, flattened, without the Nones, in the receivers' `order`.

    Errors propagate (send, not send_robust): a broken receiver must fail its tests, not
    quietly take a panel off a page.
    """
    found = []
    for _receiver, answer in signal.send(sender=None, **kwargs):
        if answer is None:
            continue
        found.extend(answer if isinstance(answer, list | tuple) else [answer])
    return sorted(found, key=lambda item: (item.order, item.key))
