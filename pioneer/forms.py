"""Forms of the core. Validation only; the views call services to save."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pioneer.models import Organisation, Role
from pioneer.validators import SafeForm


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
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Required for partner contacts: the organisation they speak for."),
    )

    def __init__(self, *args, office_organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.office_organisations = office_organisations
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")

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
