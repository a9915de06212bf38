"""Forms of the cohorts app: validation only; the views call services to save."""

import copy
import html

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.formats import localize
from django.utils.functional import cached_property, lazy
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from cohorts import hooks, selectors
from cohorts.models import Cohort, InterestRegistration, Participation, Programme
from cohorts.services.imports import ALLOWED_TYPES, MAX_UPLOAD_BYTES
from cohorts.services.participations import TRANSITIONS as PARTICIPATION_TRANSITIONS
from pioneer.forms import ListedModelChoiceField
from pioneer.models import Organisation
from pioneer.validators import SafeForm, SafeModelForm

MAX_PLACES = 50


def _interpolate(text, values):
    return str(text) % values


# A translated text with values put in when it is shown, not when the module is imported
# (then it would be frozen in the language active at start-up).
lazy_interpolate = lazy(_interpolate, str)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ParseOnlyModelForm(SafeModelForm):
    """A ModelForm that only parses. ModelForm's own checks (the model's fields and
    constraints, unique values) run on a copy of the instance: Django's `_post_clean`
    writes the cleaned data onto the instance it checks, and the live one given for
    editing must stay as it is until the service has accepted the change."""

    def _post_clean(self):
        live = self.instance
        self.instance = copy.copy(live)
        try:
            super()._post_clean()
        finally:
            self.instance = live


class ProgrammeForm(ParseOnlyModelForm):
    class Meta:
        model = Programme
        fields = [
            "name",
            "slug",
            "description",
            "format",
            "default_cohort_months",
            "default_phase_months",
            "is_public",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "format": forms.RadioSelect,
        }

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = list(organisations)
        # An office of several organisations chooses which one runs a new programme.
        if self.instance.pk is None and len(self.organisations) > 1:
            self.fields["organisation"] = forms.ModelChoiceField(
                label=_("Organiser"),
                queryset=Organisation.objects.filter(pk__in=[o.pk for o in self.organisations]),
            )

    def clean_default_cohort_months(self):
        value = self.cleaned_data["default_cohort_months"]
        if not 1 <= value <= 36:
            raise forms.ValidationError(_("Enter a length between 1 and 36 months."))
        return value

    def clean_default_phase_months(self):
        value = self.cleaned_data["default_phase_months"]
        if not 1 <= value <= 36:
            raise forms.ValidationError(_("Enter a length between 1 and 36 months."))
        return value

    def clean(self):
        data = super().clean()
        cohort = data.get("default_cohort_months")
        phase = data.get("default_phase_months")
        if cohort and phase and phase > cohort:
            self.add_error(
                "default_phase_months", _("A phase cannot be longer than the whole cohort.")
            )
        return data

    def organisation(self):
        if "organisation" in self.cleaned_data:
            return self.cleaned_data["organisation"]
        return self.organisations[0]


class CohortForm(ParseOnlyModelForm):
    name_fields = ("title",)

    class Meta:
        model = Cohort
        fields = [
            "title",
            "slug",
            "start_date",
            "end_date",
            "interest_opens",
            "interest_closes",
            "planned_tandems",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "interest_opens": DateInput(),
            "interest_closes": DateInput(),
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        if self.instance.pk is None:
            # The programme is not on the form; ModelForm's checks of a new cohort need it.
            self.instance.programme = programme
        if not programme.has_tandems:
            self.fields["planned_tandems"].label = _("Planned participants")

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        clash = Cohort.objects.filter(programme=self.programme, slug=slug)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another cohort of this programme has this short name."))
        return slug

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", _("The end must be after the start."))
        opens, closes = data.get("interest_opens"), data.get("interest_closes")
        if opens and closes and closes < opens:
            self.add_error("interest_closes", _("The interest window must close after it opens."))
        if closes and start and closes > start:
            self.add_error(
                "interest_closes", _("The interest window must close before the cohort starts.")
            )
        return data


class TransitionForm(SafeForm):
    to_state = forms.ChoiceField(label=_("New status"), choices=Cohort.State.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you end a cohort early: the reason is kept with the cohort."),
    )


class TransitionUndoForm(SafeForm):
    """The undo button's one value: which move to take back."""

    transition = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _places_field(label):
    """A count of people an organisation can send or host (0 if none)."""
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_PLACES,
        initial=0,
        error_messages={
            "required": _("Enter a number (0 if none)."),
            "invalid": _("Enter a whole number."),
            "min_value": _("Enter a number of 0 or more."),
            "max_value": _("Enter a number of at most %(limit_value)s."),
        },
    )


