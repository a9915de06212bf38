"""Forms for participations, the import, the participant list's filter and the copy of a
cohort. Validation only; the views call the services to save."""

import django_filters
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cohorts import hooks
from cohorts.importing import ALLOWED_TYPES, MAX_UPLOAD_BYTES
from cohorts.models import Cohort, Participation
from cohorts.participations import TRANSITIONS, search
from pioneer.models import Organisation
from pioneer.validators import SafeForm


class ParticipationEditForm(SafeForm):
    """A participation's details; the person's name and address stay with their account."""

    side = forms.ChoiceField(
        label=_("Side"), choices=Participation.Side.choices, widget=forms.RadioSelect
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("Administration side: a ministry or authority; external side: any other."),
        error_messages={
            "invalid_choice": _("Choose one of the organisations your programme office acts for.")
        },
    )
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    topics = forms.CharField(
        label=_("Topics"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    expertise = forms.CharField(
        label=_("Expertise"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    goals = forms.CharField(
        label=_("Goals"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organisations, **kwargs):
        """`organisations`: those the office may act for
        (`pioneer.selectors.organisations_for_office`); any other id is refused."""
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class ParticipationAddForm(ParticipationEditForm):
    """A new person: their account (name, address, language) and the details."""

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    language = forms.ChoiceField(
        label=_("Language of e-mails and pages"), choices=settings.LANGUAGES, initial="de"
    )
    field_order = ["name", "email", "language"]


class ParticipationStateForm(SafeForm):
    state = forms.ChoiceField(label=_("New state"), choices=())
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the person withdraws."),
    )

    def __init__(self, *args, participation, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[Participation.State(participation.state)]
        self.fields["state"].choices = [
            (value, label) for value, label in Participation.State.choices if value in allowed
        ]

    def clean(self):
        data = super().clean()
        if (
            data.get("state") == Participation.State.WITHDRAWN
            and not data.get("reason", "").strip()
        ):
            self.add_error("reason", _("Please give the reason for the withdrawal."))
        return data


class ImportForm(SafeForm):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "At most %(size)s MB. The first line names the columns: name, e-mail, side, "
            "organisation, and optionally position, topics, expertise, goals, language."
        )
        % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_TYPES)}),
    )


class ImportConfirmForm(SafeForm):
    hold_invitations = forms.BooleanField(
        label=_("Hold the invitations"),
        required=False,
        help_text=_(
            "Import the people now and send their invitations later, from the participant "
            "list (for instance once the cohort's dates are fixed)."
        ),
    )


class CohortCopyForm(SafeForm):
    name_fields = ("title",)

    title = forms.CharField(label=_("Title of the new cohort"), max_length=200)
    start_date = forms.DateField(
        label=_("Start of the new cohort"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("All dates move by the same time. Empty: a year later."),
    )


SIGNED_IN = [("yes", _("Signed in at least once")), ("no", _("Not signed in yet"))]
TANDEM = [("none", _("Without a tandem"))]


class ParticipationFilter(django_filters.FilterSet):
    """The participant list's filter; every choice keeps the page at a fixed query count."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    side = django_filters.ChoiceFilter(
        label=_("Side"), choices=Participation.Side.choices, empty_label=_("All")
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=Participation.State.choices, empty_label=_("All")
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=_("All")
    )
    signed_in = django_filters.ChoiceFilter(
        label=_("Signed in"), choices=SIGNED_IN, method="filter_signed_in", empty_label=_("All")
    )
    tandem = django_filters.ChoiceFilter(
        label=_("Tandem"), choices=TANDEM, method="filter_tandem", empty_label=_("All")
    )

    class Meta:
        model = Participation
        form = SafeForm
        fields = ["q", "side", "state", "organisation"]

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.filters["organisation"].queryset = Organisation.objects.filter(
            participations__cohort=cohort
        ).distinct()
        if not (cohort.programme.has_tandems and hooks.people_without_tandem.has_listeners()):
            del self.filters["tandem"]

    def filter_search(self, queryset, name, value):
        return search(queryset, value)

    def filter_signed_in(self, queryset, name, value):
        return queryset.filter(user__last_login__isnull=(value == "no"))

    def filter_tandem(self, queryset, name, value):
        for without in hooks.answers(
            hooks.people_without_tandem, sender=Cohort, cohort=self.cohort
        ):
            queryset = queryset.filter(pk__in=without.values("pk"))
        return queryset
