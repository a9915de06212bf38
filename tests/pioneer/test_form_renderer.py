"""The form renderer writes the plain widgets as Django's templates do (whitespace between
tags aside), for every kind of value, and leaves every other widget to the templates."""

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import override
from hypothesis import given, settings
from hypothesis import strategies as st

from pioneer.form_renderer import FastWidgetRenderer

FAST = FastWidgetRenderer()
TEMPLATES = DjangoTemplates()


def squeeze(html):
    return re.sub(r">\s+<", "><", str(html)).strip()


def both(widget, name, value, attrs=None):
    return (
        squeeze(widget.render(name, value, attrs=attrs, renderer=FAST)),
        squeeze(widget.render(name, value, attrs=attrs, renderer=TEMPLATES)),
    )


TEXTS = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)
VALUES = st.one_of(
    st.none(),
    TEXTS,
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.dates(),
    st.booleans(),
    TEXTS.map(mark_safe),
)
ATTRS = st.dictionaries(
    st.sampled_from(["class", "id", "placeholder", "required", "disabled", "data-x", "aria-x"]),
    st.one_of(TEXTS, st.booleans(), st.integers(), st.none()),
    max_size=4,
)
INPUTS = [
    forms.TextInput,
    forms.EmailInput,
    forms.NumberInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.CheckboxInput,
    forms.Textarea,
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(INPUTS), TEXTS, VALUES, ATTRS, st.sampled_from(["de", "en"]))
def test_inputs_are_written_as_the_templates_write_them(kind, name, value, attrs, language):
    widget = kind(render_value=True) if kind is forms.PasswordInput else kind()
    with override(language):
        fast, templates = both(widget, name or "x", value, attrs)
    assert fast == templates


CHOICES = st.lists(
    st.tuples(st.one_of(TEXTS, st.integers(), st.none()), st.one_of(TEXTS, st.integers())),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(CHOICES, st.booleans(), VALUES, ATTRS, st.booleans())
def test_selects_are_written_as_the_templates_write_them(choices, multiple, value, attrs, grouped):
    if grouped and choices:
        choices = [("Gruppe <1>", choices), *choices]
    widget = (forms.SelectMultiple if multiple else forms.Select)(choices=choices)
    value = [value] if multiple else value
    fast, templates = both(widget, "pick", value, attrs)
    assert fast == templates


def test_an_escaped_value_is_escaped_once():
    fast, _ = both(forms.TextInput(), "q", '"><script>x</script>')
    assert "<script>" not in fast
    assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in fast


@pytest.mark.parametrize(
    "widget",
    [
        forms.RadioSelect(choices=[("a", "A")]),
        forms.CheckboxSelectMultiple(choices=[("a", "A")]),
        forms.SelectDateWidget(),
        forms.ClearableFileInput(),
        forms.SplitDateTimeWidget(),
    ],
)
def test_other_widgets_go_to_the_templates(widget):
    value = datetime.datetime(2026, 1, 2, 3, 4) if isinstance(widget, forms.MultiWidget) else None
    fast, templates = both(widget, "w", value)
    assert fast == templates


def test_forms_use_it():
    class Form(forms.Form):
        amount = forms.DecimalField()

    assert isinstance(Form().renderer, FastWidgetRenderer)
    with override("de"):
        html = str(Form(initial={"amount": Decimal("1.5")})["amount"])
    assert 'value="1.5"' in html
