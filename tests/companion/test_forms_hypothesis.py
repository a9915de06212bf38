"""Hypothesis tries the forms of certificates and the network (as
tests/test_forms_hypothesis.py does for the others): whatever is sent, never a server
error, and a refusal changes nothing."""

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from cohorts.models import Cohort
from companion.models import Certificate, NetworkEntry
from pioneer.models import Job
from tests.factories.cohorts import CohortFactory
from tests.factories.companion import participant_in
from tests.factories.core import office_user
from tests.test_forms_hypothesis import HOSTILE, maybe

pytestmark = pytest.mark.django_db


def _state():
    return [
        Certificate.objects.count(),
        Job.objects.count(),
        [model_to_dict(e) for e in NetworkEntry.objects.order_by("pk")],
    ]


@pytest.fixture
def world():
    cohort = CohortFactory(state=Cohort.State.MATCHING)
    anna = participant_in(cohort, name="Anna Albrecht")
    participant = Client()
    participant.force_login(anna.user)
    office = Client()
    office.force_login(office_user(cohort.programme.organisation))
    return {"cohort": cohort, "anna": anna, "participant": participant, "office": office}


@given(
    data=st.fixed_dictionaries(
        {
            "programme": maybe(st.one_of(HOSTILE, st.integers(-(2**70), 2**70).map(str))),
            "organisation": maybe(HOSTILE),
            "topics": maybe(HOSTILE),
            "can_help_with": maybe(HOSTILE),
            "contact": maybe(HOSTILE),
        }
    )
)
def test_network_join(world, data):
    before = _state()
    response = world["participant"].post("/network/join/", data)
    assert response.status_code < 500
    if response.status_code != 302:
        assert _state() == before, "a refused submission changed something"
    world["participant"].post("/network/leave/")


@given(query=st.fixed_dictionaries({"q": maybe(HOSTILE), "topic": maybe(HOSTILE)}))
def test_network_search(world, query):
    response = world["participant"].get("/network/", query)
    assert response.status_code < 500


@given(code=maybe(HOSTILE))
def test_certificate_check(world, code):
    response = Client().get("/certificates/check/", {"code": code} if code is not None else {})
    assert response.status_code in (200, 400, 429)


@given(person=maybe(st.one_of(HOSTILE, st.integers(-(2**70), 2**70).map(str))))
def test_certificates_make_refuses_in_a_cohort_not_yet_running(world, person):
    before = _state()
    data = {"participation": person} if person is not None else {}
    response = world["office"].post(f"/cohorts/{world['cohort'].pk}/certificates/make/", data)
    assert response.status_code == 302
    assert _state() == before