class InterestForm(SafeForm):
    """The public registration of interest (no login)."""

    name_fields = ("organisation_name", "contact_name")

    cohort = ListedModelChoiceField(
        label=_("Cohort"),
        queryset=Cohort.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the cohort you are interested in.")},
    )
    organisation_name = forms.CharField(
        label=_("Name of the organisation"),
        max_length=200,
        error_messages={"required": _("Enter the name of your organisation.")},
    )
    organisation_kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=Organisation.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of your organisation.")},
    )
    parent_ministry = ListedModelChoiceField(
        label=_("Parent ministry"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Only for a subordinate authority: the ministry it belongs to."),
    )
    street = forms.CharField(
        label=_("Street and number"),
        max_length=200,
        error_messages={"required": _("Enter the street and number.")},
    )
    postcode = forms.RegexField(
        label=_("Postcode"),
        regex=r"^\d{5}$",
        max_length=5,
        error_messages={
            "required": _("Enter the postcode."),
            "invalid": _("Enter a postcode of five digits, such as 14467."),
        },
    )
    city = forms.CharField(
        label=_("City"), max_length=100, error_messages={"required": _("Enter the city.")}
    )
    contact_name = forms.CharField(
        label=_("Contact person"),
        max_length=200,
        error_messages={"required": _("Enter the name of the contact person.")},
    )
    contact_email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send a link to this address; the registration counts once you confirm it."),
        error_messages={
            "required": _("Enter the e-mail address of the contact person."),
            "invalid": _("Enter an e-mail address in the form name@example.org."),
        },
    )
    contact_phone = forms.RegexField(
        label=_("Telephone"),
        regex=r"^[0-9 +()/\-]{5,40}$",
        required=False,
        max_length=40,
        error_messages={"invalid": _("Enter a telephone number of digits, spaces and + ( ) / -.")},
    )
    places_send = _places_field(_("How many people can you send?"))
    places_host = _places_field(_("How many people can you host?"))
    topics_offered = forms.CharField(
        label=_("Topics and expertise you offer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    topics_sought = forms.CharField(
        label=_("Topics and expertise you seek"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    preferred_timing = forms.CharField(
        label=_("Preferred timing"),
        required=False,
        max_length=200,
        help_text=_("For example: from spring, not in the summer holidays."),
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    privacy = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my details are processed "
            "to handle this registration."
        ),
        error_messages={"required": _("Please accept the privacy notice to register.")},
    )

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts
        self.fields["parent_ministry"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.MINISTRY
        ).order_by("name")
        # Visitors know the ministry's full name, not our short one.
        self.fields["parent_ministry"].label_from_instance = lambda org: org.name

    def clean(self):
        data = super().clean()
        kind = data.get("organisation_kind")
        if kind == Organisation.Kind.AUTHORITY and not data.get("parent_ministry"):
            self.add_error("parent_ministry", _("Choose the ministry your authority belongs to."))
        if kind and kind != Organisation.Kind.AUTHORITY:
            data["parent_ministry"] = None
        send, host = data.get("places_send"), data.get("places_host")
        if send == 0 and host == 0:
            self.add_error(
                "places_send", _("Enter how many people you can send or host (at least one).")
            )
        return data

    def registration_data(self):
        """The cleaned data as the fields of an InterestRegistration."""
        data = dict(self.cleaned_data)
        data.pop("cohort")
        data.pop("privacy")
        return data


class InterestPreselectForm(SafeForm):
    """The query of a link to the interest form (`?cohort=<id>` from the landing page)."""

    # Larger ids than a bigint would fail in the database instead of here.
    cohort = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class DeclineForm(SafeForm):
    reason = forms.CharField(
        label=_("Reason (the contact is told)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give the reason; the contact is told.")},
    )


class NoteForm(SafeForm):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the programme office sees notes."),
        error_messages={"required": _("The note is empty.")},
    )


