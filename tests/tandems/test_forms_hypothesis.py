"""Hypothesis tries every form of the tandems app (as tests/test_forms_hypothesis.py does
for the others): whatever is posted, never a server error, and a refusal changes nothing."""

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from cohorts.models import Cohort
from tandems.models import HospitationPhase, MatchPreference, Milestone, Tandem
from tests.factories.cohorts import CohortFactory
from tests.factories.core import office_user
from tests.factories.tandems import pair, tandem
from tests.test_forms_hypothesis import DAY, HOSTILE, SENSIBLE_DAY, WORD, maybe

pytestmark = pytest.mark.django_db

TABLES = [Tandem, HospitationPhase, Milestone, MatchPreference]


def _state(*objects):
    state = [model.objects.count() for model in TABLES]
    for obj in objects:
        state.append(model_to_dict(type(obj).objects.get(pk=obj.pk)))
    state += [model_to_dict(p) for p in HospitationPhase.objects.order_by("pk")]
    return state


def _check(response, before, after):
    assert response.status_code < 500
    if response.status_code not in (301, 302, 303):
        assert after == before, "a refused submission changed something"


@pytest.fixture
def world():
    cohort = CohortFactory(state=Cohort.State.MATCHING)
    office = office_user(cohort.programme.organisation)
    t = tandem(cohort)
    free = pair(cohort)
    client = Client()
    client.force_login(office)
    return {"cohort": cohort, "tandem": t, "free": free, "client": client}


@given(
    data=st.fixed_dictionaries(
        {
            "first_start": maybe(SENSIBLE_DAY),
            "first_end": maybe(SENSIBLE_DAY),
            "second_start": maybe(DAY),
            "second_end": maybe(SENSIBLE_DAY),
        }
    )
)
def test_phase_dates(world, data):
    t = world["tandem"]
    before = _state(t)
    response = world["client"].post(f"/cohorts/{world['cohort'].pk}/tandems/{t.pk}/dates/", data)
    _check(response, before, _state(t))


@given(data=st.fixed_dictionaries({"reason": HOSTILE}))
def test_end_early(world, data):
    t = tandem(world["cohort"])
    before = _state(t)
    response = world["client"].post(f"/cohorts/{world['cohort'].pk}/tandems/{t.pk}/end/", data)
    _check(response, before, _state(t))


@given(
    data=st.fixed_dictionaries(
        {
            "administration": maybe(st.just("A")),
            "external": maybe(st.just("B")),
            "topic": maybe(WORD),
            "external_first": maybe(st.just("on")),
        }
    )
)
def test_pair_by_hand(world, data):
    a, b = world["free"]
    data = {k: {"A": str(a.pk), "B": str(b.pk)}.get(v, v) for k, v in data.items()}
    before = _state()
    response = world["client"].post(f"/cohorts/{world['cohort'].pk}/matching/pair/", data)
    _check(response, before, _state())


@given(pairs=st.lists(maybe(st.just("PAIR")), max_size=3))
def test_accept_assignment(world, pairs):
    a, b = world["free"]
    pairs = [f"{a.pk}-{b.pk}" if p == "PAIR" else p for p in pairs]
    before = _state()
    response = world["client"].post(f"/cohorts/{world['cohort'].pk}/matching/", {"pairs": pairs})
    _check(response, before, _state())


@given(choice=maybe(st.sampled_from(["", "like", "dislike"])), key=maybe(st.just("OTHER")))
def test_preferences(world, choice, key):
    a, b = world["free"]
    client = Client()
    client.force_login(a.user)
    field = f"p{b.pk}" if key == "OTHER" else key
    before = _state()
    response = client.post(f"/tandem/preferences/{world['cohort'].pk}/", {field: choice})
    _check(response, before, _state())


@given(query=st.fixed_dictionaries({"state": HOSTILE, "overdue": HOSTILE, "q": HOSTILE}))
def test_board_filters(world, query):
    response = world["client"].get(f"/cohorts/{world['cohort'].pk}/tandems/", query)
    assert response.status_code == 200
