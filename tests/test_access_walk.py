"""Another ministry's office gets 404 on every URL with an object id, found by a crawl of
the owner's pages rather than a hand-written list; and both access helpers report a
view that leaks."""

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

from cohorts.models import Cohort
from pioneer.models import Organisation, Role, User
from pioneer.permissions import role_required
from tests.access import access_problems, walk_for_leaks
from tests.factories.cohorts import CohortFactory
from tests.factories.core import office_user, participant_user
from tests.test_urls_public import PUBLIC

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)
    return {
        "owner": User.objects.get(email="office@mluk.example"),
        "stranger": User.objects.get(email="office@mik.example"),
    }


def test_another_ministrys_office_gets_404_on_every_url_with_an_object_id(demo):
    problems, exercised = walk_for_leaks(
        owner=demo["owner"], stranger=demo["stranger"], skip_names=PUBLIC
    )
    assert problems == []
    # The walk really reached the owner's objects: cohorts, people, registrations,
    # organisations (a walk that opened nothing would prove nothing).
    for fragment in ("cohorts/<int:pk>/", "participants/<int:pk>/", "registrations/<int:pk>/"):
        assert any(fragment in route for route in exercised), (fragment, sorted(exercised))
    assert any(route.startswith("organisations/<int:pk>") for route in exercised)
    assert len(exercised) >= 15


def test_a_partner_contact_of_another_organisation_gets_404_on_the_partners_pages(demo):
    from tests.factories.core import partner_user

    gemeinwohl = Organisation.objects.get(short_name="Gemeinwohl Lab")
    problems, exercised = walk_for_leaks(
        owner=User.objects.get(email="contact@partner.example"),
        stranger=partner_user(gemeinwohl),
        skip_names=PUBLIC,
        label="a partner contact of another organisation",
    )
    assert problems == []
    assert "registrations/<int:pk>/" in exercised


def test_the_ministry_that_adopted_a_programme_keeps_its_copy_to_itself(demo):
    """MIK adopted pioneer4BB (the demo): its programme, cohort, copied events and
    surveys and the adoption's record are MIK's; the MLUK's office, whose programme it
    came from, gets 404 on each of them."""
    # The origin's office manages the blueprints MIK reads (publish, withdraw, edit,
    # files): those are its own, so the walk leaves them out here.
    managed = {
        "blueprints:edit",
        "blueprints:publish",
        "blueprints:withdraw",
        "blueprints:file_add",
        "blueprints:version_add",
    }
    from blueprints.models import Adoption

    # The crawl starts where MIK's office lands after adopting, too: the adoption's page
    # (found among many ids only by chance once earlier tests have moved the sequences).
    adoption = Adoption.objects.get()  # the demo has one: MIK's
    problems, exercised = walk_for_leaks(
        owner=demo["stranger"],
        stranger=demo["owner"],
        start=("/home/", f"/blueprints/adoptions/{adoption.pk}/"),
        skip_names=PUBLIC | managed,
        label="the office of the programme's origin",
    )
    assert problems == []
    for fragment in ("adoptions/<int:pk>/", "adopt/<slug:slug>/", "cohorts/<int:pk>/"):
        assert any(fragment in route for route in exercised), (fragment, sorted(exercised))


# --- a deliberately leaking view, to prove the helpers notice one --------------------------


@role_required(Role.Kind.PROGRAMME_OFFICE)
def leaky_cohort(request, pk):
    """Looks the cohort up among all cohorts instead of `cohorts_for(request.user)`."""
    cohort = get_object_or_404(Cohort, pk=pk)
    return HttpResponse(f"<html><body>{cohort.title}</body></html>")


@role_required(Role.Kind.PROGRAMME_OFFICE)
def leak_index(request):
    from cohorts.selectors import cohorts_for

    links = "".join(f'<a href="/leak/{c.pk}/">{c.title}</a>' for c in cohorts_for(request.user))
    return HttpResponse(f"<html><body>{links}</body></html>")


urlpatterns = [
    path("leak/", leak_index, name="leak_index"),
    path("leak/<int:pk>/", leaky_cohort, name="leak"),
    path("", include("pioneer.urls")),
]


@pytest.mark.urls("tests.test_access_walk")
def test_the_walk_reports_a_leaking_view(demo):
    problems, exercised = walk_for_leaks(
        owner=demo["owner"], stranger=demo["stranger"], skip_names=PUBLIC
    )
    assert "leak/<int:pk>/" in exercised
    leaks = [p for p in problems if p.startswith("GET /leak/")]
    assert leaks and all("another ministry's office got HTTP 200" in p for p in leaks)


@pytest.mark.urls("tests.test_access_walk")
def test_the_helper_reports_a_leaking_view():
    cohort = CohortFactory()
    owner = office_user(cohort.programme.organisation)
    problems = access_problems(
        f"/leak/{cohort.pk}/",
        owner=owner,
        stranger=office_user(),
        wrong_role=participant_user(),
    )
    assert problems == [f"GET /leak/{cohort.pk}/: another ministry's office got HTTP 200, not 404"]
