"""Models of the evaluation app: surveys, their invitations, and anonymous responses.

Why the answers cannot be joined to a person
--------------------------------------------
Two tables touch a survey from two sides, and no column connects them:

- `SurveyInvitation` knows *who* was asked (a participation), holds the hash of their
  personal link and only whether they have answered, with the day (never the time), so
  the order of the answers cannot be matched to the order of the invitations.
- `Response` / `Answer` know *what* was answered. A response has no foreign key to a
  person, a participation or an invitation, and no time at all. It carries only a
  pseudonymous code (`evaluation.pseudonyms`): a keyed hash of the person's id with a
  per-programme key derived from `EVALUATION_PSEUDONYM_KEY`, a secret that lives in the
  environment, never in the database. The same person gets the same code in every survey
  of a programme (so baseline and final can be linked), and nobody holding the database
  alone can compute it back to a person.
- Responses and answers have random keys (UUIDs), not counters, so the order in which
  they were saved cannot be read from them and set beside the invitations' days.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort, Participation


class Survey(models.Model):
    class Kind(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        MIDPOINT = "midpoint", _("Mid-point")
        FINAL = "final", _("Final")
        EVENT = "event", _("Event feedback")
        FOLLOWUP = "followup", _("Follow-up")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Audience(models.TextChoices):
        ALL = "all", _("All participants")
        ADMINISTRATION = Participation.Side.ADMINISTRATION, _("Administration side only")
        EXTERNAL = Participation.Side.EXTERNAL, _("External side only")

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("cohort")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    opens = models.DateField(_("opens"), null=True, blank=True)
    closes = models.DateField(_("closes"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.ALL
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The state of what the survey's results are computed from: a new random value
    # whenever the survey, its sections or questions, or one of its responses or answers
    # is written (`evaluation.signals`, `services.results_changed`). Reports and
    # comparisons are cached under it, so a cached result is never one of an older state.
    results_state = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["cohort", "opens", "id"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.results_state = uuid.uuid4()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "results_state"}
        super().save(*args, **kwargs)


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["survey", "order", "id"]

    def __str__(self):
        return self.title


class Question(models.Model):
    class Type(models.TextChoices):
        LIKERT = "likert5", _("Likert scale (five points)")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TEXT = "text", _("Free text")
        NUMBER = "number", _("Number")
        NPS = "nps", _("Recommendation (0 to 10)")

    # Types whose answers are numbers on a scale: mean and median make sense.
    SCALED = {Type.LIKERT, Type.NUMBER, Type.NPS}
    # The labels of the five Likert points, from 1 to 5 (translated when shown).
    LIKERT_LABELS = (
        _("Strongly disagree"),
        _("Disagree"),
        _("Neither agree nor disagree"),
        _("Agree"),
        _("Strongly agree"),
    )

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=500)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    # Single and multiple choice: the options, one a line in the builder.
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["section__order", "order", "id"]

    def __str__(self):
        return self.text

    @property
    def is_scaled(self):
        return self.type in self.SCALED

    def options(self):
        """(value, label) pairs a respondent chooses from, for choice-like types."""
        if self.type == self.Type.LIKERT:
            return [(str(i + 1), str(label)) for i, label in enumerate(self.LIKERT_LABELS)]
        if self.type == self.Type.NPS:
            return [(str(i), str(i)) for i in range(11)]
        if self.type in (self.Type.SINGLE, self.Type.MULTIPLE):
            return [(str(choice), str(choice)) for choice in self.choices]
        return []


class SurveyInvitation(models.Model):
    """Who was asked, and only whether they answered (the day, never the time)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    has_answered = models.BooleanField(_("has answered"), default=False)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "participation"], name="evaluation_one_invitation_per_person"
            )
        ]

    def __str__(self):
        return f"{self.survey} / {self.participation_id}"


class Response(models.Model):
    """What one person answered, without who: no person, no invitation, no time."""

    # A random key, not a counter: ids in order of saving, set beside the invitations'
    # answered days in order, would pair the two up again.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    pseudonym = models.CharField(_("pseudonymous code"), max_length=64, db_index=True)
    # Only the side is kept for the breakdown (reports suppress small groups).
    side = models.CharField(
        _("side"), max_length=16, choices=Participation.Side.choices, blank=True
    )
    submitted = models.BooleanField(_("submitted"), default=False)
    draft_token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            # One response per code and survey: a second submit cannot add a second one
            # even if the invitation's flag were skipped.
            models.UniqueConstraint(
                fields=["survey", "pseudonym"], name="evaluation_one_response_per_code"
            )
        ]

    def __str__(self):
        return f"{self.survey} #{self.pk}"


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # as above
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.IntegerField(null=True, blank=True)  # likert 1-5, nps 0-10, number
    text = models.TextField(blank=True)  # free text, single choice
    choices = models.JSONField(default=list, blank=True)  # multiple choice

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="evaluation_one_answer_per_question"
            )
        ]

    def __str__(self):
        return f"{self.response_id}/{self.question_id}"


class EvaluatorAssignment(models.Model):
    """An evaluator reads the surveys and reports of the cohorts assigned to them."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="evaluators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evaluations"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("evaluator assignment")
        verbose_name_plural = _("evaluator assignments")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="evaluation_one_assignment")
        ]

    def __str__(self):
        return f"{self.user} – {self.cohort}"
