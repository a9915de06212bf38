"""Models of the blueprints app (see DESIGN.md): the documents and recommendations that a
programme office publishes so that other ministries and authorities can run the programme
themselves (transfer).

Every write goes through `blueprints.services`; these classes hold fields, constraints and
cheap properties only.

Two switches decide who reads a blueprint: `is_public` with `published_at` say whether it
is published at all (a draft or a withdrawn one is seen by its office only), `visibility`
says by whom once it is (everyone, or signed-in people only).
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blueprints import licences
from blueprints.storage import get_storage


class Tag(models.Model):
    """A keyword of the library (a filter of the list). Tags are made by the offices that
    write blueprints; the slug is the filter's value."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Blueprint(models.Model):
    """A published text of the programme: a method, a template, a guideline, a
    recommendation or an evaluation report."""

    class Category(models.TextChoices):
        METHOD = "method", _("Method")
        TEMPLATE = "template", _("Template")
        GUIDELINE = "guideline", _("Guideline")
        RECOMMENDATION = "recommendation", _("Recommendation")
        EVALUATION = "evaluation", _("Evaluation report")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone who runs a programme")
        OFFICE = "office", _("Programme offices and HR departments")
        LEADERSHIP = "leadership", _("Leadership and managers")
        PARTICIPANTS = "participants", _("Participants")
        PARTNERS = "partners", _("Partner organisations")
        FACILITATORS = "facilitators", _("Facilitators")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        SIGNED_IN = "signed_in", _("Signed-in people only")

    class Language(models.TextChoices):
        GERMAN = "de", _("German")
        ENGLISH = "en", _("English")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    category = models.CharField(
        _("category"),
        max_length=16,
        choices=Category.choices,
        default=Category.METHOD,
        db_index=True,
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One or two sentences for the list and the landing page."),
    )
    body = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "Markdown: an empty line starts a new paragraph, # a heading, - a list item, "
            "**bold**, [link](https://…)."
        ),
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.EVERYONE
    )
    duration_minutes = models.PositiveIntegerField(
        _("duration in minutes"),
        null=True,
        blank=True,
        help_text=_("For methods: how long it takes (a full day is about 420 minutes)."),
    )
    group_min = models.PositiveSmallIntegerField(
        _("smallest group"), null=True, blank=True, help_text=_("For methods.")
    )
    group_max = models.PositiveSmallIntegerField(
        _("largest group"), null=True, blank=True, help_text=_("For methods.")
    )
    materials = models.TextField(
        _("materials"), blank=True, help_text=_("What to prepare; Markdown as in the text.")
    )
    licence = models.CharField(
        _("licence"), max_length=20, choices=licences.CHOICES, default=licences.DEFAULT
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.GERMAN
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        help_text=_("The same blueprint in its original language."),
    )
    visibility = models.CharField(
        _("visible to"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    programme = models.ForeignKey(
        "cohorts.Programme",
        verbose_name=_("programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="blueprints",
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort",
        verbose_name=_("cohort"),
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
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="+")
    is_public = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Shown to its readers once the publication date has come."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The words of title, summary, text and materials for the search (blueprints.search);
    # kept by a receiver after each save, empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("blueprint")
        verbose_name_plural = _("blueprints")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(group_min__isnull=True)
                | Q(group_max__isnull=True)
                | Q(group_min__lte=models.F("group_max")),
                name="blueprint_group_min_lte_max",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        """Its readers may read it: released, and its publication date has come."""
        return (
            self.is_public and self.published_at is not None and self.published_at <= timezone.now()
        )

    @property
    def licence_info(self):
        return licences.get(self.licence)

    @property
    def is_method(self):
        return self.category == self.Category.METHOD


class BlueprintFile(models.Model):
    """A document of a blueprint (the agenda, the template, the report). Each upload is a
    new version; the newest is the one offered first."""

    blueprint = models.ForeignKey(
        Blueprint, verbose_name=_("blueprint"), on_delete=models.CASCADE, related_name="files"
    )
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["title", "id"]

    def __str__(self):
        return self.title


class BlueprintFileVersion(models.Model):
    """One upload of a file. The stored name is made by the server (a random name with
    the checked type's extension); the name the uploader's computer gave is kept only as
    a cleaned display name for the download."""

    blueprint_file = models.ForeignKey(
        BlueprintFile, verbose_name=_("file"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("stored file"), storage=get_storage, max_length=200)
    display_name = models.CharField(_("file name"), max_length=150)
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=100)

    class Meta:
        verbose_name = _("file version")
        verbose_name_plural = _("file versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["blueprint_file", "number"], name="blueprint_file_version_unique_number"
            )
        ]

    def __str__(self):
        return f"{self.display_name} ({self.number})"


class DownloadCount(models.Model):
    """How often a version was downloaded on a day: a number, and nothing about who (no
    user, no address, no time of day)."""

    version = models.ForeignKey(
        BlueprintFileVersion,
        verbose_name=_("file version"),
        on_delete=models.CASCADE,
        related_name="download_counts",
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        verbose_name = _("download count")
        verbose_name_plural = _("download counts")
        constraints = [
            models.UniqueConstraint(fields=["version", "day"], name="download_count_unique_day")
        ]

    def __str__(self):
        return f"{self.version_id} {self.day}: {self.count}"


class Adoption(models.Model):
    """Another organisation's programme office started its own programme (and its first
    cohort) from a programme and its blueprints ("adopt this programme"). Kept so the
    library can show which organisations reuse which blueprint."""

    source_programme = models.ForeignKey(
        "cohorts.Programme",
        verbose_name=_("adopted programme"),
        on_delete=models.PROTECT,
        related_name="adoptions",
    )
    source_cohort = models.ForeignKey(
        "cohorts.Cohort",
        verbose_name=_("cohort copied"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The cohort whose event plan and surveys were copied."),
    )
    blueprints = models.ManyToManyField(
        Blueprint, verbose_name=_("blueprints"), blank=True, related_name="adoptions"
    )
    organisation = models.ForeignKey(
        "pioneer.Organisation",
        verbose_name=_("adopted by"),
        on_delete=models.PROTECT,
        related_name="adoptions",
    )
    programme = models.OneToOneField(
        "cohorts.Programme",
        verbose_name=_("new programme"),
        on_delete=models.PROTECT,
        related_name="adopted_from",
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort",
        verbose_name=_("first cohort"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("adopted"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.organisation} ← {self.source_programme}"
