"""Models of the companion app (see DESIGN.md): a cohort's events and series, the
registrations for them with their waiting list and attendance, and the record of each
change that people were told about.

Every write goes through `companion.services`; these classes hold fields, constraints
and cheap properties only. Times are aware datetimes, shown in Europe/Berlin.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pioneer.validators import NAME_VALIDATORS


class Series(models.Model):
    """Several events of a cohort taken as one (a learning journey of three stations):
    registering for the series registers for all of them."""

    cohort = models.ForeignKey(
        "cohorts.Cohort",
        verbose_name=_("cohort"),
        on_delete=models.CASCADE,
        related_name="event_series",
    )
    title = models.CharField(_("title"), max_length=200, validators=NAME_VALIDATORS)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("series of events")
        verbose_name_plural = _("series of events")
        ordering = ["cohort", "title", "id"]

    def __str__(self):
        return self.title


class Event(models.Model):
    """One event of a cohort's companion programme."""

    class Kind(models.TextChoices):
        KICK_OFF = "kickoff", _("Kick-off")
        WORKSHOP = "workshop", _("Workshop")
        NETWORKING = "networking", _("Networking")
        REFLECTION = "reflection", _("Reflection")
        CASE_CONSULTATION = "consultation", _("Collegial case consultation")
        KEYNOTE = "keynote", _("Keynote")
        ONLINE_REFLECTION = "online_reflection", _("Online reflection")
        STATION = "station", _("Learning-journey station")
        CLOSING = "closing", _("Closing event")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CANCELLED = "cancelled", _("Cancelled")

    cohort = models.ForeignKey(
        "cohorts.Cohort",
        verbose_name=_("cohort"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, validators=NAME_VALIDATORS)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    format = models.CharField(
        _("format"), max_length=16, choices=Format.choices, default=Format.IN_PERSON
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    online_link = models.URLField(
        _("online link"),
        max_length=500,
        blank=True,
        help_text=_("Shown only to people registered for the event."),
    )
    host_organisation = models.ForeignKey(
        "pioneer.Organisation",
        verbose_name=_("host organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_events",
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)
    cancellation_deadline = models.DateTimeField(
        _("cancellation possible until"), null=True, blank=True
    )
    # Linked material (blueprints of the library): the keys the plug-in signal
    # pioneer.hooks.material_choices answered (slugs); each viewer sees only those
    # pioneer.hooks.material_links says they may read.
    materials = models.JSONField(_("materials"), default=list, blank=True)
    state = models.CharField(
        _("status"), max_length=16, choices=State.choices, default=State.PLANNED, db_index=True
    )
    # Raised with every change people were told about: the calendar file's SEQUENCE, so
    # a calendar replaces its copy instead of keeping two.
    sequence = models.PositiveIntegerField(default=0)
    cancelled_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_opens__isnull=True)
                | Q(registration_closes__isnull=True)
                | Q(registration_closes__gt=models.F("registration_opens")),
                name="event_registration_window_order",
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "starts_at"], name="event_cohort_start_idx"),
            # A partner contact's people's registrations, soonest event first: PostgreSQL
            # walks the events in this order until a page is full instead of sorting all
            # of the partner's registrations (5 ms to 1 ms at N = 50).
            models.Index(fields=["starts_at", "id"], name="event_start_idx"),
            # The earliest start of the events ending after a moment, from the index
            # alone: the partner's home walks the coming events from there
            # (`partner_registrations_since_rows`) instead of past every event before.
            models.Index(fields=["ends_at", "starts_at"], name="event_end_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_cancelled(self):
        return self.state == self.State.CANCELLED

    @property
    def is_online(self):
        return self.format in {self.Format.ONLINE, self.Format.HYBRID}

    @property
    def has_place(self):
        return self.format in {self.Format.IN_PERSON, self.Format.HYBRID}

    def is_past(self, now=None):
        return self.ends_at <= (now or timezone.now())

    def registration_open(self, now=None):
        """Open for registration now: planned, not begun, inside the window if one is set."""
        now = now or timezone.now()
        if self.is_cancelled or now >= self.starts_at:
            return False
        if self.registration_opens and now < self.registration_opens:
            return False
        return not (self.registration_closes and now > self.registration_closes)

    def may_cancel_until(self):
        """The last moment a person may cancel themselves: the deadline, else the start."""
        return self.cancellation_deadline or self.starts_at


class EventRegistration(models.Model):
    """A person (by their participation in the cohort) registered for an event, or on
    its waiting list. One row per event and participation; a cancelled one is kept (and
    taken up again when the person registers anew)."""

    class State(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", _("Not recorded")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not attend")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    participation = models.ForeignKey(
        "cohorts.Participation",
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="event_registrations",
    )
    state = models.CharField(
        _("status"), max_length=16, choices=State.choices, default=State.REGISTERED
    )
    # Order on the waiting list (lowest first); kept only while waiting.
    waiting_position = models.PositiveIntegerField(_("place on the waiting list"), null=True)
    attendance = models.CharField(
        _("attendance"), max_length=16, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        ordering = ["event", "state", "waiting_position", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "participation"], name="event_registration_once"
            ),
            models.CheckConstraint(
                condition=Q(state="waiting", waiting_position__isnull=False)
                | (~Q(state="waiting") & Q(waiting_position__isnull=True)),
                name="event_registration_waiting_has_position",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "state"], name="event_registration_state_idx"),
        ]

    def __str__(self):
        return f"{self.participation_id} @ {self.event_id} ({self.state})"


