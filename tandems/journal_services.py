"""Writes of the learning journal (Lerntagebuch): only the author writes, changes and
deletes their entries; nobody else, not the programme office, not an administrator
through the application.

An entry is private unless its author shares it with the tandem partner, the programme
office, or both (`JournalEntry.Visibility`). Deleting is for good: the row is deleted,
and no history table, log line or copy keeps its text (JournalEntry has no
HistoricalRecords on purpose, and nothing here logs).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pioneer.access import SYSTEM
from pioneer.validators import CONTROL_CHARACTERS, MAX_DATE, MIN_DATE
from tandems.journal_selectors import phases_of_participation
from tandems.models import JournalEntry

MAX_TEXT = 20_000


def _check_author(participation, by):
    if by is SYSTEM or participation.user_id != getattr(by, "pk", None):
        raise ValidationError(_("Only the author writes in a learning journal."))


def _clean(*, participation, date, text, visibility, phase):
    """The checked values (date, text, visibility, phase), or a ValidationError with every
    problem by field. The phase is the one chosen, or the one the date falls in."""
    problems = {}
    text = (text or "").strip()
    if not text:
        problems["text"] = _("Please write something in the entry.")
    elif len(text) > MAX_TEXT:
        problems["text"] = _("An entry can hold at most %(count)s characters.") % {
            "count": MAX_TEXT
        }
    elif CONTROL_CHARACTERS.search(text):
        problems["text"] = _(
            "Remove the control characters from this text (such as invisible codes)."
        )
    if date is None:
        problems["date"] = _("Please give the entry's date.")
    elif not MIN_DATE <= date <= MAX_DATE:
        problems["date"] = _("Enter a date between the years %(min)s and %(max)s.") % {
            "min": MIN_DATE.year,
            "max": MAX_DATE.year,
        }
    elif date > timezone.localdate():
        problems["date"] = _("An entry's date cannot lie in the future.")
    if visibility not in JournalEntry.Visibility.values:
        problems["visibility"] = _("Choose who may read the entry.")
    phases = phases_of_participation(participation)
    if phase is not None and phase.pk not in {p.pk for p in phases}:
        problems["phase"] = _("Choose one of your own tandem's phases.")
    if problems:
        raise ValidationError(problems)
    if phase is None:
        phase = next((p for p in phases if p.start <= date <= p.end), None)
    return date, text, visibility, phase


@transaction.atomic
def journal_entry_create(*, participation, date, text, visibility, by, phase=None):
    """The author writes an entry in their journal of one cohort. `phase` None: the
    phase the date falls in (or none, before and after the phases). No side effects."""
    _check_author(participation, by)
    date, text, visibility, phase = _clean(
        participation=participation, date=date, text=text, visibility=visibility, phase=phase
    )
    return JournalEntry.objects.create(
        participation=participation, date=date, text=text, visibility=visibility, phase=phase
    )


@transaction.atomic
def journal_entry_update(*, entry, date, text, visibility, by, phase=None):
    """The author changes an entry: its text, date, phase or who may read it. Making a
    shared entry private again takes it away from the partner and the office at once.
    No side effects; no copy of the former text is kept."""
    _check_author(entry.participation, by)
    date, text, visibility, phase = _clean(
        participation=entry.participation,
        date=date,
        text=text,
        visibility=visibility,
        phase=phase,
    )
    entry.date, entry.text, entry.visibility, entry.phase = date, text, visibility, phase
    entry.save(update_fields=["date", "text", "visibility", "phase", "updated_at"])
    return entry


@transaction.atomic
def journal_entry_delete(*, entry, by):
    """The author deletes an entry for good (the row goes; nothing keeps its text)."""
    _check_author(entry.participation, by)
    JournalEntry.objects.filter(pk=entry.pk).delete()
