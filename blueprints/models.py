"""Models of the blueprints app (see DESIGN.md): the documents and recommendations that a
programme office publishes so that other ministries and authorities can run the programme
themselves (transfer).

Every write goes through `blueprints.services`; this class holds fields, constraints and
cheap properties only. Uploads and "adopt this programme" come later.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Blueprint(models.Model):
    """A published text of the programme: a blueprint, a method toolbox, a recommendation
    or an evaluation report."""

    class Kind(models.TextChoices):
        BLUEPRINT = "blueprint", _("Blueprint")
        TOOLBOX = "toolbox", _("Method toolbox")
        RECOMMENDATION = "recommendation", _("Recommendation")
        EVALUATION = "evaluation", _("Evaluation report")

    class Language(models.TextChoices):
        GERMAN = "de", _("German")
        ENGLISH = "en", _("English")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.BLUEPRINT, db_index=True
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One or two sentences for the list and the landing page."),
    )
    body = models.TextField(
        _("text"), blank=True, help_text=_("Plain text; an empty line starts a new paragraph.")
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.GERMAN
    )
    programme = models.ForeignKey(
        "cohorts.Programme",
        verbose_name=_("programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="blueprints",
    )
    organisation = models.ForeignKey(
        "pioneer.Organisation",
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="blueprints",
        help_text=_("Its programme office may publish and withdraw the blueprint."),
    )
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Shown to everyone once the publication date has come."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("blueprint")
        verbose_name_plural = _("blueprints")
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        """Everyone may read it: public, and its publication date has come."""
        return (
            self.is_public and self.published_at is not None and self.published_at <= timezone.now()
        )