class Select(forms.Select):
    """A `<select>` of plain (value, label) choices written straight from them: the markup
    `pioneer.form_renderer` gives, without a dict per option on the way (`optgroups`,
    `create_option`). For the long lists of a filter (a large cohort's 224 organisations
    at N = 50). Named as Django's: crispy puts the widget's class name on the element."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        values = set(self.format_value(value))
        parts = [f'<select name="{conditional_escape(name)}"{flatatt(attrs)}>']
        selected = False
        for option, label in self.choices:
            key = "" if option is None else str(option)
            mark = ""
            if not selected and key in values:
                mark, selected = " selected", True
            # html.escape is what Django's escape() calls, without its checks per call.
            text = label if hasattr(label, "__html__") else html.escape(str(localize(label)))
            parts.append(f'<option value="{html.escape(key)}"{mark}>{text}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every part is escaped above)


class RegistrationFilter(django_filters.FilterSet):
    """The review queue's filters: cohort (not on one cohort's tab), kind, state and a
    free-text search."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    # The office's cohorts (hundreds at N = 50) as plain (id, label) rows, not model
    # instances: the label is what str(cohort) says, "programme – title".
    cohort = django_filters.ChoiceFilter(label=_("Cohort"), widget=Select)
    organisation_kind = django_filters.ChoiceFilter(
        label=_("Kind of organisation"), choices=Organisation.Kind.choices
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=InterestRegistration.State.choices
    )

    class Meta:
        model = InterestRegistration
        form = SafeForm
        fields = ["q", "cohort", "organisation_kind", "state"]

    def __init__(self, *args, cohorts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cohorts is None:  # one cohort's list: no choice of cohort
            del self.filters["cohort"]
        else:
            # (id, programme name, title) rows, newest first (selectors.office_cohort_rows).
            self._cohorts = [
                (pk, f"{programme} – {title}" if programme is not None else title)
                for pk, programme, title in cohorts
            ]
            # Given to the form's own field (below), not copied with the form's fields.
            self.filters["cohort"].extra["choices"] = []

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            if "cohort" in form.fields:
                form.fields["cohort"].choices = self._cohorts
        return self._form

    def blank_form_facts(self):
        """Everything the blank form shows beyond its class (`pioneer.fragments`)."""
        return ("cohort" in self.filters, getattr(self, "_cohorts", None))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(organisation_name__icontains=value)
            | Q(contact_name__icontains=value)
            | Q(contact_email__icontains=value)
            | Q(city__icontains=value)
        )


class AcceptForm(SafeForm):
    """Accept a registration: link it to an existing organisation or create a new one.

    The choices are the organisations the office acts for already that resemble the
    registration, and the other resembling ones (`selectors.organisation_candidates`);
    any other id is refused. Nothing is chosen for the office.
    """

    NEW = "new"

    choice = forms.ChoiceField(label=_("Organisation"), widget=forms.RadioSelect)
    make_contact = forms.BooleanField(
        label=_("Make the contact person a partner contact of this organisation"),
        required=False,
        help_text=_(
            "They receive an invitation and then see the organisation's registrations "
            "and people in your programmes."
        ),
    )

    def __init__(self, *args, registration, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(org.pk): org for org in candidates}
        choices = [
            (
                pk,
                _("Link to %(name)s (%(kind)s)")
                % {"name": org.name, "kind": org.get_kind_display()},
            )
            for pk, org in self.candidates.items()
        ]
        choices.append(
            (
                self.NEW,
                _("Create a new organisation “%(name)s”")
                % {"name": registration.organisation_name},
            )
        )
        self.fields["choice"].choices = choices
        if not candidates:
            self.fields["choice"].initial = self.NEW
            self.fields["make_contact"].initial = True

    def organisation(self):
        """The chosen organisation, or None for a new one."""
        return self.candidates.get(self.cleaned_data["choice"])


