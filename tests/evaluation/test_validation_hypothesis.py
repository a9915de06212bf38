"""Each question type's validation, tried by Hypothesis: what a type allows comes back as
it was given; anything else is refused with a message (never an exception of another
kind). No database needed: `parse_answer` reads only the question."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from evaluation import services
from evaluation.models import Question

OPTIONS = ["Workshop", "Hospitation", "Netzwerk", "Kollegiale Beratung"]
# Printable text without control characters, as a person types it.
TYPED = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=200
).filter(lambda s: s.strip())


def _q(type_):
    return Question(text="?", type=type_, choices=list(OPTIONS))


def _refused(question, raw):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.parse_answer(question, raw)
    assert error.value.messages and all(m.strip() for m in error.value.messages)


@given(st.integers(min_value=1, max_value=5))
def test_likert_takes_the_five_points(value):
    assert services.parse_answer(_q("likert5"), [f" {value} "]) == {"number": value}


@given(st.integers().filter(lambda v: not 1 <= v <= 5))
def test_likert_refuses_anything_else(value):
    _refused(_q("likert5"), [str(value)])


@given(st.integers(min_value=0, max_value=10))
def test_recommendation_takes_0_to_10(value):
    assert services.parse_answer(_q("nps"), [str(value)]) == {"number": value}


@given(st.integers().filter(lambda v: not 0 <= v <= 10))
def test_recommendation_refuses_anything_else(value):
    _refused(_q("nps"), [str(value)])


@given(st.integers(min_value=-services.NUMBER_LIMIT, max_value=services.NUMBER_LIMIT))
def test_number_takes_whole_numbers_within_the_limit(value):
    assert services.parse_answer(_q("number"), [str(value)]) == {"number": value}


def _not_a_whole_number_within_the_limit(raw):
    try:
        return abs(int(raw)) > services.NUMBER_LIMIT
    except ValueError:
        return True


@given(
    st.integers().filter(lambda v: abs(v) > services.NUMBER_LIMIT).map(str)
    | st.floats().map(repr)  # "1.0", "1e+20", "nan", "inf": none is a whole number
    | TYPED.filter(_not_a_whole_number_within_the_limit)
)
def test_number_refuses_anything_else(raw):
    _refused(_q("number"), [raw])


@given(st.sampled_from(OPTIONS))
def test_single_choice_takes_one_option(choice):
    assert services.parse_answer(_q("single"), [choice]) == {"text": choice}


@given(TYPED.filter(lambda s: s.strip() not in OPTIONS))
def test_single_choice_refuses_what_is_not_offered(raw):
    _refused(_q("single"), [raw])


@given(st.lists(st.sampled_from(OPTIONS), min_size=2, max_size=2, unique=True))
def test_single_choice_refuses_two_options(two):
    _refused(_q("single"), two)


@given(st.lists(st.sampled_from(OPTIONS), min_size=1, unique=True))
def test_multiple_choice_keeps_the_options_in_their_order(chosen):
    parsed = services.parse_answer(_q("multiple"), chosen)
    assert parsed == {"choices": [o for o in OPTIONS if o in chosen]}


@given(st.lists(st.sampled_from(OPTIONS), min_size=1, unique=True), TYPED)
def test_multiple_choice_refuses_an_option_not_offered(chosen, extra):
    # An option not offered is refused; so is a repeated one.
    chosen = [*chosen, chosen[0] if extra.strip() in OPTIONS else extra]
    _refused(_q("multiple"), chosen)


@given(TYPED.filter(lambda s: len(s.strip()) <= services.TEXT_MAX))
def test_free_text_is_kept_trimmed(text):
    assert services.parse_answer(_q("text"), [text]) == {"text": text.strip()}


@given(TYPED, st.sampled_from(["\x00", "\x07", "\x1b"]))
def test_free_text_refuses_control_characters(text, control):
    _refused(_q("text"), [text + control + text])


@given(st.sampled_from(list(Question.Type.values)), st.sampled_from(["", " ", "\t"]))
def test_an_empty_answer_is_no_answer_for_every_type(type_, blank):
    assert services.parse_answer(_q(type_), [blank]) is None
