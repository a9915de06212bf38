"""Forms of the blueprints app: the library's filter, the office's blueprint form, and the
upload of a file or a new version. Parsing only: the services write."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from blueprints import licences, selectors, uploads
from blueprints.models import Blueprint
from blueprints.services import MAX_TAGS, BlueprintData
from cohorts.forms import DateInput
from cohorts.models import Cohort, Programme
from pioneer.models import Organisation
from pioneer.validators import SafeForm

GROUP_SIZE_MAX = 1000


class BlueprintFilter(SafeForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Words from the title, summary or text."),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Blueprint.Category.choices],
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        required=False,
        choices=[("", _("Any audience")), *Blueprint.Audience.choices],
    )
    duration = forms.ChoiceField(
        label=_("Duration"),
        required=False,
        choices=[
            ("", _("Any duration")),
            ("short", _("Up to two hours")),
            ("half_day", _("Up to half a day")),
            ("day", _("About a day")),
            ("longer", _("Longer than a day")),
        ],
    )
    group_size = forms.IntegerField(
        label=_("Group size"),
        required=False,
        min_value=1,
        max_value=GROUP_SIZE_MAX,
        help_text=_("Methods that work with this many people."),
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False, choices=[])

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", _("Any tag")), *((t.slug, t.name) for t in tags)]

    def library_query(self):
        """What was validly asked (an invalid field counts as not asked)."""
        data = self.cleaned_data if self.is_bound else {}
        return selectors.LibraryQuery(
            text=data.get("q") or "",
            category=data.get("category") or "",
            audience=data.get("audience") or "",
            duration=data.get("duration") or "",
            group_size=data.get("group_size"),
            tag=data.get("tag") or "",
        )


def _licence_choices():
    return [(licence.code, licence.name) for licence in licences.LICENCES]


class BlueprintForm(SafeForm):
    """What an office writes about a blueprint. `organisations`: the organisations whose
    office the user works in (only when creating; an existing one keeps its own)."""

    name_fields = ("title",)

    organisation = forms.ModelChoiceField(
        label=_("Published by"), queryset=Organisation.objects.none()
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences for the list and the landing page."),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=Blueprint._meta.get_field("body").help_text,
    )
    category = forms.ChoiceField(label=_("Category"), choices=Blueprint.Category.choices)
    audience = forms.ChoiceField(label=_("Audience"), choices=Blueprint.Audience.choices)
    duration_minutes = forms.IntegerField(
        label=_("Duration in minutes"),
        required=False,
        min_value=1,
        max_value=60 * 24 * 30,
        help_text=_("For methods: how long it takes (a full day is about 420 minutes)."),
    )
    group_min = forms.IntegerField(
        label=_("Smallest group"), required=False, min_value=1, max_value=GROUP_SIZE_MAX
    )
    group_max = forms.IntegerField(
        label=_("Largest group"), required=False, min_value=1, max_value=GROUP_SIZE_MAX
    )
    materials = forms.CharField(
        label=_("Materials"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What to prepare; Markdown as in the text."),
    )
    licence = forms.ChoiceField(label=_("Licence"), choices=_licence_choices)
    language = forms.ChoiceField(label=_("Language"), choices=Blueprint.Language.choices)
    translation_of = forms.ModelChoiceField(
        label=_("Translation of"),
        required=False,
        queryset=Blueprint.objects.none(),
        help_text=_("The same blueprint in its original language, if this is a translation."),
    )
    visibility = forms.ChoiceField(
        label=_("Visible to"),
        choices=Blueprint.Visibility.choices,
        widget=forms.RadioSelect,
        help_text=_("Once published. A draft is seen by your programme office only."),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=Programme.objects.none()
    )
    cohort = forms.ModelChoiceField(
        label=_("Cohort"), required=False, queryset=Cohort.objects.none()
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=600,
        help_text=_("Keywords separated by commas, such as: workshop, onboarding."),
    )

    def __init__(self, *args, organisations=None, blueprint=None, **kwargs):
        super().__init__(*args, **kwargs)
        if blueprint is not None:
            del self.fields["organisation"]
            org_ids = [blueprint.organisation_id]
        else:
            self.fields["organisation"].queryset = organisations
            org_ids = list(organisations.values_list("pk", flat=True))
            if len(org_ids) == 1:
                self.fields["organisation"].initial = org_ids[0]
                self.fields["organisation"].widget = forms.HiddenInput()
        self.fields["programme"].queryset = Programme.objects.filter(
            organisation_id__in=org_ids
        ).order_by("name")
        self.fields["cohort"].queryset = (
            Cohort.objects.filter(programme__organisation_id__in=org_ids)
            .select_related("programme")
            .order_by("programme__name", "-start_date", "title")
        )
        self.fields["cohort"].label_from_instance = lambda c: f"{c.programme.name}: {c.title}"
        others = Blueprint.objects.filter(organisation_id__in=org_ids).order_by("title")
        if blueprint is not None:
            others = others.exclude(pk=blueprint.pk)
        self.fields["translation_of"].queryset = others
        self.fields["licence"].help_text = " ".join(
            f"{licence.name}: {licence.terms}" for licence in licences.LICENCES
        )

    @staticmethod
    def initial_for(blueprint):
        return {
            **{
                name: getattr(blueprint, name)
                for name in (
                    "title",
                    "summary",
                    "body",
                    "category",
                    "audience",
                    "duration_minutes",
                    "group_min",
                    "group_max",
                    "materials",
                    "licence",
                    "language",
                    "visibility",
                )
            },
            "programme": blueprint.programme_id,
            "cohort": blueprint.cohort_id,
            "translation_of": blueprint.translation_of_id,
            "tags": ", ".join(tag.name for tag in blueprint.tags.all()),
        }

    def clean_tags(self):
        names = [" ".join(n.split()) for n in self.cleaned_data["tags"].split(",")]
        names = list(dict.fromkeys(n for n in names if n))
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(_("Give at most %(n)s tags.") % {"n": MAX_TAGS})
        if any(len(n) > 50 for n in names):
            raise forms.ValidationError(_("A tag has at most 50 characters."))
        return names

    def clean(self):
        data = super().clean()
        low, high = data.get("group_min"), data.get("group_max")
        if low is not None and high is not None and low > high:
            self.add_error("group_max", _("The largest group cannot be smaller than the smallest."))
        cohort, programme = data.get("cohort"), data.get("programme")
        if cohort is not None and (programme is None or cohort.programme_id != programme.pk):
            self.add_error("cohort", _("Choose a cohort of the chosen programme."))
        return data

    def blueprint_data(self):
        data = self.cleaned_data
        return BlueprintData(
            title=data["title"],
            summary=data["summary"],
            body=data["body"],
            category=data["category"],
            audience=data["audience"],
            duration_minutes=data["duration_minutes"],
            group_min=data["group_min"],
            group_max=data["group_max"],
            materials=data["materials"],
            licence=data["licence"],
            language=data["language"],
            visibility=data["visibility"],
            programme=data["programme"],
            cohort=data["cohort"],
            translation_of=data["translation_of"],
            tags=data["tags"],
        )


class _UploadField(forms.FileField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("File"),
            widget=forms.ClearableFileInput(attrs={"accept": uploads.ACCEPT}),
            **kwargs,
        )


class _UploadForm(SafeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Here, not on the class: in the language of this request, with this setting.
        self.fields["upload"].help_text = uploads.help_text % {
            "mb": settings.BLUEPRINT_MAX_UPLOAD_MB
        }


class FileForm(_UploadForm):
    name_fields = ("title",)

    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("Shown on the page; empty: the file's name."),
    )
    upload = _UploadField()
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("What this version is, for example: first edition."),
    )


class VersionForm(_UploadForm):
    upload = _UploadField()
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        help_text=_("A sentence for the list of versions."),
    )


class AdoptionForm(SafeForm):
    """ "Adopt this programme": the new programme's name and settings (offered as the
    source's), the first cohort's title and start."""

    name_fields = ("name", "cohort_title")

    name = forms.CharField(label=_("Name of your programme"), max_length=200)
    cohort_title = forms.CharField(label=_("Title of the first cohort"), max_length=200)
    start_date = forms.DateField(
        label=_("Start of the first cohort"),
        widget=DateInput(),
        help_text=_("The events and surveys keep their distance to the start."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=Programme.Format.choices, widget=forms.RadioSelect
    )
    default_cohort_months = forms.IntegerField(
        label=_("Cohort length (months)"), min_value=1, max_value=36
    )
    default_phase_months = forms.IntegerField(
        label=_("Phase length (months)"), min_value=1, max_value=36
    )
    is_public = forms.BooleanField(
        label=_("Show the programme publicly"),
        required=False,
        help_text=_("Open cohorts of a public programme appear on the landing page."),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = list(organisations)
        # An office of several organisations chooses which one runs the new programme.
        if len(self.organisations) > 1:
            self.fields["organisation"] = forms.ModelChoiceField(
                label=_("Organiser"),
                queryset=Organisation.objects.filter(pk__in=[o.pk for o in self.organisations]),
            )
            self.order_fields(["organisation"])

    @staticmethod
    def initial_for(source, start_date):
        return {
            "name": source.name,
            "cohort_title": _("1st cohort"),
            "start_date": start_date,
            "description": source.description,
            "format": source.format,
            "default_cohort_months": source.default_cohort_months,
            "default_phase_months": source.default_phase_months,
            "is_public": True,
        }

    def clean(self):
        data = super().clean()
        cohort, phase = data.get("default_cohort_months"), data.get("default_phase_months")
        if cohort and phase and phase > cohort:
            self.add_error(
                "default_phase_months", _("A phase cannot be longer than the whole cohort.")
            )
        return data

    def organisation(self):
        if "organisation" in self.fields:
            return self.cleaned_data["organisation"]
        return self.organisations[0] if self.organisations else None

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "organisation": self.organisation(),
            "name": data["name"],
            "cohort_title": data["cohort_title"],
            "start_date": data["start_date"],
            "description": data["description"],
            "format": data["format"],
            "default_cohort_months": data["default_cohort_months"],
            "default_phase_months": data["default_phase_months"],
            "is_public": data["is_public"],
        }