class DecisionForm(AcceptForm):
    """The one decision on a registration: accept (with the organisation choice and the
    contact box) or decline (with a reason, required only then)."""

    ACCEPT = "accept"
    DECLINE = "decline"

    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[(ACCEPT, _("Accept")), (DECLINE, _("Decline"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to accept or to decline.")},
    )
    reason = forms.CharField(
        label=_("Reason (only when declining; the contact is told)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    field_order = ["decision", "choice", "make_contact", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].required = False
        self.fields["choice"].label = _("Organisation (only when accepting)")
        self.order_fields(self.field_order)

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == self.DECLINE and not (data.get("reason") or "").strip():
            self.add_error(
                "reason", _("Please give the reason for declining; the contact is told.")
            )
        if decision == self.ACCEPT and not data.get("choice"):
            self.add_error("choice", _("Choose an existing organisation or create a new one."))
        return data


# --------------------------------------------------------------- participations


class ParticipationEditForm(SafeForm):
    """A participation's details; the person's name and address stay with their account."""

    side = forms.ChoiceField(
        label=_("Side"), choices=Participation.Side.choices, widget=forms.RadioSelect
    )
    organisation = ListedModelChoiceField(
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
        allowed = PARTICIPATION_TRANSITIONS[Participation.State(participation.state)]
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
        # Lazy to the end: formatted when shown, in the reader's language.
        help_text=lazy_interpolate(
            _(
                "At most %(size)s MB. The first line names the columns: name, e-mail, side, "
                "organisation, and optionally position, topics, expertise, goals, language."
            ),
            {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
        ),
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
        widget=DateInput(),
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
    # A large cohort's people come from hundreds of organisations: the options are plain
    # (id, label) rows, not model instances (224 at N = 50 cost 7 ms as instances), and the
    # form renderer (pioneer.form_renderer) writes them without a template each.
    organisation = django_filters.ChoiceFilter(
        label=_("Organisation"), empty_label=_("All"), widget=Select
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

    def __init__(self, *args, cohort, groups, organisations_digest=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        # `groups`: the cohort's kept groups (selectors.participation_groups), or what
        # gives them (read only when the form is made: the blank form's HTML is kept
        # under `organisations_digest`, the digest of its options, when that is given).
        self._groups = groups
        self._organisations_digest = organisations_digest
        # Given to the form's own field (below): the form's deep copy of its fields would
        # copy every option first.
        self.filters["organisation"].extra["choices"] = []
        if not (cohort.programme.has_tandems and hooks.people_without_tandem.has_listeners()):
            del self.filters["tandem"]

    @cached_property
    def _organisations(self):
        # What an option shows (as str(organisation): the short name, else the name), in
        # the organisations' order; a choice outside the cohort's is refused as invalid.
        groups = self._groups() if callable(self._groups) else self._groups
        return selectors.cohort_organisations(groups)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            super().form.fields["organisation"].choices = self._organisations
        return self._form

    def blank_form_facts(self):
        """Everything the blank form shows beyond its class (`pioneer.fragments`): the
        organisation options by their digest (`selectors.organisations_digest`)."""
        digest = self._organisations_digest or selectors.organisations_digest(self._organisations)
        return ("tandem" in self.filters, digest)

    def filter_search(self, queryset, name, value):
        return selectors.search(queryset, value)

    def filter_signed_in(self, queryset, name, value):
        return queryset.filter(user__last_login__isnull=(value == "no"))

    def filter_tandem(self, queryset, name, value):
        for without in hooks.answers(
            hooks.people_without_tandem, sender=Cohort, cohort=self.cohort
        ):
            queryset = queryset.filter(pk__in=without.values("pk"))
        return queryset


class ParticipationBulkStateForm(SafeForm):
    """The state a selection of people moves to, and the reason when they withdraw
    (asked on the confirmation page)."""

    to_state = forms.ChoiceField(label=_("New state"), choices=Participation.State.choices)
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the people withdraw; it is kept with each of them."),
    )
