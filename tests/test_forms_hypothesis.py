"""Hypothesis tries every public and office form: whatever is posted (control and
direction characters, unicode digits, huge numbers, very long text, dates at the ends of
the calendar), the answer is never a server error, and a refusal changes nothing.

One signed-in client per test; each test runs the profile's examples (300, see
tests/conftest.py) against the same database, so earlier successes stay and later
examples meet them (duplicates, rate limits, states moved on): all of that must be
answered cleanly too.
"""

import string
from datetime import date, timedelta

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cohorts.models import (
    Cohort,
    CohortTransition,
    InterestRegistration,
    Participation,
    Programme,
    RegistrationNote,
)
from pioneer.models import BarrierReport, Notification, Organisation, Role, User
from tests.factories.cohorts import (
    CohortFactory,
    InterestRegistrationFactory,
    ParticipationFactory,
    ProgrammeFactory,
)
from tests.factories.core import PASSWORD, OrganisationFactory, UserFactory, office_user

pytestmark = pytest.mark.django_db

TABLES = [
    Programme,
    Cohort,
    CohortTransition,
    InterestRegistration,
    RegistrationNote,
    Participation,
    User,
    Role,
    Organisation,
    BarrierReport,
    Notification,
]

# ----------------------------------------------------------------------------- strategies

CONTROL = st.characters(min_codepoint=0, max_codepoint=31)
BIDI = st.sampled_from(
    list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
)
UNICODE_DIGITS = st.sampled_from(list("²³¹٣۵߂५০੭௬๓໖༣၅០᠕١٢"))
SPECIAL = st.sampled_from(
    [
        "",
        " ",
        "O'Brien & Söhne <GmbH>",
        "\x00",
        "a\x00b",
        "\u202eexe.txt",
        "²",
        "٣٤",
        "9" * 400,
        "1" * 5000,
        "-1",
        "0",
        "1e308",
        "NaN",
        "inf",
        "x" * 10000,
        "9999-12-31",
        "0001-01-01",
        "10000-01-01",
        "2024-02-30",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "//evil.example/",
        "\r\n\r\nX-Injected: 1",
        "\ufeff",
        "\U0001f600" * 50,
    ]
)
HOSTILE = st.one_of(
    SPECIAL,
    st.text(max_size=40),
    st.text(
        alphabet=st.one_of(CONTROL, BIDI, UNICODE_DIGITS, st.characters(codec="utf-8")),
        max_size=40,
    ),
    st.integers().map(str),
    st.integers(min_value=10**18, max_value=10**400).map(str),
)
WORD = st.text(alphabet=string.ascii_letters + "äöüß -'&", min_size=1, max_size=40).filter(
    str.strip
)
SLUG = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=30)
EMAIL = st.builds(
    "{}@{}.example".format,
    st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=12),
    st.sampled_from(["firma", "ministerium", "verein"]),
)
DAY = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
SENSIBLE_DAY = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)).map(
    date.isoformat
)
NUMBER = st.integers(min_value=-5, max_value=60).map(str)


def maybe(valid):
    """Mostly a valid-looking value, otherwise something hostile."""
    return st.one_of(valid, valid, HOSTILE)


def counts():
    return [model.objects.count() for model in TABLES]


def snapshot(*objects):
    """Row counts and the current fields of the objects a form may change."""
    state = counts()
    for obj in objects:
        state.append(model_to_dict(type(obj).objects.get(pk=obj.pk)))
    return state


def check(response, before, after):
    assert response.status_code < 500
    if response.status_code not in (301, 302, 303):
        assert after == before, "a refused submission changed something"


# ----------------------------------------------------------------------------- the world


