"""Forms of the companion app: parsing only; the views call the services to save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cohorts.forms import ParseOnlyModelForm
from companion.models import Event, Series
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

    def __init__(self, *args, cohort, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.cohort = cohort
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


class MonthForm(SafeForm):
    """The planner's view and month, read from the query string."""

    view = forms.ChoiceField(choices=[("list", "list"), ("month", "month")], required=False)
    month = forms.DateField(input_formats=["%Y-%m"], required=False)
    show = forms.ChoiceField(
        choices=[("waiting", "waiting"), ("unrecorded", "unrecorded")], required=False
    )
