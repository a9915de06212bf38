"""seed_demo --scale N: a larger world on top of the demo world, added once."""

import pytest
from django.core.management import CommandError, call_command

from blueprints.models import Blueprint
from cohorts.models import Cohort, InterestRegistration, Participation
from cohorts.scale import BIG_COHORT_SLUG
from pioneer.models import Job, Notification, Organisation, PartnerLink, User

pytestmark = pytest.mark.django_db


def test_scale_adds_a_world_proportional_to_n_around_the_demo_office():
    call_command("seed_demo", verbosity=0)
    before = {
        "participations": Participation.objects.count(),
        "registrations": InterestRegistration.objects.count(),
        "blueprints": Blueprint.objects.count(),
    }
    call_command("seed_demo", verbosity=0, scale=2, seed=7)
    assert Participation.objects.count() - before["participations"] == 200
    assert InterestRegistration.objects.count() - before["registrations"] >= 400
    assert Blueprint.objects.count() - before["blueprints"] == 20
    assert Notification.objects.count() >= 790  # 800, less the rare duplicate key
    assert Notification.objects.filter(state="pending").count() >= 395
    big = Cohort.objects.get(programme__slug="pioneer4bb", slug=BIG_COHORT_SLUG)
    assert big.participations.count() == 40
    assert big.registrations.count() == 80
    assert big.accepts_interest()
    anna = User.objects.get(email="anna@mluk.example")
    assert Notification.objects.filter(recipient=anna, state="sent").exists()
    people = User.objects.filter(email__endswith="@skala.example")
    assert people.filter(password=people.first().password).count() == people.count()
    # Each office is linked to the partners it accepted or took people from, as the
    # office's own decisions would have linked them; the demo office to many.
    mluk = big.programme.organisation
    linked = set(
        PartnerLink.objects.filter(office_organisation=mluk).values_list("partner", flat=True)
    )
    externals = set(
        Participation.objects.filter(cohort=big, side="external").values_list(
            "organisation", flat=True
        )
    )
    assert externals <= linked and len(linked) > 10
    # The office's jobs pages have something to show: two done, one awaiting (the preview).
    states = sorted(
        Job.objects.filter(requested_by__email="office@mluk.example").values_list(
            "state", flat=True
        )
    )
    assert states == ["awaiting", "done", "done"]
    scale_office = Organisation.objects.get(short_name="SM001")
    assert PartnerLink.objects.filter(office_organisation=scale_office).exists()


def test_a_second_scale_run_is_refused_and_changes_nothing():
    call_command("seed_demo", verbosity=0, scale=1)
    count = Participation.objects.count()
    with pytest.raises(CommandError, match="added once"):
        call_command("seed_demo", verbosity=0, scale=1)
    assert Participation.objects.count() == count
