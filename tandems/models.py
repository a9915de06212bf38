"""Models of the tandems app (see DESIGN.md): a tandem of two people of one cohort, its two
mirrored hospitation phases, its milestones, the preferences stated before the matching,
and (used from the next step on) the agreements' confirmations and the learning journal.

Every write goes through `tandems.services`; these classes hold fields, constraints and
cheap properties only. The database holds every rule it can: two phases per tandem at most
(unique number), one live tandem per person, end after start, an early end with a reason.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Tandem(models.Model):
    """Two people of one cohort, one of the administration and one external, who each
    hospitate at the other's organisation (two phases)."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        AGREED = "agreed", _("Agreed")
        PHASE_1 = "phase_1", _("In phase 1")
        PHASE_2 = "phase_2", _("In phase 2")
        COMPLETED = "completed", _("Completed")
        ENDED_EARLY = "ended_early", _("Ended early")

    # A person is in at most one tandem of these states (the database says so too).
    LIVE = (State.PROPOSED, State.AGREED, State.PHASE_1, State.PHASE_2, State.COMPLETED)
    RUNNING = (State.PHASE_1, State.PHASE_2)

    cohort = models.ForeignKey(
        "cohorts.Cohort",
        verbose_name=_("cohort"),
        on_delete=models.PROTECT,
        related_name="tandems",
    )
    administration = models.ForeignKey(
        "cohorts.Participation",
        verbose_name=_("administration partner"),
        on_delete=models.PROTECT,
        related_name="tandems_as_administration",
    )
    external = models.ForeignKey(
        "cohorts.Participation",
        verbose_name=_("external partner"),
        on_delete=models.PROTECT,
        related_name="tandems_as_external",
    )
    topic = models.CharField(
        _("topic or question"),
        max_length=300,
        blank=True,
        help_text=_("What the two work on together."),
    )
    state = models.CharField(
        _("status"), max_length=16, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    ended_reason = models.TextField(_("reason for the early end"), blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    administration_confirmed_at = models.DateTimeField(
        _("confirmed by the administration partner"), null=True, blank=True
    )
    external_confirmed_at = models.DateTimeField(
        _("confirmed by the external partner"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tandem")
        verbose_name_plural = _("tandems")
        ordering = ["cohort", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration"],
                condition=~Q(state="ended_early"),
                name="tandem_once_per_administration_partner",
            ),
            models.UniqueConstraint(
                fields=["external"],
                condition=~Q(state="ended_early"),
                name="tandem_once_per_external_partner",
            ),
            models.CheckConstraint(
                condition=~Q(administration=F("external")), name="tandem_two_people"
            ),
            models.CheckConstraint(
                condition=~Q(state="ended_early") | ~Q(ended_reason=""),
                name="tandem_ended_early_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.administration.user} & {self.external.user}"

    @property
    def is_live(self):
        return self.state != self.State.ENDED_EARLY

    @property
    def is_running(self):
        return self.state in self.RUNNING

    def partner_of(self, user):
        """The other person's participation, seen from `user`."""
        return self.external if self.administration.user_id == user.pk else self.administration

    def confirmed_by_user(self, user):
        if self.administration.user_id == user.pk:
            return self.administration_confirmed_at is not None
        if self.external.user_id == user.pk:
            return self.external_confirmed_at is not None
        return False


class HospitationPhase(models.Model):
    """One of a tandem's two mirrored stays: the guest hospitates at the host organisation
    (the partner's). Number 1 comes first; swapping the order swaps guest and host."""

    class Number(models.IntegerChoices):
        FIRST = 1, _("Phase 1")
        SECOND = 2, _("Phase 2")

    tandem = models.ForeignKey(
        Tandem, verbose_name=_("tandem"), on_delete=models.CASCADE, related_name="phases"
    )
    number = models.PositiveSmallIntegerField(_("phase"), choices=Number.choices)
    guest = models.ForeignKey(
        "cohorts.Participation",
        verbose_name=_("guest"),
        on_delete=models.PROTECT,
        related_name="phases_as_guest",
    )
    host_organisation = models.ForeignKey(
        "pioneer.Organisation",
        verbose_name=_("host organisation"),
        on_delete=models.PROTECT,
        related_name="hosted_phases",
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    host_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_phases",
        help_text=_("A partner contact of the host organisation with an account."),
    )
    host_contact_name = models.CharField(_("host contact's name"), max_length=200, blank=True)
    host_contact_email = models.EmailField(_("host contact's e-mail address"), blank=True)
    # The sending organisation's representative who signs the agreement (the guest's
    # supervisor): a person with an account, or a named person with an e-mail address.
    sender_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("representative of the sending organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sent_phases",
    )
    sender_contact_name = models.CharField(
        _("representative's name (sending organisation)"), max_length=200, blank=True
    )
    sender_contact_email = models.EmailField(
        _("representative's e-mail address (sending organisation)"), blank=True
    )
    # Grows with every change of what the three parties confirm (dates, goals, guest,
    # host contact): confirmations of an older version no longer count.
    agreement_version = models.PositiveIntegerField(_("version of the agreement"), default=1)
    # The programme's agreement text as it was when the first party confirmed this
    # version (both languages); empty: the programme's current text applies.
    agreement_text_de = models.TextField(_("agreement text (German)"), blank=True)
    agreement_text_en = models.TextField(_("agreement text (English)"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    # The checklist of the agreement, confirmed by the guest and by the host.
    guest_confidentiality = models.BooleanField(_("confidentiality (guest)"), default=False)
    guest_secondary_employment = models.BooleanField(
        _("secondary employment (guest)"), default=False
    )
    guest_conflicts = models.BooleanField(_("no conflict of interest (guest)"), default=False)
    host_confidentiality = models.BooleanField(_("confidentiality (host)"), default=False)
    host_secondary_employment = models.BooleanField(_("secondary employment (host)"), default=False)
    host_conflicts = models.BooleanField(_("no conflict of interest (host)"), default=False)
    # Raised with every change a calendar program should take over (dates, guest and
    # host, an early end): the personal calendar feed's SEQUENCE.
    sequence = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hospitation phase")
        verbose_name_plural = _("hospitation phases")
        ordering = ["tandem", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tandem", "number"], name="phase_once_per_number"),
            models.CheckConstraint(condition=Q(number__in=[1, 2]), name="phase_number_1_or_2"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="phase_end_after_start"),
        ]

    def __str__(self):
        return f"{self.tandem_id}/{self.number}"

    @property
    def host_contact_label(self):
        if self.host_contact_id:
            return str(self.host_contact)
        return self.host_contact_name

    @property
    def days(self):
        return (self.end - self.start).days + 1

    @property
    def guest_checklist_done(self):
        return (
            self.guest_confidentiality and self.guest_secondary_employment and self.guest_conflicts
        )

    @property
    def host_checklist_done(self):
        return self.host_confidentiality and self.host_secondary_employment and self.host_conflicts

    @property
    def sender_contact_label(self):
        if self.sender_contact_id:
            return str(self.sender_contact)
        return self.sender_contact_name

    def contact_of(self, party):
        """(user or None, name, e-mail) of a party's signatory."""
        if party == AgreementConfirmation.Party.PERSON:
            return self.guest.user, "", ""
        if party == AgreementConfirmation.Party.SENDER:
            return self.sender_contact, self.sender_contact_name, self.sender_contact_email
        return self.host_contact, self.host_contact_name, self.host_contact_email


class Milestone(models.Model):
    """A step of a tandem's six months, made from its phases' dates."""

    class Kind(models.TextChoices):
        KICK_OFF = "kick_off", _("Kick-off")
        AGREEMENT = "agreement", _("Agreement confirmed")
        PHASE_1_START = "phase_1_start", _("Phase 1 starts")
        MID_REFLECTION = "mid_reflection", _("Mid-point reflection")
        PHASE_SWITCH = "phase_switch", _("Phase switch")
        PHASE_2_END = "phase_2_end", _("Phase 2 ends")
        FINAL_REFLECTION = "final_reflection", _("Final reflection")

    tandem = models.ForeignKey(
        Tandem, verbose_name=_("tandem"), on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    due_date = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    # Raised when its date, its done mark or its tandem's end changes: the calendar
    # feed's SEQUENCE.
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["tandem", "due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tandem", "kind"], name="milestone_once_per_kind")
        ]

    def __str__(self):
        return f"{self.tandem_id}: {self.kind}"


class MatchPreference(models.Model):
    """Whom a participant would like, or not like, to be paired with (from anonymised
    profiles). A dislike is an exclusion the matching never breaks."""

    class Kind(models.TextChoices):
        LIKE = "like", _("I would like to be paired")
        DISLIKE = "dislike", _("Please not with this person")

    participation = models.ForeignKey(
        "cohorts.Participation",
        verbose_name=_("participation"),
        on_delete=models.CASCADE,
        related_name="match_preferences",
    )
    other = models.ForeignKey(
        "cohorts.Participation",
        verbose_name=_("other participation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("preference"), max_length=8, choices=Kind.choices)
    created_at = models.DateTimeField(_("stated"), auto_now=True)

    class Meta:
        verbose_name = _("matching preference")
        verbose_name_plural = _("matching preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "other"], name="preference_once_per_pair"
            ),
            models.CheckConstraint(
                condition=~Q(participation=F("other")), name="preference_about_another"
            ),
        ]

    def __str__(self):
        return f"{self.participation_id} → {self.other_id}: {self.kind}"


class AgreementConfirmation(models.Model):
    """One of the three parties' confirmation of a phase's hospitation agreement: the
    person, the sending organisation, the host organisation (signed in, by link, or on
    paper recorded by the office). Its flow comes with the agreements' pages."""

    class Party(models.TextChoices):
        PERSON = "person", _("Person")
        SENDER = "sender", _("Sending organisation")
        HOST = "host", _("Host organisation")

    phase = models.ForeignKey(
        HospitationPhase,
        verbose_name=_("phase"),
        on_delete=models.CASCADE,
        related_name="confirmations",
    )
    party = models.CharField(_("party"), max_length=8, choices=Party.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    at = models.DateTimeField(_("confirmed"))
    via_paper = models.BooleanField(_("signed on paper"), default=False)
    via_link = models.BooleanField(_("confirmed through a personal link"), default=False)
    # The phase's agreement_version confirmed; an older one no longer counts.
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("agreement confirmation")
        verbose_name_plural = _("agreement confirmations")
        ordering = ["phase", "-version", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "party", "version"], name="confirmation_once_per_party_version"
            )
        ]

    def __str__(self):
        return f"{self.phase_id}: {self.party}"


class AgreementTemplate(models.Model):
    """A programme's text of the hospitation agreement (Markdown, in German and English),
    edited by its office; empty fields fall back to `tandems.agreements.DEFAULT_TEXT`."""

    programme = models.OneToOneField(
        "cohorts.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="agreement_template",
    )
    body_de = models.TextField(_("text in German"), blank=True)
    body_en = models.TextField(_("text in English"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("agreement text")
        verbose_name_plural = _("agreement texts")

    def __str__(self):
        return str(self.programme_id)


class AgreementInvitation(models.Model):
    """The invitation of one party to confirm one version of a phase's agreement: sent
    once (the ledger's key is this row), to an account or, for a representative
    without one, as a personal link. Only the link's SHA-256 is stored; it works once
    and until `expires_at`."""

    phase = models.ForeignKey(
        HospitationPhase,
        verbose_name=_("phase"),
        on_delete=models.CASCADE,
        related_name="agreement_invitations",
    )
    party = models.CharField(_("party"), max_length=8, choices=AgreementConfirmation.Party.choices)
    version = models.PositiveIntegerField(_("version"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(_("link valid until"), null=True, blank=True)
    used_at = models.DateTimeField(_("link used"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement invitation")
        verbose_name_plural = _("agreement invitations")
        ordering = ["phase", "-version", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "party", "version"], name="agreement_invitation_once"
            )
        ]

    def __str__(self):
        return f"{self.phase_id}/{self.party}/v{self.version}"


class AgreementDocument(models.Model):
    """A stored PDF of a phase's agreement: one made by the PDF job (per language), or a
    signed scan uploaded by the office. Versions count up per phase and kind; exactly
    one of each (kind, language) is current. Files live in private storage under a
    name the server made and are handed out only by the guarded download view."""

    class Kind(models.TextChoices):
        GENERATED = "generated", _("Made by Pioneer")
        SCAN = "scan", _("Signed scan")

    phase = models.ForeignKey(
        HospitationPhase,
        verbose_name=_("phase"),
        on_delete=models.CASCADE,
        related_name="agreement_documents",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8, blank=True)
    version = models.PositiveIntegerField(_("version"))
    agreement_version = models.PositiveIntegerField(_("version of the agreement"))
    # What the PDF was made from (data, text, confirmations): the same digest again
    # means there is nothing new to make.
    digest = models.CharField(max_length=64, blank=True)
    file_name = models.CharField(max_length=255)
    display_name = models.CharField(_("file name"), max_length=150)
    size = models.PositiveIntegerField(_("size"))
    is_current = models.BooleanField(_("current"), default=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    made_at = models.DateTimeField(_("made"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        ordering = ["phase", "kind", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "kind", "language", "version"],
                name="agreement_document_version_once",
            ),
            models.UniqueConstraint(
                fields=["phase", "kind", "language"],
                condition=Q(is_current=True),
                name="agreement_document_one_current",
            ),
        ]

    def __str__(self):
        return f"{self.phase_id}/{self.kind}/{self.language}/v{self.version}"


class JournalEntry(models.Model):
    """An entry of a participant's learning journal. Private unless its author shares it
    with the tandem partner or the programme office. On purpose without a history table:
    an entry deleted is gone, and no audit copy shows a private text to anyone."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", _("Only me (private)")
        PARTNER = "partner", _("Me and my tandem partner")
        OFFICE = "office", _("Me and the programme office")
        BOTH = "both", _("Me, my tandem partner and the programme office")

    # Who besides the author reads an entry: the selectors filter by these, nothing else.
    SHARED_WITH_PARTNER = (Visibility.PARTNER, Visibility.BOTH)
    SHARED_WITH_OFFICE = (Visibility.OFFICE, Visibility.BOTH)

    participation = models.ForeignKey(
        "cohorts.Participation",
        verbose_name=_("participation"),
        on_delete=models.CASCADE,
        related_name="journal_entries",
    )
    date = models.DateField(_("date"))
    phase = models.ForeignKey(
        HospitationPhase,
        verbose_name=_("phase"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("text"))
    visibility = models.CharField(
        _("visible to"),
        max_length=8,
        choices=Visibility.choices,
        default=Visibility.PRIVATE,
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["participation", "-date", "-id"]
        indexes = [
            models.Index(fields=["participation", "visibility"], name="journal_by_visibility")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=["private", "partner", "office", "both"]),
                name="journal_visibility_known",
            )
        ]

    def __str__(self):
        # No text here: a string of the entry may end up in a log or a message.
        return f"{self.participation_id}: {self.date}"

    @property
    def shared_with_partner(self):
        return self.visibility in self.SHARED_WITH_PARTNER

    @property
    def shared_with_office(self):
        return self.visibility in self.SHARED_WITH_OFFICE
