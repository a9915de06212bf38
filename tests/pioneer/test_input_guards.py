"""Bad input never answers 500: the shared checks of text and dates, query parameters
read by forms, reserved short names, and plain-text e-mails without HTML escaping."""

import importlib
import inspect
import pathlib
from datetime import date

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from cohorts import services
from cohorts.forms import CohortCopyForm, CohortForm, InterestForm, ProgrammeForm
from cohorts.models import Cohort, Programme
from cohorts.services.cohorts import cohort_copy_next, suggested_start
from pioneer.access import SYSTEM
from pioneer.forms import InviteForm
from pioneer.models import Organisation
from pioneer.validators import SafeInputMixin
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.core import OrganisationFactory, office_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """The messages are matched in English (the source language), on forms and pages."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


PROJECT_APPS = ("pioneer", "cohorts", "tandems", "companion", "evaluation", "blueprints")
# The import's row form belongs to the import being rewritten as a job (helper "jobs"); the
# names it creates are checked by the models' validators all the same.
NOT_YET = {"cohorts.services.imports.ParticipantRowForm"}


def _project_classes(base):
    found = []
    for label in PROJECT_APPS:
        app_path = pathlib.Path(apps.get_app_config(label).path)
        # Packages too (cohorts/services/, cohorts/views/), migrations aside.
        for path in sorted(app_path.rglob("*.py")):
            parts = path.relative_to(app_path).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join((label, *(p for p in parts if p != "__init__")))
            module = importlib.import_module(name)
            for obj in vars(module).values():
                if (
                    inspect.isclass(obj)
                    and issubclass(obj, base)
                    and obj.__module__ == module.__name__
                ):
                    found.append(obj)
    return found


def test_every_form_of_the_project_uses_the_shared_checks():
    project_forms = _project_classes(forms.BaseForm)
    assert len(project_forms) >= 10
    missing = [
        f"{cls.__module__}.{cls.__name__}"
        for cls in project_forms
        if not issubclass(cls, SafeInputMixin) and f"{cls.__module__}.{cls.__name__}" not in NOT_YET
    ]
    assert missing == []


def test_every_filter_of_the_project_uses_the_shared_checks():
    filtersets = _project_classes(django_filters.FilterSet)
    assert filtersets
    for cls in filtersets:
        assert issubclass(cls._meta.form, SafeInputMixin), cls


CONTROL = ["\x00", "\x07", "\x0b", "\x1b", "\x1f"]
BIDI = ["\u202e", "\u2066", "\u200f", "\u061c"]


def _interest_data(**changes):
    ministry = OrganisationFactory()
    cohort = CohortFactory(state=Cohort.State.OPEN, interest_opens=None, interest_closes=None)
    data = {
        "cohort": cohort.pk,
        "organisation_name": "Firma GmbH",
        "organisation_kind": "company",
        "parent_ministry": ministry.pk,
        "street": "Hauptstraße 1",
        "postcode": "14467",
        "city": "Potsdam",
        "contact_name": "Anna Beispiel",
        "contact_email": "anna@firma.example",
        "places_send": 1,
        "places_host": 0,
        "message": "Zeile eins\r\nZeile zwei\tmit Tab",
        "privacy": "on",
    }
    data.update(changes)
    return data, Cohort.objects.filter(pk=cohort.pk)


def test_interest_form_takes_tabs_and_newlines():
    data, cohorts = _interest_data()
    assert InterestForm(data, cohorts=cohorts).is_valid()


@pytest.mark.parametrize("char", CONTROL)
@pytest.mark.parametrize("field", ["message", "city", "contact_name", "preferred_timing"])
def test_control_characters_are_refused_in_every_text(char, field):
    data, cohorts = _interest_data(**{field: f"Text{char}mehr"})
    form = InterestForm(data, cohorts=cohorts)
    assert not form.is_valid()
    assert field in form.errors


@pytest.mark.parametrize("char", BIDI)
@pytest.mark.parametrize("field", ["organisation_name", "contact_name"])
def test_direction_controls_are_refused_in_names(char, field):
    data, cohorts = _interest_data(**{field: f"Anna{char}exe.txt"})
    form = InterestForm(data, cohorts=cohorts)
    assert not form.is_valid()
    assert "writing direction" in str(form.errors[field])


def test_direction_controls_are_fine_in_free_text():
    # Arabic or Hebrew in a message may legitimately carry direction marks.
    data, cohorts = _interest_data(message="\u200fשלום")
    assert InterestForm(data, cohorts=cohorts).is_valid()


@pytest.mark.parametrize("char", BIDI)
def test_direction_controls_are_refused_in_names_of_people_programmes_cohorts(char):
    invite = InviteForm(
        {"name": f"Eve{char}", "email": "eve@x.example", "language": "de", "kind": "participant"},
        office_organisations=[],
        acting_organisations=Organisation.objects.none(),
    )
    assert "name" in invite.errors
    programme = ProgrammeForm(
        {
            "name": f"P{char}",
            "slug": "p",
            "format": "tandem",
            "default_cohort_months": 6,
            "default_phase_months": 3,
        },
        organisations=[OrganisationFactory()],
    )
    assert "name" in programme.errors
    cohort_form = CohortForm(
        {"title": f"T{char}", "slug": "t", "planned_tandems": 1}, programme=ProgrammeFactory()
    )
    assert "title" in cohort_form.errors
    # ... and the services refuse them too, whoever calls them.
    with pytest.raises(ValidationError) as caught:
        services.programme_create(
            organisation=OrganisationFactory(), name=f"P{char}", slug="p-bidi", by=SYSTEM
        )
    assert "name" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.cohort_create(
            by=SYSTEM, programme=ProgrammeFactory(), title=f"T{char}", slug="t-bidi"
        )
    with pytest.raises(ValidationError):
        from pioneer.services import organisation_create

        organisation_create(name=f"Org{char}", kind="company", by=SYSTEM)


# Dates -------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "1989-12-31", "2101-01-01", "0001-01-01"])
def test_cohort_form_refuses_dates_outside_the_range(day):
    form = CohortForm(
        {"title": "T", "slug": "t", "start_date": day, "planned_tandems": 1},
        programme=ProgrammeFactory(),
    )
    assert not form.is_valid()
    assert "between the years 1990 and 2100" in str(form.errors["start_date"])


def test_date_inputs_tell_the_browser_the_range():
    form = CohortForm(programme=ProgrammeFactory())
    assert 'min="1990-01-01"' in str(form["start_date"])
    assert 'max="2100-12-31"' in str(form["start_date"])


def test_copy_form_refuses_dates_outside_the_range():
    form = CohortCopyForm({"title": "Neu", "start_date": "9999-12-31"})
    assert "start_date" in form.errors


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1), date(2101, 1, 1)])
def test_services_refuse_absurd_dates(day):
    programme = ProgrammeFactory()
    with pytest.raises(ValidationError) as caught:
        services.cohort_create(by=SYSTEM, programme=programme, title="T", slug="t", start_date=day)
    assert "start_date" in caught.value.message_dict
    cohort = CohortFactory(programme=programme)
    with pytest.raises(ValidationError):
        services.cohort_update(by=SYSTEM, cohort=cohort, end_date=day)
    with pytest.raises(ValidationError):
        cohort_copy_next(by=SYSTEM, cohort=cohort, title="Nächster", start_date=day)
    assert Cohort.objects.filter(programme=programme).count() == 1


def test_copy_of_a_cohort_at_the_end_of_the_range_is_refused_not_an_error():
    cohort = CohortFactory(
        start_date=date(2100, 6, 1),
        end_date=date(2100, 12, 1),
        interest_opens=None,
        interest_closes=None,
    )
    assert suggested_start(cohort) is None
    with pytest.raises(ValidationError):
        cohort_copy_next(by=SYSTEM, cohort=cohort, title="Danach")


def test_copy_view_with_a_date_far_away_answers_400(client):
    cohort = CohortFactory()
    client.force_login(office_user(org=cohort.programme.organisation))
    response = client.post(
        f"/cohorts/{cohort.pk}/copy/", {"title": "Neu", "start_date": "9999-12-31"}
    )
    assert response.status_code == 400
    assert Cohort.objects.count() == 1


# Query parameters -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "9" * 400, "1" * 5000, "-1", "0", "abc", "\x00"])
def test_interest_query_parameter_never_breaks_the_page(client, value):
    cohort = CohortFactory(state=Cohort.State.OPEN, interest_opens=None, interest_closes=None)
    response = client.get("/interest/", {"cohort": value})
    assert response.status_code == 200
    assert response.context["form"].initial == {}
    response = client.get("/interest/", {"cohort": str(cohort.pk)})
    assert response.context["form"].initial == {"cohort": cohort.pk}


@pytest.mark.parametrize("value", ["²", "9" * 400, "\x00", "x\x1b"])
def test_filters_with_hostile_values_answer_200(client, value):
    cohort = CohortFactory()
    client.force_login(office_user(org=cohort.programme.organisation))
    for name in ("cohort", "q", "page", "state"):
        assert client.get("/registrations/", {name: value}).status_code == 200
    for name in ("organisation", "q", "page", "signed_in"):
        url = f"/cohorts/{cohort.pk}/participants/"
        assert client.get(url, {name: value}).status_code == 200


def test_language_switch_drops_a_broken_return_address(client):
    response = client.post("/i18n/language/", {"language": "en", "next": "/home/\x00\r\nX: 1"})
    assert response.status_code == 302
    assert response.url == "/"


# Reserved short names -----------------------------------------------------------------


@pytest.mark.parametrize("slug", ["new", "NEW", "edit", "cohorts"])
def test_programme_slugs_of_fixed_paths_are_refused(client, slug):
    ministry = OrganisationFactory()
    client.force_login(office_user(org=ministry))
    response = client.post(
        "/programmes/new/",
        {
            "name": "Neu",
            "slug": slug,
            "format": "tandem",
            "default_cohort_months": 6,
            "default_phase_months": 3,
        },
    )
    assert response.status_code == 400
    assert "word of the addresses" in str(response.context["form"].errors["slug"])
    assert not Programme.objects.exists()
    with pytest.raises(ValidationError):
        services.programme_create(organisation=ministry, name="Neu", slug=slug, by=SYSTEM)


def test_cohort_slugs_of_fixed_paths_are_refused():
    programme = ProgrammeFactory()
    form = CohortForm({"title": "T", "slug": "new", "planned_tandems": 1}, programme=programme)
    assert "slug" in form.errors
    with pytest.raises(ValidationError):
        services.cohort_create(by=SYSTEM, programme=programme, title="T", slug="new")


def test_a_copy_titled_like_a_fixed_path_gets_another_slug():
    cohort = CohortFactory()
    new = cohort_copy_next(by=SYSTEM, cohort=cohort, title="New")
    assert new.slug != "new"


# Plain-text e-mails --------------------------------------------------------------------

NAME = 'O\'Brien & Söhne <GmbH> "Süd"'
ENTITIES = ["&amp;", "&#x27;", "&#39;", "&lt;", "&gt;", "&quot;", "&#34;"]


class Anything:
    """Whatever a template asks of it (name, cohort, organisation ...) is the name."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return Anything()

    def __str__(self):
        return NAME

    def __html__(self):  # pragma: no cover - only if someone marks it safe
        return NAME


