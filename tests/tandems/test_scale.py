"""The tandems app's part of `seed_demo --scale N`: tandems in every state, in proportion
to N, with their phases and milestones; the big cohort keeps most people unmatched."""

import pytest
from django.core.management import call_command

from cohorts.models import Cohort
from cohorts.scale import BIG_COHORT_SLUG
from tandems import matching
from tandems.models import HospitationPhase, Milestone, Tandem

pytestmark = pytest.mark.django_db


def _scale_tandems():
    return Tandem.objects.filter(administration__user__email__endswith="@skala.example")


@pytest.mark.parametrize("n", [2])
def test_scale_adds_tandems_in_every_state(n):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0, scale=n, seed=5)
    tandems = _scale_tandems()
    states = set(tandems.values_list("state", flat=True))
    assert states == set(Tandem.State.values)
    # Each running scale cohort with people on both sides has tandems (an even number of
    # cohorts once put each cohort's people on one side only).
    running = Cohort.objects.filter(
        state=Cohort.State.RUNNING, participations__user__email__endswith="@skala.example"
    ).distinct()
    assert running.exists()
    assert all(c.tandems.exists() for c in running)
    assert HospitationPhase.objects.filter(tandem__in=tandems).count() == 2 * tandems.count()
    assert Milestone.objects.filter(tandem__in=tandems).count() == 7 * tandems.count()
    assert not tandems.filter(state="ended_early", ended_reason="").exists()
    assert not tandems.filter(state="proposed", administration_confirmed_at__isnull=False).exists()
    # The big open cohort: a quarter paired (proposed or agreed), the rest left to match.
    big = Cohort.objects.get(slug=BIG_COHORT_SLUG, programme__slug="pioneer4bb")
    assert set(big.tandems.values_list("state", flat=True)) == {"proposed", "agreed"}
    unmatched = matching.unmatched(big).count()
    assert unmatched >= big.participations.exclude(state="withdrawn").count() // 2
