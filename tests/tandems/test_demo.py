"""The demo world's tandems: every state, Anna and Ben in their second phase today, Clara's
tandem waiting for her confirmation, a matching to try in the open cohort."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort
from pioneer.models import User
from tandems import matching
from tandems.models import Milestone, Tandem

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def _client(email):
    client = Client()
    client.force_login(User.objects.get(email=email))
    client.cookies["django_language"] = "en"
    return client


def test_every_state_and_a_second_run_changes_nothing(demo):
    assert set(Tandem.objects.values_list("state", flat=True)) == set(Tandem.State.values)
    counts = (Tandem.objects.count(), Milestone.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Tandem.objects.count(), Milestone.objects.count()) == counts


def test_anna_and_ben_are_in_their_second_phase_today(demo):
    today = timezone.localdate()
    tandem = Tandem.objects.get(administration__user__email="anna@mluk.example")
    assert tandem.state == Tandem.State.PHASE_2
    second = tandem.phases.get(number=2)
    assert second.start <= today <= second.end
    assert second.guest.user.email == "ben@partner.example"
    milestones = Milestone.objects.filter(tandem=tandem)
    assert milestones.filter(done_at__isnull=False).exists()
    assert milestones.filter(done_at__isnull=True, due_date__gte=today).exists()
    assert tandem.phases.get(number=1).confirmations.count() == 3
    home = _client("anna@mluk.example").get("/home/").content.decode()
    assert "Ben Brandt" in home and "Phase 2" in home and "days left in this phase" in home
    assert "you host Ben Brandt" in home


def test_clara_confirms_her_proposed_tandem(demo):
    client = _client("clara@mluk.example")
    tandem = Tandem.objects.get(administration__user__email="clara@mluk.example")
    assert tandem.state == Tandem.State.PROPOSED and tandem.external_confirmed_at
    assert "Confirm the tandem" in client.get(reverse("tandems:mine")).content.decode()
    client.post(reverse("tandems:confirm", args=[tandem.pk]))
    tandem.refresh_from_db()
    assert tandem.state == Tandem.State.AGREED


def test_a_matching_to_try_in_the_open_cohort(demo):
    cohort = Cohort.objects.get(slug="durchgang-3")
    result = matching.cohort_matching(cohort)
    assert len(result.administration) >= 3 and len(result.external) >= 3
    assert len(result.assignment) >= 3
    assert any(r.code == "like" for fit in result.assignment for r in fit.reasons)
    assert result.forbidden_count >= 2  # a stated exclusion, a pair from the pilot
    page = _client("office@mluk.example").get(reverse("tandems:matching", args=[cohort.pk]))
    assert page.status_code == 200
    assert "would like to be paired with" in page.content.decode()


def test_the_office_of_another_ministry_sees_none_of_it(demo):
    cohort = Cohort.objects.get(slug="durchgang-2")
    client = _client("office@mik.example")
    assert client.get(reverse("tandems:board", args=[cohort.pk])).status_code == 404


def test_anna_and_ben_keep_journals_of_every_visibility(demo):
    from tandems.models import JournalEntry

    for email in ("anna@mluk.example", "ben@partner.example"):
        entries = JournalEntry.objects.filter(participation__user__email=email)
        assert {"private", "partner", "office"} <= set(entries.values_list("visibility", flat=True))
        assert all(e.date <= timezone.localdate() for e in entries)
    assert JournalEntry.objects.filter(visibility="both").exists()
    count = JournalEntry.objects.count()
    call_command("seed_demo", verbosity=0)
    assert JournalEntry.objects.count() == count
    # What each of them sees: Ben reads Anna's shared entries, the office what was
    # shared with it, and nobody but Anna her private one.
    anna_private = JournalEntry.objects.get(
        participation__user__email="anna@mluk.example", visibility="private"
    ).text[:40]
    anna_partner = JournalEntry.objects.get(
        participation__user__email="anna@mluk.example", visibility="partner"
    ).text[:40]
    assert (
        anna_private
        in _client("anna@mluk.example").get(reverse("tandems:journal")).content.decode()
    )
    shared = _client("ben@partner.example").get(reverse("tandems:journal_shared")).content.decode()
    assert anna_partner in shared and anna_private not in shared
    tandem = Tandem.objects.get(administration__user__email="anna@mluk.example")
    office = _client("office@mluk.example").get(
        reverse("tandems:office_journal", args=[tandem.cohort_id, tandem.pk])
    )
    assert office.status_code == 200
    page = office.content.decode()
    assert "Programmbüro" in page and anna_private not in page and anna_partner not in page
