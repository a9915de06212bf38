"""Forms of the agreements: parsing and layout only; tandems.agreements decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pioneer.validators import SafeForm
from tandems.agreements import MAX_SCAN_MB

CHECKLIST_CHOICES = [
    (
        "confidentiality",
        _("Confidentiality (Verschwiegenheit): I keep confidential matters to myself."),
    ),
    (
        "secondary_employment",
        _("Secondary employment (Nebentätigkeit): the hospitation is no paid secondary job."),
    ),
    (
        "conflicts",
        _("Conflicts of interest (Interessenkonflikte): there are none, or I have reported them."),
    ),
]


class ConfirmForm(SafeForm):
    """The signatory's confirmation; the checklist for the person and the host."""

    party = forms.ChoiceField(widget=forms.HiddenInput)
    checklist = forms.MultipleChoiceField(
        label=_("Checklist"),
        choices=CHECKLIST_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    agree = forms.BooleanField(
        label=_("I have read the agreement and confirm it."),
        error_messages={"required": _("Please tick that you confirm the agreement.")},
    )

    def __init__(self, *args, parties, with_checklist, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(p, p) for p in parties]
        if parties:
            self.fields["party"].initial = parties[0]
        if not with_checklist:
            del self.fields["checklist"]


class LinkConfirmForm(SafeForm):
    checklist = forms.MultipleChoiceField(
        label=_("Checklist"),
        choices=CHECKLIST_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    agree = forms.BooleanField(
        label=_("I have read the agreement and confirm it."),
        error_messages={"required": _("Please tick that you confirm the agreement.")},
    )

    def __init__(self, *args, with_checklist, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_checklist:
            del self.fields["checklist"]


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.email})"


class PhaseAgreementForm(SafeForm):
    """Goals and the two representatives (the office); the guest sees the goals only."""

    goals = forms.CharField(
        label=_("Goals of the hospitation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
    host_contact = ContactChoiceField(
        label=_("Host contact with an account"), queryset=None, required=False
    )
    host_contact_name = forms.CharField(
        label=_("or: the host contact's name"), max_length=200, required=False
    )
    host_contact_email = forms.EmailField(label=_("and e-mail address"), required=False)
    sender_contact = ContactChoiceField(
        label=_("Representative of the sending organisation with an account"),
        queryset=None,
        required=False,
    )
    sender_contact_name = forms.CharField(
        label=_("or: the representative's name"), max_length=200, required=False
    )
    sender_contact_email = forms.EmailField(label=_("and e-mail address"), required=False)

    def __init__(self, *args, host_choices=None, sender_choices=None, goals_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        if goals_only:
            for name in list(self.fields):
                if name != "goals":
                    del self.fields[name]
            return
        self.fields["host_contact"].queryset = host_choices
        self.fields["sender_contact"].queryset = sender_choices


class PaperForm(SafeForm):
    scan = forms.FileField(
        label=_("Signed scan (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    confirm = forms.BooleanField(
        label=_(
            "The agreement has been signed on paper by all parties that have not "
            "confirmed it in Pioneer."
        ),
        error_messages={"required": _("Please tick that the agreement was signed on paper.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scan"].help_text = _("PDF only, up to %(mb)s MB.") % {"mb": MAX_SCAN_MB}


class TemplateForm(SafeForm):
    body_de = forms.CharField(
        label=_("Text in German (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=20000,
        required=False,
        help_text=_("Empty: Pioneer's default text."),
    )
    body_en = forms.CharField(
        label=_("Text in English (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=20000,
        required=False,
        help_text=_("Empty: Pioneer's default text."),
    )
