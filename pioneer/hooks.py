"""The core's plug-in points: Django signals through which apps add to shared pages.

pioneer never imports the apps; each app connects receivers to these signals in its own
`<app>/signals.py`, imported once from its AppConfig.ready() (in the manner of pretalx's
`orga/signals.py`). A receiver answers with what it contributes, or None to add nothing.

- landing_sections(sender=None, request=None): a Panel (or a list of them) for the public
  landing page (open cohorts, public blueprints, ...). The same for every visitor: they
  are rendered without a request and kept in the cache (pioneer.landing), so a section
  must not depend on who is looking, and its app connects `pioneer.landing.changed` to
  the post_save and post_delete of the models the section shows.
- home_panels(sender=None, request, roles): Panels for the signed-in person's home page;
  `roles` is their pioneer.rules.RoleSet, so a receiver answers only for roles it serves.
- navigation(sender=None, request, roles): NavItems for the main navigation.
- periodic(sender=None, now): sent every few minutes by the beat dispatcher and by
  `manage.py dispatch_notifications`, after the due e-mails and jobs: housekeeping such
  as the retention periods the privacy notice promises. Receivers must be safe to run
  twice and at any moment.
- personal_dates(sender=None, user, start, end): PersonalDates of one person between
  `start` and `end` (datetimes, either may be None for open): the hospitation phases and
  milestones of their tandem (tandems), the events they are registered for (companion).
  One collector serves the personal calendar feed (.ics at a secret URL) and the
  participant's timeline, so each app answers once for both. A receiver answers only
  what `user` may see, and keeps to a fixed number of queries.
- publish_document(sender=None, title, summary, body_markdown, files, origin_cohort,
  category, by, language): an app offers a finished document to the document library
  (the blueprints app answers it) without importing it. `files` is a list of
  (name, bytes, content_type); `category` one of the DOCUMENT_* keys below; `by` the
  person who offers it (the sender has checked they may offer this document about
  `origin_cohort`). The library makes a DRAFT of the organisation running
  `origin_cohort`'s programme, with each file passing the library's own upload checks,
  and answers its page's URL; nothing is public until that organisation's office
  publishes it. Sent inside the sender's transaction: a refused file (ValidationError)
  rolls everything back. Use `publish()` below, which says whether anyone answered.
- material_choices(sender=None, user): what `user` may link to a thing they plan (an
  event's materials, companion) as (key, label) pairs: the library answers its
  published blueprints the person may read, key = the blueprint's slug. One query.
  Use `material_choices_for()` below.
- material_links(sender=None, user, keys): of the stored `keys`, those `user` may read
  now, as (key, title, url); a key the person may not read (a draft, a blueprint for
  signed-in people shown to someone anonymous, one withdrawn or deleted) is left out.
  One query whatever the number of keys, none for no keys. Use `material_links_for()`.

Every receiver must keep to a fixed number of queries whatever the data's size: the
page budget is 10 queries, and all receivers of a page share it.
"""

from dataclasses import dataclass, field

from django.dispatch import Signal

landing_sections = Signal()
home_panels = Signal()
navigation = Signal()
periodic = Signal()
personal_dates = Signal()
publish_document = Signal()
material_choices = Signal()
material_links = Signal()

# The kinds of document `publish_document` carries (the library maps them to its own).
DOCUMENT_EVALUATION_REPORT = "evaluation_report"


@dataclass(frozen=True)
class Panel:
    """A block of a shared page: `template` rendered with `context` as `data`, or `html`
    as it is where the panel was kept already rendered (`kept_panel`)."""

    key: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100
    html: str | None = None


def kept_panel(key, template, facts, context, order=100, seconds=None):
    """A home panel whose HTML is kept by pioneer.fragments under `facts` (and the
    language): `context()` is read, and `template` rendered with it as `data` (and
    nothing else of the page's context: no request, no user), only when nothing is kept.
    The panels' templates and their loops were most of a home's time.

    `facts` must name everything the panel shows: cohorts.figures' change token for what
    it covers, the person or organisations for what is theirs, the day for what depends
    on it; `seconds` bounds how long (by default pioneer.fragments'). The panel's
    `context` is the one read on this visit, else empty. A `context()` of None means no
    panel (None, kept as such)."""
    from django.template.loader import render_to_string

    from pioneer import fragments

    read = {}

    def render():
        data = context()
        if data is None:
            return ""
        read.update(data)
        return render_to_string(template, {"data": read})

    html = fragments.cached_html(
        f"panel:{key}", facts, render, seconds or fragments.FRAGMENT_SECONDS
    )
    return Panel(key, template, read, order, html) if html else None


@dataclass(frozen=True)
class PersonalDate:
    """One date in a person's calendar and timeline.

    `uid` is stable for the thing (never changes when it is edited, e.g.
    "tandems-phase-12@pioneer"); `sequence` grows with each change that a calendar
    program should take over (an iCalendar SEQUENCE); `start`/`end` are dates (all-day)
    or aware datetimes; an all-day `end` is the last day it covers (inclusive: the feed
    writes the day after, as iCalendar wants). `cancelled` marks it STATUS:CANCELLED
    instead of removing it; `tentative` marks it STATUS:TENTATIVE (e.g. a place on a
    waiting list). `kind` groups it on the timeline ("phase", "milestone", "event");
    `order` sorts equal starts.
    """

    uid: str
    title: str
    start: object
    end: object = None
    kind: str = ""
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    cancelled: bool = False
    tentative: bool = False
    done: bool = False
    order: int = 100

    @property
    def key(self):
        return self.uid


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


def publish(**kwargs):
    """Send `publish_document`; the URL of the draft the library made, or None when no
    app takes documents (the sender then tells its user the library is missing)."""
    for _receiver, answer in publish_document.send(sender=None, **kwargs):
        if answer:
            return answer
    return None


def material_choices_for(user):
    """Every receiver's (key, label) pairs of material `user` may link, by label."""
    found = []
    for _receiver, answer in material_choices.send(sender=None, user=user):
        found.extend(answer or [])
    return sorted(found, key=lambda pair: (str(pair[1]).casefold(), pair[0]))


def material_links_for(user, keys):
    """(key, title, url) of those `keys` `user` may read, in the order of `keys`."""
    keys = [key for key in keys or [] if isinstance(key, str)]
    if not keys:
        return []
    found = {}
    for _receiver, answer in material_links.send(sender=None, user=user, keys=keys):
        for key, title, url in answer or []:
            found.setdefault(key, (key, title, url))
    return [found[key] for key in dict.fromkeys(keys) if key in found]
