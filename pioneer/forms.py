"""Forms of the core. Validation only; the views call services to save."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pioneer.models import Organisation, Role
from pioneer.validators import SafeForm


class _EvaluatedChoiceIterator(forms.models.ModelChoiceIterator):
    """Iterates the field's queryset itself rather than `queryset.iterator()`: Django's
    iterator runs the query anew for every use through a server-side cursor (three round
    trips on PostgreSQL), and a page that asks "any choices?" before rendering them paid
    for it twice. Here the rows are read once per form and kept in the queryset's cache."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for short lists shown in full (radios, a small select): its rows
    are read once however often the form and the page look at them (a select's options are
    written without a template each by the form renderer, pioneer.form_renderer)."""

    iterator = _EvaluatedChoiceIterator


class InviteForm(SafeForm):
    """The programme office invites a person by e-mail to set a password."""

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    language = forms.ChoiceField(
        label=_("Language of the e-mail"), choices=settings.LANGUAGES, initial="de"
    )
    kind = forms.ChoiceField(
        label=_("Role"),
        choices=Role.Kind.choices,
        widget=forms.RadioSelect,
        help_text=_("Programme office colleagues join your own organisation."),
    )
    organisation = ListedModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Required for partner contacts: the organisation they speak for."),
        error_messages={
            "invalid_choice": _("Choose one of the organisations your programme office acts for.")
        },
    )

    def __init__(self, *args, office_organisations, acting_organisations, **kwargs):
        """`acting_organisations`: the organisations the office may act for
        (`selectors.organisations_for_office`); any other id is refused as an invalid
        choice. `office_organisations`: its own (for programme office colleagues)."""
        super().__init__(*args, **kwargs)
        self.office_organisations = list(office_organisations)
        self.fields["organisation"].queryset = acting_organisations

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        organisation = data.get("organisation")
        if kind == Role.Kind.PARTNER_CONTACT and organisation is None:
            self.add_error("organisation", _("Choose the organisation this contact speaks for."))
        elif kind == Role.Kind.PROGRAMME_OFFICE:
            if organisation is None and len(self.office_organisations) == 1:
                data["organisation"] = self.office_organisations[0]
            elif organisation is None or organisation not in self.office_organisations:
                self.add_error(
                    "organisation",
                    _(
                        "You can only add colleagues to the programme office "
                        "of your own organisation."
                    ),
                )
        elif kind in (Role.Kind.PARTICIPANT, Role.Kind.EVALUATOR):
            # These roles act for no organisation; a choice made anyway is dropped.
            data["organisation"] = None
        return data


class LanguageForm(SafeForm):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class BarrierReportForm(SafeForm):
    """Report a barrier (Erklärung zur Barrierefreiheit, feedback mechanism of BITV 2.0)."""

    page = forms.CharField(
        label=_("Page or function"),
        max_length=300,
        help_text=_("Where did you meet the barrier? An address or a short description."),
    )
    description = forms.CharField(
        label=_("Description of the barrier"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        help_text=_("Only if you would like an answer."),
    )


class OrganisationForm(SafeForm):
    """An organisation the office acts for. Offices add subordinate authorities of their
    own ministries and partner organisations; ministries are set up by administrators."""

    name_fields = ("name", "short_name")

    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect)
    parent = ListedModelChoiceField(
        label=_("Parent ministry"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Only for a subordinate authority: one of your own ministries."),
        error_messages={"invalid_choice": _("Choose one of your own ministries.")},
    )
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    def __init__(self, *args, own_ministries, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "short_name": instance.short_name,
                    "kind": instance.kind,
                    "parent": instance.parent_id,
                    "street": instance.street,
                    "postcode": instance.postcode,
                    "city": instance.city,
                    "website": instance.website,
                },
            )
        super().__init__(*args, **kwargs)
        kinds = [(v, label) for v, label in Organisation.Kind.choices if v != "ministry"]
        if instance is not None and instance.kind == Organisation.Kind.MINISTRY:
            kinds = [(Organisation.Kind.MINISTRY.value, Organisation.Kind.MINISTRY.label)]
        self.fields["kind"].choices = kinds
        self.fields["parent"].queryset = own_ministries

    def clean(self):
        data = super().clean()
        if data.get("kind") == Organisation.Kind.AUTHORITY:
            if data.get("parent") is None and "parent" not in self.errors:
                self.add_error("parent", _("A subordinate authority needs its parent ministry."))
        else:
            data["parent"] = None
        return data


class ContactInviteForm(SafeForm):
    """Invite another partner contact of an organisation."""

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    language = forms.ChoiceField(
        label=_("Language of the e-mail"), choices=settings.LANGUAGES, initial="de"
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class LinkForm(SafeForm):
    """Link an organisation offered as resembling the name the office typed."""

    organisation = forms.IntegerField(min_value=1)
    name = forms.CharField(max_length=200)


def apply_errors(form, error):
    """Show a service's ValidationError on the form's fields (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class CodeForm(SafeForm):
    code = forms.RegexField(
        label=_("Code from the e-mail"),
        regex=r"^\s*\d{6}\s*$",
        max_length=20,
        error_messages={
            "required": _("Enter the six-digit code from the e-mail."),
            "invalid": _("Enter the six-digit code from the e-mail."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
