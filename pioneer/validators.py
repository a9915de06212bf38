"""Shared checks of text and dates that every form and service uses.

Text typed into a form ends up in exports (XLSX refuses C0 control characters), e-mails
and PDFs; names end up in lists where a right-to-left override would turn "Anna
exe.txt" into something else. Dates end up in arithmetic (a year later, a shift of
phases) that overflows near the year 9999. So: control characters are refused in every
text, bidirectional controls in names, and dates stay within a range a programme can
plausibly use.
"""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.forms.utils import pretty_name
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# C0 controls except tab, newline and carriage return (which text areas send).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Explicit direction marks, embeddings, overrides and isolates.
BIDI_CHARACTERS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")

# The widest integer column (PostgreSQL integer); a bigger number is refused as input, not
# left to overflow in the database.
MAX_INTEGER = 2**31 - 1
# The longest address the database keeps (the models' EmailField).
MAX_EMAIL = 254

MIN_YEAR = 1990
MAX_YEAR = 2100
MIN_DATE = date(MIN_YEAR, 1, 1)
MAX_DATE = date(MAX_YEAR, 12, 31)

# Paths that are words of their own below /programmes/ and /cohorts/: a slug of the
# same spelling would make the object unreachable (or hide the page).
RESERVED_SLUGS = frozenset(
    {"new", "edit", "add", "delete", "copy", "import", "export", "stage", "cohorts"}
)


@deconstructible
class NoControlCharactersValidator:
    message = _("Remove the control characters from this text (such as invisible codes).")
    code = "control_characters"

    def __call__(self, value):
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, NoControlCharactersValidator)


@deconstructible
class NoBidiCharactersValidator:
    message = _("Remove the invisible characters that change the writing direction from this name.")
    code = "bidi_characters"

    def __call__(self, value):
        if isinstance(value, str) and BIDI_CHARACTERS.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, NoBidiCharactersValidator)


@deconstructible
class DateRangeValidator:
    code = "date_range"

    def __call__(self, value):
        if isinstance(value, date) and not MIN_DATE <= value <= MAX_DATE:
            raise ValidationError(
                _("Enter a date between the years %(min)s and %(max)s."),
                code=self.code,
                params={"min": MIN_YEAR, "max": MAX_YEAR},
            )

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator)


@deconstructible
class NotReservedSlugValidator:
    code = "reserved_slug"

    def __call__(self, value):
        if isinstance(value, str) and value.lower() in RESERVED_SLUGS:
            raise ValidationError(
                _("“%(slug)s” is a word of the addresses themselves; choose another short name."),
                code=self.code,
                params={"slug": value},
            )

    def __eq__(self, other):
        return isinstance(other, NotReservedSlugValidator)


validate_no_control_characters = NoControlCharactersValidator()
validate_no_bidi_characters = NoBidiCharactersValidator()
validate_date_range = DateRangeValidator()
validate_not_reserved_slug = NotReservedSlugValidator()
# Validators of a name (a person's, an organisation's, a programme's, a cohort's title).
NAME_VALIDATORS = [validate_no_control_characters, validate_no_bidi_characters]


def check_name(value, field):
    """Raise ValidationError({field: ...}) when `value` is no acceptable name."""
    for validator in NAME_VALIDATORS:
        try:
            validator(value)
        except ValidationError as error:
            raise ValidationError({field: error.messages}) from None


def check_date(value, field):
    """Raise ValidationError({field: ...}) when `value` is outside the allowed years."""
    try:
        validate_date_range(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


MAX_ID = 2**63 - 1  # a bigint primary key


def ids_from(values, limit=None):
    """The ids in submitted values (a list of selected rows, say): whole numbers from 1 to
    the largest a primary key can hold, each once, in their order, at most `limit`. Anything
    else is dropped; an id nobody has is the caller's 404, never a database error (SQLite
    cannot even bind a larger number)."""
    ids = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < number <= MAX_ID:
            ids.append(number)
    ids = list(dict.fromkeys(ids))
    return ids[:limit] if limit is not None else ids


def required_message(field, name):
    """The project's own message for an empty required field, naming the field (Django's
    "This field is required." says neither which field nor what to do)."""
    label = str(field.label or pretty_name(name)).strip().rstrip(":*").strip()
    if isinstance(field, forms.BooleanField):
        return gettext("Tick “%(label)s” to continue.") % {"label": label}
    if isinstance(field, forms.FileField):
        return gettext("Choose a file for “%(label)s”.") % {"label": label}
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return gettext("Choose an answer for “%(label)s”.") % {"label": label}
    if isinstance(field, forms.DateTimeField):
        return gettext("Enter a date and time for “%(label)s”.") % {"label": label}
    if isinstance(field, forms.DateField):
        return gettext("Enter a date for “%(label)s”.") % {"label": label}
    return gettext("Fill in “%(label)s”.") % {"label": label}


def _has_default_required_message(field):
    return str(field.error_messages.get("required")) == str(
        forms.Field.default_error_messages["required"]
    )


def _add(field, validator):
    if validator not in field.validators:
        field.validators.append(validator)


class SafeInputMixin:
    """Every form of the project: no control characters in any text, no direction
    controls in the fields named in `name_fields`, dates within MIN_YEAR..MAX_YEAR,
    whole numbers within what a database column holds, addresses as long as stored.

    Declared once here so that a new form cannot forget one of them; a test walks all
    forms of the project and checks they use it.
    """

    name_fields = ("name",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # Built here, per form, in the language of the request that made the form.
            if field.required and _has_default_required_message(field):
                field.error_messages = {
                    **field.error_messages,
                    "required": required_message(field, name),
                }
            if isinstance(field, forms.EmailField) and not field.max_length:
                field.max_length = MAX_EMAIL
                _add(field, MaxLengthValidator(MAX_EMAIL))
            if isinstance(field, forms.CharField):
                _add(field, validate_no_control_characters)
                if name in self.name_fields:
                    _add(field, validate_no_bidi_characters)
            elif isinstance(field, forms.IntegerField):
                if field.max_value is None:
                    _add(field, MaxValueValidator(MAX_INTEGER))
                if field.min_value is None:
                    _add(field, MinValueValidator(-MAX_INTEGER))
            elif isinstance(field, forms.DateField):
                _add(field, validate_date_range)
                # A six-digit year is no date anybody means; "invalid" beats an overflow.
                field.widget.attrs.setdefault("min", MIN_DATE.isoformat())
                field.widget.attrs.setdefault("max", MAX_DATE.isoformat())


class SafeForm(SafeInputMixin, forms.Form):
    pass


class SafeModelForm(SafeInputMixin, forms.ModelForm):
    pass
