"""Registries through which later apps add to shared pages without pioneer importing them.

- landing sections: the public landing page shows, in order, what apps register
  (open cohorts, public blueprints, ...);
- home panels: each role's home page shows what that person has to do next; every app
  adds panels for the roles it serves.

A provider is `fn(request) -> dict | None`; None hides the panel. Providers must keep
to a fixed number of queries whatever the data's size (the page budget is 10).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    provider: Callable
    order: int = 100
    roles: frozenset = frozenset()  # empty: every signed-in user (home) / everyone (landing)


_LANDING: dict[str, Panel] = {}
_HOME: dict[str, Panel] = {}


def register_landing_section(key, *, template, provider, order=100):
    _LANDING[key] = Panel(key, template, provider, order)


def register_home_panel(key, *, template, provider, roles=(), order=100):
    _HOME[key] = Panel(key, template, provider, order, frozenset(roles))


def _render(panels, request):
    out = []
    for panel in sorted(panels, key=lambda p: (p.order, p.key)):
        context = panel.provider(request)
        if context is not None:
            out.append({"key": panel.key, "template": panel.template, "context": context})
    return out


def landing_sections(request):
    return _render(_LANDING.values(), request)


def home_panels(request, role_kinds):
    visible = [p for p in _HOME.values() if not p.roles or p.roles & role_kinds]
    return _render(visible, request)