def _txt_templates():
    root = pathlib.Path(settings.BASE_DIR) / "templates"
    found = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.txt"))
    return [p for p in found if "email" in p or p.startswith("notifications/")]


def test_there_are_plain_text_e_mails_to_check():
    assert len(_txt_templates()) >= 10


def _context():
    context = {
        key: Anything()
        for key in ("registration", "recipient", "user", "cohort", "target", "role", "programme")
    }
    context.update(
        {
            "valid_hours": 72,
            "minutes": 10,
            "link": "/x/",
            "site_url": "https://pioneer.example",
            "code": "123456",
        }
    )
    return context


@pytest.mark.parametrize("template", _txt_templates())
def test_plain_text_e_mails_show_names_literally(template):
    text = render_to_string(template, _context())
    for entity in ENTITIES:
        assert entity not in text, f"{template} escapes: {entity}"


def test_the_names_really_appear_in_the_e_mails():
    # Guards the test above: the greetings show the name, as it is, in several e-mails.
    texts = [
        render_to_string(t, _context()) for t in _txt_templates() if not t.endswith("_subject.txt")
    ]
    assert sum(NAME in text for text in texts) >= 4


# Numbers and addresses beyond what the database holds -----------------------------------


def test_an_address_too_long_to_store_is_refused_by_the_form(client):
    ministry = OrganisationFactory()
    client.force_login(office_user(org=ministry))
    email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".de"
    assert 254 < len(email) <= 320
    response = client.post(
        "/invite/", {"name": "Lang", "email": email, "language": "de", "kind": "evaluator"}
    )
    assert response.status_code == 400
    assert "email" in response.context["form"].errors


def test_a_huge_number_is_refused_by_the_form(client):
    programme = ProgrammeFactory()
    client.force_login(office_user(org=programme.organisation))
    response = client.post(
        f"/programmes/{programme.slug}/cohorts/new/",
        {"title": "T", "slug": "t", "planned_tandems": "9" * 400},
    )
    assert response.status_code == 400
    assert "planned_tandems" in response.context["form"].errors
    assert not Cohort.objects.exists()


@pytest.mark.parametrize(
    "path", ["/cohorts/{n}/", "/cohorts/{n}/participants/", "/registrations/{n}/"]
)
def test_ids_beyond_any_column_answer_404(client, path):
    client.force_login(office_user())
    assert client.get(path.format(n="9" * 400)).status_code == 404