@pytest.fixture
def world():
    ministry = OrganisationFactory(name="Ministerium für Wirtschaft")
    company = OrganisationFactory(name="Firma GmbH", kind=Organisation.Kind.COMPANY)
    programme = ProgrammeFactory(organisation=ministry, slug="pioneer4bb")
    today = timezone.localdate()
    cohort = CohortFactory(
        programme=programme,
        state=Cohort.State.OPEN,
        start_date=today + timedelta(days=90),
        end_date=today + timedelta(days=270),
        interest_opens=today - timedelta(days=10),
        interest_closes=today + timedelta(days=30),
    )
    office = office_user(org=ministry)
    participation = ParticipationFactory(cohort=cohort)
    return {
        "ministry": ministry,
        "company": company,
        "programme": programme,
        "cohort": cohort,
        "registration": InterestRegistrationFactory(cohort=cohort),
        "participation": participation,
        "office": office,
    }


@pytest.fixture
def office_client(world):
    client = Client()
    client.force_login(world["office"])
    return client


# ---------------------------------------------------------------------------- public forms


@given(
    data=st.fixed_dictionaries(
        {
            "cohort": maybe(st.just("COHORT")),
            "organisation_name": maybe(WORD),
            "organisation_kind": maybe(st.sampled_from(["company", "nonprofit", "authority"])),
            "parent_ministry": maybe(st.just("MINISTRY")),
            "street": maybe(WORD),
            "postcode": maybe(st.from_regex(r"\A\d{5}\Z")),
            "city": maybe(WORD),
            "contact_name": maybe(WORD),
            "contact_email": maybe(EMAIL),
            "contact_phone": maybe(st.from_regex(r"\A[0-9 +]{5,20}\Z")),
            "places_send": maybe(NUMBER),
            "places_host": maybe(NUMBER),
            "topics_offered": HOSTILE,
            "topics_sought": HOSTILE,
            "preferred_timing": HOSTILE,
            "message": HOSTILE,
            "privacy": maybe(st.just("on")),
        }
    )
)
def test_interest_form(client, world, data):
    data = {
        key: {"COHORT": str(world["cohort"].pk), "MINISTRY": str(world["ministry"].pk)}.get(
            value, value
        )
        for key, value in data.items()
    }
    before = counts()
    response = client.post("/interest/", data)
    check(response, before, counts())


@given(query=st.dictionaries(st.sampled_from(["cohort", "page", "x"]), HOSTILE, max_size=3))
def test_interest_form_query(client, world, query):
    response = client.get("/interest/", query)
    assert response.status_code == 200


@given(
    data=st.fixed_dictionaries(
        {
            "page": maybe(WORD),
            "description": maybe(WORD),
            "name": HOSTILE,
            "email": maybe(EMAIL),
        }
    )
)
def test_barrier_report(client, world, data):
    before = counts()
    response = client.post("/barrierefreiheit/", data)
    check(response, before, counts())


@given(
    data=st.fixed_dictionaries(
        {"language": maybe(st.sampled_from(["de", "en"])), "next": maybe(st.just("/home/"))}
    )
)
def test_language_switch(office_client, world, data):
    office = world["office"]
    before = counts()
    response = office_client.post("/i18n/language/", data)
    assert response.status_code == 302
    assert not response.url.startswith("//")
    assert counts() == before
    office.refresh_from_db()
    assert office.language in {"de", "en"}


@given(data=st.fixed_dictionaries({"login": maybe(EMAIL), "password": maybe(WORD)}))
def test_login(world, data):
    client = Client()
    UserFactory(email="bekannt@ministerium.example")
    before = counts()
    response = client.post("/accounts/login/", data)
    assert response.status_code < 500
    if data == {"login": "bekannt@ministerium.example", "password": PASSWORD}:
        return
    assert response.status_code in (200, 400, 429)
    assert counts() == before


@given(data=st.fixed_dictionaries({"email": maybe(EMAIL)}))
def test_password_reset(world, data):
    client = Client()
    before = counts()
    response = client.post("/accounts/password/reset/", data)
    assert response.status_code < 500
    assert counts() == before


# ----------------------------------------------------------------------------- office forms


