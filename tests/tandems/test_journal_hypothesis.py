"""Hypothesis tries the learning journal's form: whatever is posted, never a server
error, and a refused submission changes nothing."""

import pytest
from django.forms.models import model_to_dict
from hypothesis import given
from hypothesis import strategies as st

from tandems.models import JournalEntry
from tests.tandems.journal_world import build, client_for
from tests.test_forms_hypothesis import DAY, HOSTILE, SENSIBLE_DAY, maybe

pytestmark = pytest.mark.django_db

VISIBILITY = st.sampled_from(JournalEntry.Visibility.values)


@pytest.fixture
def world():
    w = build()
    w["client"] = client_for(w["anna"])
    return w


def _state():
    return [model_to_dict(e) for e in JournalEntry.objects.order_by("pk")]


def _check(response, before, after):
    assert response.status_code < 500
    if response.status_code not in (301, 302, 303):
        assert after == before, "a refused submission changed something"


FORM = st.fixed_dictionaries(
    {
        "date": st.one_of(SENSIBLE_DAY, DAY, HOSTILE),
        "phase": st.one_of(st.just(""), st.integers(-5, 10**12).map(str), HOSTILE),
        "text": maybe(st.text(min_size=1, max_size=200)),
        "visibility": maybe(VISIBILITY),
    }
)


@given(data=FORM)
def test_write_an_entry(world, data):
    before = _state()
    response = world["client"].post("/tandem/journal/new/", data)
    _check(response, before, _state())


@given(data=FORM)
def test_edit_an_entry(world, data):
    entry = world["entries"][("anna", "office")]
    before = _state()
    response = world["client"].post(f"/tandem/journal/{entry.pk}/edit/", data)
    _check(response, before, _state())
