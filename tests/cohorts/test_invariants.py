"""The services own the rules of programmes and cohorts: a caller without a form (a copy,
a command, another app) cannot bypass them, and every write records its actor."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cohorts import services
from cohorts.forms import CohortForm, ProgrammeForm
from cohorts.models import Cohort, CohortTransition, Programme
from pioneer.access import SYSTEM
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.core import office_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The messages are compared in English (the source strings).
    with translation.override("en"):
        yield


LENGTH = "Enter a length between 1 and 36 months."
PHASE = "A phase cannot be longer than the whole cohort."


@pytest.mark.parametrize(
    ("lengths", "errors"),
    [
        ({"default_cohort_months": 0}, {"default_cohort_months": [LENGTH]}),
        ({"default_cohort_months": 37}, {"default_cohort_months": [LENGTH]}),
        ({"default_phase_months": 40}, {"default_phase_months": [LENGTH]}),
        (
            {"default_cohort_months": 4, "default_phase_months": 5},
            {"default_phase_months": [PHASE]},
        ),
    ],
)
def test_programme_services_refuse_lengths_out_of_range(lengths, errors):
    programme = ProgrammeFactory()
    office = office_user(programme.organisation)
    with pytest.raises(ValidationError) as caught:
        services.programme_create(
            organisation=programme.organisation, name="Neu", slug="neu", by=office, **lengths
        )
    assert caught.value.message_dict == errors
    with pytest.raises(ValidationError) as caught:
        services.programme_update(programme=programme, by=office, **lengths)
    assert caught.value.message_dict == errors
    assert Programme.objects.count() == 1
    programme.refresh_from_db()
    assert (programme.default_cohort_months, programme.default_phase_months) == (6, 3)


def test_cohort_services_refuse_a_window_closing_after_the_start():
    programme = ProgrammeFactory()
    message = {"interest_closes": ["The interest window must close before the cohort starts."]}
    with pytest.raises(ValidationError) as caught:
        services.cohort_create(
            programme=programme,
            title="Neu",
            slug="neu",
            by=SYSTEM,
            start_date=date(2030, 4, 1),
            interest_closes=date(2030, 5, 1),
        )
    assert caught.value.message_dict == message
    cohort = CohortFactory(programme=programme)
    with pytest.raises(ValidationError) as caught:
        services.cohort_update(cohort=cohort, by=SYSTEM, interest_closes=date(2023, 4, 2))
    assert caught.value.message_dict == message
    cohort.refresh_from_db()
    assert cohort.interest_closes == date(2023, 2, 28)
    assert Cohort.objects.count() == 1


def test_cohort_services_refuse_an_end_before_the_start_and_a_window_closing_before_it_opens():
    cohort = CohortFactory(state=Cohort.State.DRAFT)
    with pytest.raises(ValidationError) as caught:
        services.cohort_update(
            cohort=cohort,
            by=SYSTEM,
            end_date=date(2023, 3, 1),
            interest_opens=date(2023, 2, 1),
            interest_closes=date(2023, 1, 1),
        )
    assert caught.value.message_dict == {
        "end_date": ["The end must be after the start."],
        "interest_closes": ["The interest window must close after it opens."],
    }


def test_cohort_services_refuse_a_short_name_taken_in_the_programme_with_the_forms_message():
    cohort = CohortFactory(slug="erster")
    other = CohortFactory(programme=cohort.programme, slug="zweiter")
    message = {"slug": ["Another cohort of this programme has this short name."]}
    with pytest.raises(ValidationError) as caught:
        services.cohort_create(programme=cohort.programme, title="X", slug="erster", by=SYSTEM)
    assert caught.value.message_dict == message
    with pytest.raises(ValidationError) as caught:
        services.cohort_update(cohort=other, by=SYSTEM, slug="erster")
    assert caught.value.message_dict == message
    # The same short name in another programme is fine.
    assert (
        services.cohort_create(
            programme=ProgrammeFactory(), title="X", slug="erster", by=SYSTEM
        ).slug
        == "erster"
    )


def test_writes_record_their_actor():
    programme = ProgrammeFactory()
    office = office_user(programme.organisation)
    created = services.programme_create(
        organisation=programme.organisation, name="Neu", slug="neu", by=office
    )
    assert created.history.latest().history_user == office
    services.programme_update(programme=created, by=office, name="Neuer")
    assert created.history.latest().history_user == office
    cohort = services.cohort_create(programme=created, title="X", slug="x", by=office)
    assert cohort.history.latest().history_user == office
    services.cohort_update(cohort=cohort, by=office, planned_tandems=4)
    assert cohort.history.latest().history_user == office
    services.cohort_transition(cohort=cohort, to_state="open", by=office)
    assert CohortTransition.objects.get(cohort=cohort).by == office
    assert cohort.history.latest().history_user == office
    # Work without a person is named as such and recorded as nobody.
    services.cohort_update(cohort=cohort, by=SYSTEM, planned_tandems=5)
    assert cohort.history.latest().history_user is None
    with pytest.raises(TypeError):
        services.cohort_update(cohort=cohort, by=None, planned_tandems=6)


# ------------------------------------------------------------- forms only parse


def _cohort_data(cohort, **changes):
    data = {
        "title": cohort.title,
        "slug": cohort.slug,
        "start_date": cohort.start_date.isoformat(),
        "end_date": cohort.end_date.isoformat(),
        "interest_opens": cohort.interest_opens.isoformat(),
        "interest_closes": cohort.interest_closes.isoformat(),
        "planned_tandems": cohort.planned_tandems,
    }
    data.update(changes)
    return data


def test_a_refused_cohort_edit_leaves_the_instance_in_memory_unchanged():
    cohort = CohortFactory(state=Cohort.State.RUNNING, title="Alt")
    # The form accepts a running cohort without dates; the service does not.
    form = CohortForm(
        _cohort_data(cohort, title="Neu", start_date="", end_date=""),
        instance=cohort,
        programme=cohort.programme,
    )
    assert form.is_valid(), form.errors
    assert (cohort.title, cohort.start_date) == ("Alt", date(2023, 4, 1))
    with pytest.raises(ValidationError):
        services.cohort_update(cohort=cohort, by=SYSTEM, **form.cleaned_data)
    assert (cohort.title, cohort.start_date, cohort.end_date) == (
        "Alt",
        date(2023, 4, 1),
        date(2023, 9, 30),
    )
    # A form that refuses leaves it alone too.
    form = CohortForm(
        _cohort_data(cohort, title="Neu", end_date="2023-01-01"),
        instance=cohort,
        programme=cohort.programme,
    )
    assert not form.is_valid()
    assert (cohort.title, cohort.end_date) == ("Alt", date(2023, 9, 30))


def test_an_accepted_cohort_edit_reaches_the_instance_after_the_service():
    cohort = CohortFactory(title="Alt")
    form = CohortForm(
        _cohort_data(cohort, title="Neu"), instance=cohort, programme=cohort.programme
    )
    assert form.is_valid(), form.errors
    assert cohort.title == "Alt"
    services.cohort_update(cohort=cohort, by=SYSTEM, **form.cleaned_data)
    assert cohort.title == "Neu"
    assert Cohort.objects.get(pk=cohort.pk).title == "Neu"


def test_a_refused_programme_edit_leaves_the_instance_in_memory_unchanged():
    programme = ProgrammeFactory(name="Alt", slug="alt")
    data = {
        "name": "Neu",
        "slug": "neu",
        "description": "",
        "format": Programme.Format.TANDEM,
        "default_cohort_months": 6,
        "default_phase_months": 3,
        "is_public": True,
    }
    form = ProgrammeForm(data, instance=programme)
    assert form.is_valid(), form.errors
    assert (programme.name, programme.slug) == ("Alt", "alt")
    # A colleague takes the short name between the check and the save.
    ProgrammeFactory(slug="neu")
    with pytest.raises(ValidationError):
        services.programme_update(programme=programme, by=SYSTEM, **form.cleaned_data)
    assert (programme.name, programme.slug) == ("Alt", "alt")
    form = ProgrammeForm({**data, "default_phase_months": 9}, instance=programme)
    assert not form.is_valid()
    assert (programme.name, programme.default_phase_months) == ("Alt", 3)