@given(
    data=st.fixed_dictionaries(
        {
            "name": maybe(WORD),
            "email": maybe(EMAIL),
            "language": maybe(st.sampled_from(["de", "en"])),
            "kind": maybe(st.sampled_from(["office", "partner", "participant", "evaluator"])),
            "organisation": maybe(st.sampled_from(["MINISTRY", "COMPANY", ""])),
        }
    )
)
def test_invite(office_client, world, data):
    ids = {"MINISTRY": str(world["ministry"].pk), "COMPANY": str(world["company"].pk)}
    data = {key: ids.get(value, value) for key, value in data.items()}
    before = counts()
    response = office_client.post("/invite/", data)
    check(response, before, counts())


def _programme_data():
    return st.fixed_dictionaries(
        {
            "name": maybe(WORD),
            "slug": maybe(SLUG),
            "description": HOSTILE,
            "format": maybe(st.sampled_from(["tandem", "journey"])),
            "default_cohort_months": maybe(NUMBER),
            "default_phase_months": maybe(NUMBER),
            "is_public": maybe(st.sampled_from(["on", ""])),
        }
    )


@given(data=_programme_data())
def test_programme_create(office_client, world, data):
    before = counts()
    response = office_client.post("/programmes/new/", data)
    check(response, before, counts())


@given(data=_programme_data())
def test_programme_edit(office_client, world, data):
    programme = world["programme"]
    slug = Programme.objects.get(pk=programme.pk).slug
    before = snapshot(programme)
    response = office_client.post(f"/programmes/{slug}/edit/", data)
    check(response, before, snapshot(programme))


def _cohort_data():
    return st.fixed_dictionaries(
        {
            "title": maybe(WORD),
            "slug": maybe(SLUG),
            "start_date": st.one_of(SENSIBLE_DAY, DAY, HOSTILE),
            "end_date": st.one_of(SENSIBLE_DAY, DAY, HOSTILE),
            "interest_opens": st.one_of(SENSIBLE_DAY, DAY, HOSTILE),
            "interest_closes": st.one_of(SENSIBLE_DAY, DAY, HOSTILE),
            "planned_tandems": maybe(NUMBER),
        }
    )


@given(data=_cohort_data())
def test_cohort_create(office_client, world, data):
    before = counts()
    response = office_client.post(f"/programmes/{world['programme'].slug}/cohorts/new/", data)
    check(response, before, counts())


@given(data=_cohort_data())
def test_cohort_edit(office_client, world, data):
    cohort = world["cohort"]
    before = snapshot(cohort)
    response = office_client.post(f"/cohorts/{cohort.pk}/edit/", data)
    check(response, before, snapshot(cohort))


@given(
    data=st.fixed_dictionaries(
        {
            "to_state": maybe(st.sampled_from([s for s, _ in Cohort.State.choices])),
            "note": HOSTILE,
            "confirmed": maybe(st.sampled_from(["1", "0"])),
        }
    )
)
def test_cohort_transition(office_client, world, data):
    cohort = CohortFactory(programme=world["programme"], state=Cohort.State.DRAFT)
    before = snapshot(cohort)
    response = office_client.post(f"/cohorts/{cohort.pk}/stage/", data)
    check(response, before, snapshot(cohort))


@given(
    data=st.fixed_dictionaries(
        {"transition": st.one_of(st.integers(-5, 10**12).map(str), HOSTILE, st.just("0"))}
    )
)
def test_cohort_transition_undo(office_client, world, data):
    # Nobody moved this cohort: whatever the undo form is sent, nothing changes.
    cohort = CohortFactory(programme=world["programme"], state=Cohort.State.OPEN)
    before = snapshot(cohort)
    response = office_client.post(f"/cohorts/{cohort.pk}/stage/undo/", data)
    assert response.status_code == 302
    assert snapshot(cohort) == before


