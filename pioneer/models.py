"""Core models: people, organisations, roles and the notification ledger."""

import functools
import re
import unicodedata
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pioneer.validators import NAME_VALIDATORS


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; the e-mail address is the login."""

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True, validators=NAME_VALIDATORS)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("E-mails, documents and pages are shown in this language."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("technical administrator"),
        default=False,
        help_text=_("May use the technical administration (Django admin)."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["name", "email"]

    def __str__(self):
        return self.name or self.email

    def clean(self):
        super().clean()
        self.email = type(self).objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return (self.name.split(" ")[0] if self.name else "") or self.email


@functools.lru_cache(maxsize=8192)
def organisation_key(name):
    """A normalised organisation name, so "Muster GmbH" and "muster  gmbh." are one.

    Used to recognise a second registration of the same organisation for a cohort, and
    to suggest (never to decide) that a new organisation may be an existing one.
    Memoised: a pure function of the name, and the suggestions compare the name of a
    registration with every organisation's (pioneer.selectors.organisations_resembling).
    """
    text = unicodedata.normalize("NFKD", name or "").casefold()
    text = text.replace("ß", "ss")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


class Organisation(models.Model):
    """A ministry, subordinate authority, company, non-profit or other body."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        AUTHORITY = "authority", _("Subordinate authority")
        COMPANY = "company", _("Company")
        NONPROFIT = "nonprofit", _("Non-profit organisation")
        OTHER = "other", _("Other organisation")

    name = models.CharField(_("name"), max_length=200, validators=NAME_VALIDATORS)
    short_name = models.CharField(
        _("short name"), max_length=40, blank=True, validators=NAME_VALIDATORS
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent ministry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authorities",
        limit_choices_to={"kind": "ministry"},
        help_text=_("Required for a subordinate authority."),
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="organisation_unique_name_kind"),
            models.CheckConstraint(
                condition=Q(kind="authority", parent__isnull=False) | ~Q(kind="authority"),
                name="organisation_authority_has_parent",
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    @property
    def is_public_body(self):
        return self.kind in {self.Kind.MINISTRY, self.Kind.AUTHORITY}

    def clean(self):
        super().clean()
        if self.kind == self.Kind.AUTHORITY and not self.parent_id:
            raise ValidationError(
                {"parent": _("A subordinate authority needs its parent ministry.")}
            )
        if self.parent_id and self.kind != self.Kind.AUTHORITY:
            raise ValidationError(
                {"parent": _("Only a subordinate authority has a parent ministry.")}
            )
        if self.parent_id and self.parent.kind != self.Kind.MINISTRY:
            raise ValidationError({"parent": _("The parent must be a ministry.")})


class Role(models.Model):
    """What a person may do, and for which organisation. A person can hold several."""

    class Kind(models.TextChoices):
        PROGRAMME_OFFICE = "office", _("Programme office")
        PARTNER_CONTACT = "partner", _("Partner contact")
        PARTICIPANT = "participant", _("Participant")
        EVALUATOR = "evaluator", _("Evaluator")

    # Roles that must be bound to an organisation (they act on its behalf).
    ORGANISATION_BOUND = {Kind.PROGRAMME_OFFICE, Kind.PARTNER_CONTACT}
    # Roles that see personal data of many people: two-factor login required.
    SECOND_FACTOR_ROLES = {Kind.PROGRAMME_OFFICE, Kind.EVALUATOR}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(_("role"), max_length=16, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "organisation"], name="role_unique_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(organisation__isnull=True),
                name="role_unique_without_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["office", "partner"]) | Q(organisation__isnull=False),
                name="role_office_and_partner_need_organisation",
            ),
        ]

    def __str__(self):
        if self.organisation_id:
            return f"{self.get_kind_display()} ({self.organisation})"
        return str(self.get_kind_display())

    def clean(self):
        super().clean()
        if self.kind in self.ORGANISATION_BOUND and not self.organisation_id:
            raise ValidationError({"organisation": _("This role acts for an organisation.")})


