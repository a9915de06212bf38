"""The next cohort from this one: structure copied, dates shifted, hooks called."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cohorts import hooks
from cohorts.models import Cohort, Participation
from cohorts.services.cohorts import cohort_copy_next, suggested_start
from pioneer.access import SYSTEM
from tests.factories.cohorts import CohortFactory, ParticipationFactory
from tests.factories.core import office_user, participant_user
from tests.hooks import connected

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory(
        title="2. Durchgang 2023",
        state=Cohort.State.CLOSED,
        start_date=date(2023, 4, 1),
        end_date=date(2023, 9, 30),
        interest_opens=date(2023, 1, 1),
        interest_closes=date(2023, 2, 28),
        planned_tandems=12,
    )


def test_copy_shifts_every_date_to_the_new_start(cohort):
    ParticipationFactory(cohort=cohort)
    office = office_user(cohort.programme.organisation)
    new = cohort_copy_next(
        cohort=cohort, title="3. Durchgang 2024", start_date=date(2024, 4, 15), by=office
    )
    shift = timedelta(days=(date(2024, 4, 15) - date(2023, 4, 1)).days)
    assert new.programme == cohort.programme
    assert new.state == Cohort.State.DRAFT
    assert new.created_from == cohort
    assert new.start_date == date(2024, 4, 15)
    assert new.end_date == cohort.end_date + shift
    assert new.interest_opens == cohort.interest_opens + shift
    assert new.interest_closes == cohort.interest_closes + shift
    assert new.planned_tandems == 12
    assert new.slug and new.slug != cohort.slug
    # People are not copied: every cohort recruits anew.
    assert not Participation.objects.filter(cohort=new).exists()


def test_copy_without_a_start_moves_a_year(cohort):
    new = cohort_copy_next(by=SYSTEM, cohort=cohort, title="3. Durchgang 2024")
    assert new.start_date == date(2024, 4, 1) == suggested_start(cohort)


def test_copy_calls_the_hooks_of_later_apps(cohort):
    seen = []

    def copy_events(source, target, shift, by):
        seen.append((source.pk, target.pk, shift))

    with connected(hooks.cohort_copied, copy_events):
        new = cohort_copy_next(by=SYSTEM, cohort=cohort, title="Next", start_date=date(2023, 4, 8))
    assert seen == [(cohort.pk, new.pk, timedelta(days=7))]


def test_a_failing_hook_leaves_nothing_behind(cohort):
    def broken(**kwargs):
        raise RuntimeError("event plan could not be copied")

    with connected(hooks.cohort_copied, broken), pytest.raises(RuntimeError):
        cohort_copy_next(by=SYSTEM, cohort=cohort, title="Next")
    assert Cohort.objects.count() == 1


def test_copy_needs_a_new_title(cohort):
    with pytest.raises(ValidationError):
        cohort_copy_next(by=SYSTEM, cohort=cohort, title=" ")
    with pytest.raises(ValidationError):
        cohort_copy_next(by=SYSTEM, cohort=cohort, title="2. durchgang 2023")
    assert Cohort.objects.count() == 1


def _url(cohort):
    return reverse("cohorts:cohort_copy", kwargs={"cohort_pk": cohort.pk})


def test_view_creates_the_draft_and_opens_its_dashboard(client, cohort):
    client.force_login(office_user(cohort.programme.organisation))
    response = client.get(_url(cohort))
    assert response.status_code == 200
    assert "2024-04-01" in response.content.decode()
    response = client.post(_url(cohort), {"title": "3. Durchgang 2024", "start_date": "2024-05-01"})
    new = Cohort.objects.get(title="3. Durchgang 2024")
    assert response.status_code == 302
    assert response.url == reverse("cohorts:cohort_detail", kwargs={"pk": new.pk})
    assert new.start_date == date(2024, 5, 1)


def test_view_with_a_taken_title_changes_nothing(client, cohort):
    client.force_login(office_user(cohort.programme.organisation))
    response = client.post(_url(cohort), {"title": cohort.title})
    assert response.status_code == 400
    assert Cohort.objects.count() == 1


def test_view_permissions(client, cohort):
    url = _url(cohort)
    response = client.post(url, {"title": "X"})
    assert response.status_code == 302 and "login" in response.url
    client.force_login(office_user())
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "X"}).status_code == 404
    client.force_login(participant_user())
    assert client.post(url, {"title": "X"}).status_code == 403
    assert Cohort.objects.count() == 1


def test_a_copy_whose_shifted_end_falls_before_its_start_is_refused():
    # Without a start of its own, the source's end moves by a year while the new start
    # is the one asked for: the end would come first. The service refuses, as a form would.
    source = CohortFactory(
        state=Cohort.State.DRAFT,
        start_date=None,
        end_date=date(2030, 6, 1),
        interest_opens=None,
        interest_closes=None,
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        cohort_copy_next(by=SYSTEM, cohort=source, title="Nächster", start_date=date(2032, 1, 1))
    assert caught.value.message_dict == {"end_date": ["The end must be after the start."]}
    assert Cohort.objects.count() == 1


def test_a_copy_whose_window_would_close_after_its_start_is_refused(client):
    source = CohortFactory(
        state=Cohort.State.DRAFT,
        start_date=None,
        end_date=None,
        interest_opens=date(2030, 1, 1),
        interest_closes=date(2031, 1, 1),
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        cohort_copy_next(by=SYSTEM, cohort=source, title="Nächster", start_date=date(2031, 6, 1))
    assert caught.value.message_dict == {
        "interest_closes": ["The interest window must close before the cohort starts."]
    }
    # Through the page the refusal is a message above the form, and nothing is created.
    client.force_login(office_user(source.programme.organisation))
    response = client.post(_url(source), {"title": "Nächster", "start_date": "2031-06-01"})
    assert response.status_code == 400
    with translation.override("de"):
        message = translation.gettext("The interest window must close before the cohort starts.")
    assert message in response.content.decode()
    assert Cohort.objects.count() == 1