@given(
    data=st.fixed_dictionaries(
        {
            "decision": maybe(st.sampled_from(["accept", "decline"])),
            "choice": maybe(st.sampled_from(["new", "1"])),
            "reason": maybe(WORD),
            "confirmed": maybe(st.sampled_from(["", "1"])),
        }
    )
)
def test_registration_decide(office_client, world, data):
    registration = InterestRegistrationFactory(cohort=world["cohort"])
    before = snapshot(registration)
    response = office_client.post(f"/registrations/{registration.pk}/decide/", data)
    check(response, before, snapshot(registration))


@given(data=st.fixed_dictionaries({"text": maybe(WORD)}))
def test_registration_note(office_client, world, data):
    registration = world["registration"]
    before = snapshot(registration)
    response = office_client.post(f"/registrations/{registration.pk}/notes/", data)
    check(response, before, snapshot(registration))


def _participation_fields():
    return {
        "side": maybe(st.sampled_from(["administration", "external"])),
        "organisation": maybe(st.sampled_from(["MINISTRY", "COMPANY"])),
        "position": HOSTILE,
        "topics": HOSTILE,
        "expertise": HOSTILE,
        "goals": HOSTILE,
    }


def _with_ids(world, data):
    ids = {"MINISTRY": str(world["ministry"].pk), "COMPANY": str(world["company"].pk)}
    return {key: ids.get(value, value) for key, value in data.items()}


@given(
    data=st.fixed_dictionaries(
        {
            "name": maybe(WORD),
            "email": maybe(EMAIL),
            "language": maybe(st.sampled_from(["de", "en"])),
            **_participation_fields(),
        }
    )
)
def test_participation_add(office_client, world, data):
    cohort = world["cohort"]
    before = counts()
    response = office_client.post(f"/cohorts/{cohort.pk}/participants/add/", _with_ids(world, data))
    check(response, before, counts())


@given(data=st.fixed_dictionaries(_participation_fields()))
def test_participation_edit(office_client, world, data):
    participation = world["participation"]
    url = f"/cohorts/{participation.cohort_id}/participants/{participation.pk}/edit/"
    before = snapshot(participation)
    response = office_client.post(url, _with_ids(world, data))
    check(response, before, snapshot(participation))


@given(
    data=st.fixed_dictionaries(
        {
            "state": maybe(st.sampled_from([s for s, _ in Participation.State.choices])),
            "reason": HOSTILE,
        }
    )
)
def test_participation_state(office_client, world, data):
    participation = world["participation"]
    url = f"/cohorts/{participation.cohort_id}/participants/{participation.pk}/"
    before = snapshot(participation)
    response = office_client.post(url, data)
    check(response, before, snapshot(participation))


@given(
    data=st.fixed_dictionaries(
        {"title": maybe(WORD), "start_date": st.one_of(SENSIBLE_DAY, DAY, HOSTILE)}
    )
)
def test_cohort_copy(office_client, world, data):
    before = counts()
    response = office_client.post(f"/cohorts/{world['cohort'].pk}/copy/", data)
    check(response, before, counts())


# ------------------------------------------------------------------------------ GET filters

QUERY = st.dictionaries(
    st.one_of(
        st.sampled_from(["q", "cohort", "organisation_kind", "state", "page", "side"]),
        st.sampled_from(["organisation", "signed_in", "tandem"]),
        st.text(max_size=10),
    ),
    st.one_of(HOSTILE, st.sampled_from(["company", "confirmed", "yes", "no", "none", "1"])),
    max_size=5,
)


@given(query=QUERY)
def test_registration_queue_filters(office_client, world, query):
    before = counts()
    response = office_client.get("/registrations/", query)
    assert response.status_code == 200
    assert counts() == before


@given(query=QUERY)
def test_participant_list_filters(office_client, world, query):
    before = counts()
    response = office_client.get(f"/cohorts/{world['cohort'].pk}/participants/", query)
    assert response.status_code == 200
    assert counts() == before