class Notification(models.Model):
    """The ledger of e-mails (the outbox): each (kind, object, recipient, due date) once.

    Every e-mail of the project is a row here, written in the same transaction as its
    cause. Kinds registered in `pioneer.notifications` are rendered when sent, for a
    user; pre-rendered e-mails (allauth's, the interest form's, barrier reports) carry
    their content in an OutgoingMail row and may go to a bare address. The unique key
    makes scheduling twice harmless; the claim (a conditional UPDATE) lets one sender
    at a time send a row. The guarantee (see services.notification_send): each row is
    sent at least once, and exactly once unless its sender dies between the mail
    server's acceptance and the ledger's update; a second copy carries the same
    Message-ID.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    kind = models.CharField(_("kind"), max_length=64)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    # The address of a recipient without an account (a visitor who registered interest,
    # the accessibility contact); empty when `recipient` is set (their address is read
    # when sending, so a changed address is honoured).
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    due_date = models.DateField(_("due date"))
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When the dispatcher last handed the row to the broker: it is not queued again
    # until that is stale (the message may have been lost with the broker).
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Rendered once, in the recipient's language, when sent: the in-app list shows
    # exactly what the e-mail said.
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "recipient", "due_date"],
                name="notification_once_per_key",
            ),
            # The same key for a recipient who is only an address.
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "email", "due_date"],
                condition=models.Q(recipient__isnull=True),
                name="notification_once_per_address",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(email=""),
                name="notification_has_a_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="notification_due_idx"),
            models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx"),
            # The list of a person's notifications, newest first, a page at a time: read
            # in index order and stopped after the page, not all of them sorted.
            models.Index(
                fields=["recipient", "state", "-sent_at", "-id"], name="notification_list_idx"
            ),
            # The unread count on the home page, from the index alone: only unread rows
            # (the list's index would fetch each of the person's rows to see `read_at`).
            # No condition on `state`: the count binds it as a parameter, which a prepared
            # statement's generic plan could not match against a partial index.
            models.Index(
                fields=["recipient", "state"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id or self.email} ({self.due_date})"

    @property
    def is_unread(self):
        return self.state == self.State.SENT and self.read_at is None


class OutgoingMail(models.Model):
    """The content of an e-mail rendered when it was scheduled (allauth's verification
    and password-reset mails, the interest form's confirmation and decline, barrier
    reports): the target of its ledger row.

    Such a message may hold a secret link (a password-reset key, a confirmation token)
    that exists nowhere else in readable form. It is kept only until the ledger is done
    with the row: once sent, failed for good or cancelled, the body is blanked and only
    the subject remains.
    """

    subject = models.CharField(max_length=255)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")

    def __str__(self):
        return self.subject


class BarrierReport(models.Model):
    """A barrier someone reported from the accessibility statement's feedback form."""

    page = models.CharField(_("page or function"), max_length=300)
    description = models.TextField(_("description"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="de")
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("barrier report")
        verbose_name_plural = _("barrier reports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.page} ({self.created_at:%Y-%m-%d})"


class Job(models.Model):
    """Long work done outside the request: an import, an export, a PDF.

    Apps register a kind with its runner in `pioneer.jobs`; `pioneer.jobs.job_run` claims
    the row with a conditional UPDATE, so running it twice is harmless. A result file is
    kept in the private "jobs" storage under a name the server made, and is only ever
    handed out by the download view after a permission check.
    """

    class State(models.TextChoices):
        AWAITING = "awaiting", _("awaiting confirmation")
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # What the runner needs (never trusted from a browser: written by the server).
    payload = models.JSONField(default=dict, blank=True)
    # What the runner reports back (counts for the page); also its "already done" mark.
    summary = models.JSONField(default=dict, blank=True)
    result_name = models.CharField(max_length=255, blank=True)
    result_filename = models.CharField(max_length=255, blank=True)
    result_content_type = models.CharField(max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "started_at"], name="job_state_idx"),
            models.Index(fields=["expires_at"], name="job_expiry_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.public_id} ({self.state})"

    @property
    def is_active(self):
        return self.state in {self.State.QUEUED, self.State.RUNNING}

    @property
    def is_expired(self):
        """Done with a file that the dispatcher has deleted since."""
        return self.state == self.State.DONE and bool(self.result_filename) and not self.result_name

    @property
    def percent(self):
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class PartnerLink(models.Model):
    """An office's explicit decision that it acts for a partner organisation.

    Made when the office accepts a registration and links it to an organisation, or when
    it adds an organisation on its organisation pages; never by matching names. The
    office of `office_organisation` (and nobody else) may then invite the partner's
    contacts, add its people to its cohorts and edit it; the partner's contacts see
    their people and registrations in the programmes that `office_organisation` runs.
    """

    office_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organiser"),
        on_delete=models.CASCADE,
        related_name="partner_links",
    )
    partner = models.ForeignKey(
        Organisation,
        verbose_name=_("partner organisation"),
        on_delete=models.CASCADE,
        related_name="office_links",
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("partner link")
        verbose_name_plural = _("partner links")
        constraints = [
            models.UniqueConstraint(
                fields=["office_organisation", "partner"], name="partner_link_once"
            )
        ]

    def __str__(self):
        return f"{self.office_organisation_id} → {self.partner_id}"


class CalendarFeedToken(models.Model):
    """The secret of a person's calendar feed (a URL calendar programs subscribe to).

    Only a hash is stored (like the survey links): the URL is shown once when it is
    made; whoever has it reads the person's own dates and nothing else. Renewing
    replaces the hash (the old URL answers 404 at once), revoking deletes the row.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed_token",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed link")
        verbose_name_plural = _("calendar feed links")

    def __str__(self):
        return f"{self.user_id} ({self.created_at:%Y-%m-%d})"