class EventChange(models.Model):
    """A change of an event that registered people were told about (time, place, link).

    Each is the ledger's target for its notices, so two changes on one day are two
    notices, while scheduling one change twice still makes one."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="changes")
    sequence = models.PositiveIntegerField()
    fields = models.CharField(max_length=200)  # the changed fields' names, comma-separated
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("change of an event")
        verbose_name_plural = _("changes of events")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "sequence"], name="event_change_once")
        ]

    def __str__(self):
        return f"{self.event_id} #{self.sequence}"


class Certificate(models.Model):
    """A participation certificate (Teilnahmebescheinigung): the PDF made for one person at
    the end of a cohort, with a verification code anyone can check on a public page.

    A person has at most one current certificate per participation; making it again
    marks the old one superseded (its code still answers, as superseded), so a printed
    copy can be told apart from the one that counts."""

    participation = models.ForeignKey(
        "cohorts.Participation",
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    # Random, never derived from anything about the person: the public page looks it up
    # by this alone. 20 characters of base32 (100 bits), printed in groups of four.
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    # The name as it stood on the certificate when it was issued (the page confirms it).
    holder_name = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=8)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The job that made it: a second run of the same job finds its work done.
    job = models.ForeignKey(
        "pioneer.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(max_length=255, blank=True)
    events_count = models.PositiveIntegerField(_("events attended"), default=0)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)

    class Meta:
        verbose_name = _("participation certificate")
        verbose_name_plural = _("participation certificates")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation"],
                condition=Q(superseded_at__isnull=True),
                name="certificate_one_current",
            )
        ]

    def __str__(self):
        return f"{self.holder_name} ({self.code})"

    @property
    def is_current(self):
        return self.superseded_at is None

    @property
    def printed_code(self):
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class NetworkEntry(models.Model):
    """A person's own entry in the network of pioneers of a programme: the participants
    and alumni of its cohorts who opted in. Made only by the person; leaving deletes the
    row at once (no flag, no copy)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="network_entries",
    )
    programme = models.ForeignKey(
        "cohorts.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="network_entries",
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    topics = models.CharField(
        _("topics"),
        max_length=300,
        blank=True,
        help_text=_("Separated by commas, for example: digitalisation, procurement."),
    )
    can_help_with = models.TextField(_("what I can help with"), max_length=1000, blank=True)
    contact = models.CharField(
        _("how to reach me"),
        max_length=300,
        help_text=_("An e-mail address, a telephone number or both; shown to the network only."),
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("network entry")
        verbose_name_plural = _("network entries")
        ordering = ["programme", "user__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "programme"], name="network_entry_once")
        ]

    def __str__(self):
        return f"{self.user_id} @ {self.programme_id}"

    @property
    def topic_list(self):
        return [t.strip() for t in self.topics.split(",") if t.strip()]
