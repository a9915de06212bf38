"""Models of the cohorts app (see DESIGN.md): programmes, cohorts and their lifecycle,
registrations of interest and participations.

Every write goes through `cohorts.services`; these classes hold fields, constraints
and cheap properties only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pioneer.models import organisation_key  # noqa: F401  (kept here for the cohorts app)
from pioneer.validators import NAME_VALIDATORS, validate_date_range, validate_not_reserved_slug


class Programme(models.Model):
    """A programme such as pioneer4BB, run by one organisation's programme office."""

    class Format(models.TextChoices):
        TANDEM = "tandem", _("Tandem exchange")
        JOURNEY = "journey", _("Learning journey without tandems")

    name = models.CharField(_("name"), max_length=200, validators=NAME_VALIDATORS)
    slug = models.SlugField(
        _("short name in addresses"),
        max_length=80,
        unique=True,
        validators=[validate_not_reserved_slug],
    )
    organisation = models.ForeignKey(
        "pioneer.Organisation",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="programmes",
        help_text=_("Its programme office runs the programme."),
    )
    description = models.TextField(_("description"), blank=True)
    default_cohort_months = models.PositiveSmallIntegerField(
        _("default cohort length (months)"), default=6
    )
    default_phase_months = models.PositiveSmallIntegerField(
        _("default phase length (months)"), default=3
    )
    format = models.CharField(
        _("format"), max_length=16, choices=Format.choices, default=Format.TANDEM
    )
    is_public = models.BooleanField(
        _("shown publicly"),
        default=True,
        help_text=_("Open cohorts of a public programme appear on the landing page."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def has_tandems(self):
        return self.format == self.Format.TANDEM


class Cohort(models.Model):
    """One run of a programme ("Durchgang"), with its lifecycle."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for interest")
        MATCHING = "matching", _("Matching")
        RUNNING = "running", _("Running")
        EVALUATION = "evaluation", _("Evaluation")
        CLOSED = "closed", _("Closed")

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="cohorts",
    )
    title = models.CharField(_("title"), max_length=200, validators=NAME_VALIDATORS)
    slug = models.SlugField(
        _("short name in addresses"), max_length=80, validators=[validate_not_reserved_slug]
    )
    start_date = models.DateField(
        _("start"), null=True, blank=True, validators=[validate_date_range]
    )
    end_date = models.DateField(_("end"), null=True, blank=True, validators=[validate_date_range])
    interest_opens = models.DateField(
        _("interest window opens"), null=True, blank=True, validators=[validate_date_range]
    )
    interest_closes = models.DateField(
        _("interest window closes"), null=True, blank=True, validators=[validate_date_range]
    )
    planned_tandems = models.PositiveSmallIntegerField(_("planned tandems"), default=0)
    state = models.CharField(
        _("status"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    closed_reason = models.TextField(
        _("reason for closing"),
        blank=True,
        help_text=_("Needed when a cohort is closed before all tandems have finished."),
    )
    created_from = models.ForeignKey(
        "self",
        verbose_name=_("created from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "slug"], name="cohort_unique_slug"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gt=models.F("start_date")),
                name="cohort_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(interest_closes__isnull=True)
                | Q(interest_opens__isnull=True)
                | Q(interest_closes__gte=models.F("interest_opens")),
                name="cohort_interest_closes_after_opens",
            ),
        ]
        indexes = [
            # A partner contact's people, newest cohort first: PostgreSQL walks the
            # cohorts in this order (and `participation_partner_idx`) until the page is
            # full, instead of sorting all the partner's people.
            models.Index(fields=["-start_date", "id"], name="cohort_newest_idx"),
        ]

    def __str__(self):
        return f"{self.programme} – {self.title}" if self.programme_id else self.title

    def accepts_interest(self, today=None):
        """Open for interest today (state open and inside the window, if one is set)."""
        if self.state != self.State.OPEN:
            return False
        today = today or timezone.localdate()
        if self.interest_opens and today < self.interest_opens:
            return False
        return not (self.interest_closes and today > self.interest_closes)


class CohortTransition(models.Model):
    """One step in a cohort's lifecycle: who moved it, when, and why."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("cohort")
    )
    from_state = models.CharField(_("from"), max_length=16, choices=Cohort.State.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=Cohort.State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    # The move this one took back (the office's undo, minutes after it); an undo is
    # itself never offered to be undone.
    undoes = models.ForeignKey(
        "self",
        verbose_name=_("undoes"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("cohort transition")
        verbose_name_plural = _("cohort transitions")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.cohort_id}: {self.from_state} → {self.to_state}"


class InterestRegistration(models.Model):
    """A registration of interest from the public form (double opt-in)."""

    class State(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Not yet confirmed")
        CONFIRMED = "confirmed", _("Confirmed, to be reviewed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired (never confirmed)")

    # A registration counts only once confirmed; these are the ones the office reviews.
    COUNTING = {State.CONFIRMED, State.ACCEPTED, State.DECLINED}

    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("cohort"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    organisation = models.ForeignKey(
        "pioneer.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interest_registrations",
        help_text=_("Set when the registration is accepted."),
    )
    organisation_name = models.CharField(
        _("name of the organisation"), max_length=200, validators=NAME_VALIDATORS
    )
    organisation_kind = models.CharField(
        _("kind of organisation"),
        max_length=16,
        choices=[
            ("ministry", _("Ministry")),
            ("authority", _("Subordinate authority")),
            ("company", _("Company")),
            ("nonprofit", _("Non-profit organisation")),
            ("other", _("Other organisation")),
        ],
    )
    parent_ministry = models.ForeignKey(
        "pioneer.Organisation",
        verbose_name=_("parent ministry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "ministry"},
    )
    organisation_key = models.CharField(max_length=200, editable=False, db_index=True)
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    contact_name = models.CharField(_("contact person"), max_length=200, validators=NAME_VALIDATORS)
    contact_email = models.EmailField(_("e-mail address"))
    contact_phone = models.CharField(_("telephone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    places_send = models.PositiveSmallIntegerField(_("people we can send"), default=0)
    places_host = models.PositiveSmallIntegerField(_("people we can host"), default=0)
    topics_offered = models.TextField(_("topics and expertise we offer"), blank=True)
    topics_sought = models.TextField(_("topics and expertise we seek"), blank=True)
    preferred_timing = models.CharField(_("preferred timing"), max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True)
    privacy_version = models.CharField(_("privacy notice version accepted"), max_length=20)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=State.choices,
        default=State.UNCONFIRMED,
        db_index=True,
    )
    # Only the hash of the confirmation token is stored: the link in the e-mail is
    # the only copy of the secret.
    confirm_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    confirm_expires_at = models.DateTimeField(_("link valid until"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    contact_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("registration of interest")
        verbose_name_plural = _("registrations of interest")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live registration per organisation and cohort; expired or declined
            # ones do not block a fresh attempt.
            models.UniqueConstraint(
                fields=["cohort", "organisation_key"],
                condition=Q(state__in=["unconfirmed", "confirmed", "accepted"]),
                name="registration_once_per_cohort",
            ),
            models.CheckConstraint(
                condition=Q(organisation_kind="authority", parent_ministry__isnull=False)
                | ~Q(organisation_kind="authority"),
                name="registration_authority_has_parent",
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "state"], name="registration_queue_idx"),
            # A cohort's registrations, newest first, a page at a time.
            models.Index(
                fields=["cohort", "-created_at", "-id"], name="registration_cohort_newest_idx"
            ),
            # A partner organisation's registrations, newest first (its home and list).
            models.Index(
                fields=["organisation", "-created_at", "-id"], name="registration_org_newest_idx"
            ),
            # What waits for someone, by state and oldest first (the review queue's first
            # view and a cohort's tab): walked a page at a time; the cohort last, so that
            # an office's cohorts are told apart in the index alone.
            models.Index(
                fields=["state", "created_at", "id", "cohort"], name="registration_waiting_idx"
            ),
        ]

    def __str__(self):
        return f"{self.organisation_name} ({self.cohort})"

    def save(self, *args, **kwargs):
        self.organisation_key = organisation_key(self.organisation_name)
        super().save(*args, **kwargs)

    @property
    def is_decided(self):
        return self.state in {self.State.ACCEPTED, self.State.DECLINED}


class RegistrationNote(models.Model):
    """An internal note of the programme office on a registration (never shown outside)."""

    registration = models.ForeignKey(
        InterestRegistration, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.registration_id}: {self.text[:40]}"


# A person's facts read for a new participation whose person is not in hand (only the id).
_NOT_READ = object()


def _person_fact(participation, attname, add):
    """The participation's person's `attname` (name, last_login) for the copies kept on it
    (`PersonNameCopy`, `PersonSignedInCopy`): from the person in hand when it has that
    column loaded, else (a new participation) read by id, one query for both copies (the
    row read is noted on the participation); `_NOT_READ` when neither (an update without
    the person in hand leaves the copy as it is)."""
    user_field = participation._meta.get_field("user")
    if user_field.is_cached(participation):
        user = user_field.get_cached_value(participation)
        if user is not None and attname in user.__dict__:
            return user.__dict__[attname]
    if not add or participation.user_id is None:
        return _NOT_READ
    read = participation.__dict__.get("_cohorts_person_read")
    if read is None or read[0] != participation.user_id:
        from pioneer.models import User

        row = User.objects.filter(pk=participation.user_id).values("name", "last_login").first()
        read = participation._cohorts_person_read = (
            participation.user_id,
            row or {"name": "", "last_login": None},
        )
    return read[1][attname]


class PersonNameCopy(models.CharField):
    """The name of the participation's person (`user.name`), kept on the participation so
    that the participant list, sorted by name (or by side, then name), reads its page in
    order from an index of the cohort's participations: sorted by the account's name, the
    list joined all the cohort's people with their accounts before it could cut the page
    (some 1,000 at N = 50).

    Written on every insert (`save()` and `bulk_create`, which both call `pre_save`) from
    the person in hand (one query when only the id is), and on an update from the person
    in hand when there is one; a change of the account's name is copied to its
    participations by `cohorts.signals.participation_names_follow`."""

    def pre_save(self, model_instance, add):
        value = _person_fact(model_instance, "name", add)
        if value is _NOT_READ:
            value = getattr(model_instance, self.attname)
        setattr(model_instance, self.attname, value)
        return value


class PersonSignedInCopy(models.BooleanField):
    """Whether the participation's person has ever signed in (`user.last_login` is set: the
    invitation is taken up), kept on the participation so that the participant list's
    first view (who needs action, `selectors.participations_needing_action`) reads its
    page from a partial index of the cohort's waiting people in the list's order: tested
    on the account, the list walked the cohort's people in order and looked up each one's
    account until it had a page (525 of 1,000 at N = 50 for 25 shown).

    Written as `PersonNameCopy` is (on insert from the person in hand, or read with the
    name by id; on an update from the person in hand), and a sign-in (or any save of
    the account that sets or clears last_login) copies it to the person's participations:
    `cohorts.signals.participation_sign_in_follows`. An update() of accounts that skips
    their signals leaves it behind."""

    def pre_save(self, model_instance, add):
        value = _person_fact(model_instance, "last_login", add)
        value = getattr(model_instance, self.attname) if value is _NOT_READ else value is not None
        setattr(model_instance, self.attname, value)
        return value


# The people whose invitation waits: never signed in (not taken up), or held. The
# condition of the partial index of the participant list's first view: it names no value
# (both are boolean columns), as a condition on the state would, which the query binds
# as a parameter: a prepared statement's generic plan could not match it to the index.
INVITATION_WAITING = Q(signed_in=False) | Q(invitation_held=True)


def needing_action(*, nominated_wait):
    """The participations that need the office's action: not withdrawn nor completed, and
    the person has never signed in (the invitation is not taken up), or their invitation
    is held, or (`nominated_wait`: the cohort is matching or running) they are only
    nominated. The condition of the participant list's first view
    (`selectors.participations_needing_action`); without `nominated_wait` it lies within
    the partial index of `INVITATION_WAITING`."""
    waiting = INVITATION_WAITING
    if nominated_wait:
        waiting = waiting | Q(state="nominated")
    return ~Q(state__in=["withdrawn", "completed"]) & waiting


class Participation(models.Model):
    """A person taking part in a cohort, on the administration or the external side."""

    class Side(models.TextChoices):
        ADMINISTRATION = "administration", _("Administration")
        EXTERNAL = "external", _("External expert")

    class State(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        CONFIRMED = "confirmed", _("Confirmed")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("cohort"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    organisation = models.ForeignKey(
        "pioneer.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    position = models.CharField(_("position"), max_length=200, blank=True)
    topics = models.TextField(_("topics"), blank=True)
    expertise = models.TextField(_("expertise"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.NOMINATED, db_index=True
    )
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    # Imported with "hold invitations": the office sends them later from the list.
    invitation_held = models.BooleanField(_("invitation held"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The person's name, for the participant list's order (see `PersonNameCopy`).
    sort_name = PersonNameCopy(_("name"), max_length=200, blank=True, editable=False)
    # Whether the person has ever signed in, for the list's first view (see
    # `PersonSignedInCopy`).
    signed_in = PersonSignedInCopy(_("Signed in"), default=False, editable=False)

    history = HistoricalRecords(excluded_fields=["sort_name", "signed_in"])

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["cohort", "side", "user__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"], name="participation_once_per_cohort"
            ),
            models.CheckConstraint(
                condition=~Q(state="withdrawn") | ~Q(withdrawn_reason=""),
                name="participation_withdrawn_has_reason",
            ),
        ]
        indexes = [
            # An organisation's people in one cohort (see `cohort_newest_idx`).
            models.Index(fields=["cohort", "organisation"], name="participation_partner_idx"),
            # The participant list's page in its order: by side then name (the default),
            # or by name (then the address, sorted among the few of one name).
            models.Index(
                fields=["cohort", "side", "sort_name", "id"], name="participation_side_name_idx"
            ),
            models.Index(fields=["cohort", "sort_name", "id"], name="participation_name_idx"),
            # The list's first view (who needs action) in its first order, by side then
            # name: only the people whose invitation waits (for a cohort that counts the
            # only nominated as waiting too, the cohort's index above).
            models.Index(
                fields=["cohort", "side", "sort_name", "id"],
                condition=INVITATION_WAITING,
                name="participation_waiting_idx",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.cohort})"
