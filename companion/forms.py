"""Forms of the companion app: parsing only; the views call the services to save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cohorts.forms import ParseOnlyModelForm
from companion.models import Event, Series
from pioneer import hooks
from pioneer.validators import SafeForm


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


DATETIME_FIELDS = (
    "starts_at",
    "ends_at",
    "registration_opens",
    "registration_closes",
    "cancellation_deadline",
)


class EventForm(ParseOnlyModelForm):
    name_fields = ("title",)
    materials = forms.MultipleChoiceField(
        label=_("Materials"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Blueprints of the library for this event; each reader sees those they may read."
        ),
    )

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "description",
            "series",
            "starts_at",
            "ends_at",
            "format",
            "venue",
            "address",
            "online_link",
            "host_organisation",
            "capacity",
            "registration_opens",
            "registration_closes",
            "cancellation_deadline",
            "materials",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "format": forms.RadioSelect,
            **{name: DateTimeInput() for name in DATETIME_FIELDS},
        }
        help_texts = {
            "starts_at": _("Times are in German time (Europe/Berlin)."),
            "cancellation_deadline": _(
                "Registered people can cancel themselves until then (empty: until the start)."
            ),
        }

    def __init__(self, *args, cohort, organisations, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.cohort = cohort
        # What the person may link, and what the event links already (kept until removed).
        choices = hooks.material_choices_for(user)
        offered = {key for key, _label in choices}
        kept = [key for key in self.instance.materials or [] if key not in offered]
        self.fields["materials"].choices = choices + [(key, key) for key in kept]
        self.fields["materials"].initial = list(self.instance.materials or [])
        self.fields["series"].queryset = Series.objects.filter(cohort=cohort)
        self.fields["host_organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        if data.get("format") in (Event.Format.IN_PERSON, Event.Format.HYBRID) and not data.get(
            "venue"
        ):
            self.add_error("venue", _("Name the venue of an event in person."))
        return data


class SeriesForm(SafeForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelEventForm(SafeForm):
    reason = forms.CharField(
        label=_("Reason (told to the people registered)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PersonChoiceField(forms.ModelChoiceField):
    """A person of the event's own cohort: named with their organisation, not with the
    cohort (a participation's own text reads its cohort and programme, a query each)."""

    def label_from_instance(self, obj):
        return f"{obj.user.name or obj.user.email} ({obj.organisation})"


class OfficeRegisterForm(SafeForm):
    participation = PersonChoiceField(label=_("Person"), queryset=None)

    def __init__(self, *args, participations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participation"].queryset = participations

    def offer(self, shown):
        """Offer only `shown` (loaded participations) in the choice; any person of the
        queryset is still accepted (a search found the rest)."""
        field = self.fields["participation"]
        field.choices = [("", field.empty_label)] + [
            (person.pk, field.label_from_instance(person)) for person in shown
        ]

    def offer_labels(self, choices):
        """Offer only these (pk, label) pairs, labelled as `label_from_instance` labels
        the people (`offer` of rows read without model instances)."""
        field = self.fields["participation"]
        field.choices = [("", field.empty_label), *choices]


class PersonSearchForm(SafeForm):
    """The attendance list's search for a person of the cohort to register."""

    q = forms.CharField(
        label=_("Find a person of the cohort (name, e-mail or organisation)"),
        max_length=100,
        required=False,
    )


class MonthForm(SafeForm):
    """The planner's view and month, read from the query string."""

    view = forms.ChoiceField(choices=[("list", "list"), ("month", "month")], required=False)
    month = forms.DateField(input_formats=["%Y-%m"], required=False)
    show = forms.ChoiceField(
        choices=[("waiting", "waiting"), ("unrecorded", "unrecorded")], required=False
    )


class CertificateVerifyForm(SafeForm):
    """The public check of a certificate: the code as printed (groups, any case)."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("As printed on the certificate, for example ABCD-EFGH-JKLM-NPQR-STUV."),
    )

    def clean_code(self):
        from companion.certificates import normalise_code

        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(
                _("A verification code has 20 letters and digits, in groups of four."),
                code="format",
            )
        return code


class CertificateMakeForm(SafeForm):
    """Which people to make certificates for: everyone, or the one person chosen."""

    participation = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, holders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participation"].queryset = holders


class NetworkEntryForm(SafeForm):
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int)
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    topics = forms.CharField(
        label=_("Topics"),
        max_length=300,
        required=False,
        help_text=_("Separated by commas, for example: digitalisation, procurement."),
    )
    can_help_with = forms.CharField(
        label=_("What I can help with"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact = forms.CharField(
        label=_("How to reach me"),
        max_length=300,
        help_text=_("An e-mail address, a telephone number or both; shown to the network only."),
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.pk, p.name) for p in programmes]

    def clean_topics(self):
        topics = [t.strip() for t in self.cleaned_data["topics"].split(",") if t.strip()]
        if any(len(t) > 60 for t in topics):
            raise forms.ValidationError(_("A topic may have at most 60 characters."))
        if len(topics) > 10:
            raise forms.ValidationError(_("Name at most 10 topics."))
        return ", ".join(dict.fromkeys(topics))


class NetworkSearchForm(SafeForm):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    topic = forms.CharField(label=_("Topic"), max_length=60, required=False)
