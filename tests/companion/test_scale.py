"""The companion app's part of `seed_demo --scale N`: event plans and registrations in
bulk, never beyond an event's places."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from cohorts.scale import BIG_COHORT_SLUG
from companion.models import Event

pytestmark = pytest.mark.django_db


def test_scale_adds_event_plans_within_their_places():
    call_command("seed_demo", verbosity=0)
    before = Event.objects.count()
    call_command("seed_demo", verbosity=0, scale=1, seed=3)
    assert Event.objects.count() - before >= 30
    big = Event.objects.filter(cohort__slug=BIG_COHORT_SLUG)
    assert big.count() == 10
    counted = Event.objects.annotate(
        taken=Count("registrations", filter=Q(registrations__state="registered"))
    )
    assert not [e for e in counted if e.capacity is not None and e.taken > e.capacity]
    assert big.filter(registrations__state="registered").exists()
