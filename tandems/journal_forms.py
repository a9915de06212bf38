"""The learning journal's form: parsing and layout only; the services decide."""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cohorts.forms import DateInput
from pioneer.validators import SafeForm
from tandems.journal_services import MAX_TEXT
from tandems.models import JournalEntry

VISIBILITY_HELP = _(
    "Private entries are yours alone: nobody else sees them, not your partner, not the "
    "programme office, not even how many there are. Shared entries can be read (not "
    "changed) by those you choose. You can change this at any time."
)


class JournalEntryForm(SafeForm):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    phase = forms.TypedChoiceField(
        label=_("Phase"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Left empty, the phase is the one the date falls in."),
    )
    text = forms.CharField(
        label=_("Entry"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=MAX_TEXT,
        help_text=_("What you learned, noticed or want to try."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may read this entry?"),
        choices=JournalEntry.Visibility.choices,
        widget=forms.RadioSelect,
        initial=JournalEntry.Visibility.PRIVATE,
        help_text=VISIBILITY_HELP,
    )

    def __init__(self, *args, phases, **kwargs):
        super().__init__(*args, **kwargs)
        self.phases = {phase.pk: phase for phase in phases}
        self.fields["phase"].choices = [
            ("", _("From the date")),
            *(
                (
                    phase.pk,
                    _("%(phase)s: %(start)s – %(end)s")
                    % {
                        "phase": phase.get_number_display(),
                        "start": date_format(phase.start, "SHORT_DATE_FORMAT"),
                        "end": date_format(phase.end, "SHORT_DATE_FORMAT"),
                    },
                )
                for phase in phases
            ),
        ]

    def clean_phase(self):
        value = self.cleaned_data.get("phase")
        return self.phases.get(value) if value is not None else None
