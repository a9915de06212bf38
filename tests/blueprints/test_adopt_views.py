"""The pages of "adopt this programme": the form, the check page, the record that leads
to the new programme; who may open them (the shared access helper), bad input, query
counts, both languages, and the reuse the library shows."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from blueprints import services
from blueprints.models import Adoption
from cohorts.models import Cohort, Programme
from companion.models import Event
from tests.access import assert_access
from tests.factories.blueprints import BlueprintFactory
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.companion import EventFactory
from tests.factories.core import (
    OrganisationFactory,
    office_user,
    participant_user,
    partner_user,
)
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db

START = date(2031, 3, 1)


@pytest.fixture
def world():
    mluk = OrganisationFactory(name="Ministerium für Landwirtschaft", short_name="MLUK")
    mik = OrganisationFactory(name="Ministerium des Innern", short_name="MIK")
    source = ProgrammeFactory(organisation=mluk, name="pioneer4BB", slug="pioneer4bb")
    cohort = CohortFactory(
        programme=source,
        state=Cohort.State.RUNNING,
        start_date=date(2024, 3, 1),
        end_date=date(2024, 8, 31),
    )
    EventFactory(cohort=cohort, title="Auftakt")
    blueprint = BlueprintFactory(
        organisation=mluk, programme=source, slug="workshop", title="Design Thinking"
    )
    return {
        "mluk": mluk,
        "mik": mik,
        "source": source,
        "cohort": cohort,
        "blueprint": blueprint,
        "owner": office_user(mluk),
        "adopter": office_user(mik),
        "stranger": office_user(OrganisationFactory()),
    }


def _data(**changes):
    data = {
        "name": "Tandem MIK",
        "cohort_title": "1. Durchgang",
        "start_date": START.isoformat(),
        "description": "Unser Programm.",
        "format": "tandem",
        "default_cohort_months": "6",
        "default_phase_months": "3",
        "is_public": "on",
    }
    data.update(changes)
    return data


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_flow_form_check_done(world):
    client = _client(world["adopter"])
    url = "/blueprints/adopt/pioneer4bb/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Design Thinking" in html  # the programme's blueprints
    assert 'value="pioneer4BB"' in html  # the settings offered as the source's
    # The check page says what will be copied and creates nothing yet.
    check = client.post(url, _data())
    assert check.status_code == 200
    assert "Auftakt" not in check.content.decode()  # no event of the other is shown
    assert 'name="confirmed"' in check.content.decode()
    assert not Programme.objects.filter(organisation=world["mik"]).exists()
    # "Change the entries" goes back to the form with what was entered.
    back = client.post(url, {**_data(name="Geändert"), "confirmed": "1", "edit": "1"})
    assert back.status_code == 200 and 'value="Geändert"' in back.content.decode()
    assert not Programme.objects.filter(organisation=world["mik"]).exists()
    # Confirmed: the programme, its first cohort and the record; on to the record.
    done = client.post(url, {**_data(), "confirmed": "1"})
    adoption = Adoption.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/blueprints/adoptions/{adoption.pk}/"
    assert adoption.programme.name == "Tandem MIK"
    assert adoption.programme.organisation == world["mik"]
    assert adoption.cohort.start_date == START
    assert Event.objects.filter(cohort=adoption.cohort, title="Auftakt").exists()
    record = client.get(done["Location"]).content.decode()
    assert f'href="/programmes/{adoption.programme.slug}/"' in record
    assert f'href="/cohorts/{adoption.cohort.pk}/"' in record
    # The new programme is the adopter's: its page opens for them.
    assert client.get(f"/programmes/{adoption.programme.slug}/").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"cohort_title": ""}, "cohort_title"),
        ({"start_date": "31.02.2031"}, "start_date"),
        ({"start_date": "1850-01-01"}, "start_date"),
        ({"default_cohort_months": "0"}, "default_cohort_months"),
        ({"default_phase_months": "12"}, "default_phase_months"),
        ({"format": "party"}, "format"),
        ({"name": "Tandem\u202eMIK"}, "name"),
    ],
)
@pytest.mark.parametrize("confirmed", [False, True])
def test_bad_input_is_explained_and_changes_nothing(world, changes, field, confirmed):
    extra = {"confirmed": "1"} if confirmed else {}
    response = _client(world["adopter"]).post(
        "/blueprints/adopt/pioneer4bb/", {**_data(**changes), **extra}
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Programme.objects.filter(organisation=world["mik"]).exists()
    assert not Adoption.objects.exists()


def test_an_office_of_two_organisations_chooses_its_own_only(world):
    authority = OrganisationFactory(name="Landesamt", parent=world["mik"])
    from pioneer.models import Role

    Role.objects.create(user=world["adopter"], kind="office", organisation=authority)
    client = _client(world["adopter"])
    foreign = client.post(
        "/blueprints/adopt/pioneer4bb/",
        {**_data(), "organisation": str(world["stranger"].roles.first().organisation_id)},
    )
    assert foreign.status_code == 400 and "organisation" in foreign.context["form"].errors
    client.post(
        "/blueprints/adopt/pioneer4bb/",
        {**_data(), "organisation": str(authority.pk), "confirmed": "1"},
    )
    assert Adoption.objects.get().organisation == authority


def test_access_to_the_adoption_pages(world):
    url = "/blueprints/adopt/pioneer4bb/"
    # The source's own office adopts nothing of its own: 404 as for a stranger.
    assert_access(
        url,
        owner=world["adopter"],
        stranger=world["owner"],
        foreign_partner=partner_user(),
        foreign_partner_status=403,
        wrong_role=participant_user(),
    )
    assert_access(
        url,
        method="post",
        data={**_data(), "confirmed": "1"},
        owner=world["adopter"],
        owner_status=302,
        stranger=world["owner"],
        foreign_partner=partner_user(),
        foreign_partner_status=403,
        wrong_role=participant_user(),
    )
    adoption = Adoption.objects.get()  # the owner's POST only
    assert_access(
        f"/blueprints/adoptions/{adoption.pk}/",
        owner=world["adopter"],
        stranger=world["owner"],
        foreign_partner=partner_user(),
        foreign_partner_status=403,
        wrong_role=participant_user(),
    )
    assert_access(
        f"/blueprints/adoptions/{adoption.pk}/",
        owner=world["adopter"],
        stranger=world["stranger"],
    )


def test_a_programme_without_readable_blueprints_is_not_found(world):
    hidden = ProgrammeFactory(organisation=world["mluk"], slug="entwurf")
    BlueprintFactory(organisation=world["mluk"], programme=hidden, draft=True)
    client = _client(world["adopter"])
    assert client.get("/blueprints/adopt/entwurf/").status_code == 404
    assert client.get("/blueprints/adopt/unbekannt/").status_code == 404
    assert client.post("/blueprints/adopt/entwurf/", _data(confirmed="1")).status_code == 404
    assert not Adoption.objects.exists()


def test_the_source_stays_unchanged_through_the_pages(world):
    before = list(Programme.objects.filter(pk=world["source"].pk).values())
    events = list(Event.objects.filter(cohort=world["cohort"]).values())
    _client(world["adopter"]).post("/blueprints/adopt/pioneer4bb/", _data(confirmed="1"))
    assert Adoption.objects.count() == 1
    assert list(Programme.objects.filter(pk=world["source"].pk).values()) == before
    assert list(Event.objects.filter(cohort=world["cohort"]).values()) == events


@pytest.mark.parametrize(
    ("language", "words"),
    [("de", "Prüfen Sie, was angelegt wird"), ("en", "Check what will be created")],
)
def test_the_check_page_speaks_both_languages(world, language, words, settings):
    world["adopter"].language = language
    world["adopter"].save()
    client = _client(world["adopter"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(language):
        response = client.post("/blueprints/adopt/pioneer4bb/", _data())
    assert response.status_code == 200
    assert words in response.content.decode()


# ------------------------------------------------------------------ the library shows it


def _adopt(world, organisation, by):
    return services.programme_adopt(
        source=world["source"],
        organisation=organisation,
        name=f"Programm {organisation.pk}",
        cohort_title="1. Durchgang",
        start_date=START,
        by=by,
    )


def test_the_blueprint_page_counts_reuse_and_names_it_to_offices(world):
    _adopt(world, world["mik"], world["adopter"])
    url = "/blueprints/workshop/"
    public = Client().get(url).content.decode()
    assert "1 Organisation führt mit dieser Blaupause ein eigenes Programm." in public
    assert "Ministerium des Innern" not in public  # names only to signed-in offices
    participant = _client(participant_user()).get(url).content.decode()
    assert "Ministerium des Innern" not in participant
    office = _client(world["stranger"]).get(url).content.decode()
    assert "Ministerium des Innern" in office
    # Another office is offered to adopt the programme; the adopter and the source not.
    assert 'href="/blueprints/adopt/pioneer4bb/"' in office
    assert (
        'href="/blueprints/adopt/pioneer4bb/"'
        in _client(world["adopter"]).get(url).content.decode()
    )
    assert 'href="/blueprints/adopt/' not in _client(world["owner"]).get(url).content.decode()
    assert 'href="/blueprints/adopt/' not in public


def test_the_library_counts_reuse_on_the_cards_and_offers_adoption_to_offices(world):
    _adopt(world, world["mik"], world["adopter"])
    listing = Client().get("/blueprints/").content.decode()
    assert "Von 1 Organisation weiterverwendet" in listing
    assert "/blueprints/adopt/" not in listing
    office = _client(world["stranger"]).get("/blueprints/").content.decode()
    assert 'href="/blueprints/adopt/pioneer4bb/"' in office


# ------------------------------------------------------------------------ query counts


def test_the_adoption_pages_keep_flat_queries(world):
    client = _client(world["adopter"])

    def more_blueprints(count):
        for _ in range(count):
            BlueprintFactory(organisation=world["mluk"], programme=world["source"])

    assert_flat_queries(client, "/blueprints/adopt/pioneer4bb/", more_blueprints)

    def more_adoptions(count):
        for _ in range(count):
            office = office_user(OrganisationFactory())
            _adopt(world, office.roles.first().organisation, office)

    assert_flat_queries(client, "/blueprints/", more_adoptions)
    assert_flat_queries(client, "/blueprints/workshop/", more_adoptions)
    assert_flat_queries(client, "/blueprints/?q=Design", more_adoptions)
    adoption = _adopt(world, world["mik"], world["adopter"])
    assert_flat_queries(client, f"/blueprints/adoptions/{adoption.pk}/", more_blueprints)


def test_the_check_page_keeps_flat_queries(world):
    client = _client(world["adopter"])
    url = "/blueprints/adopt/pioneer4bb/"

    def counted():
        client.post(url, _data())  # warm
        with CaptureQueriesContext(connection) as queries:
            assert client.post(url, _data()).status_code == 200
        return len(queries)

    BlueprintFactory(organisation=world["mluk"], programme=world["source"])
    at_one = counted()
    for _ in range(49):
        BlueprintFactory(organisation=world["mluk"], programme=world["source"])
        EventFactory(cohort=world["cohort"])
    assert counted() == at_one <= 10


def _loaded(obj, paths=()):
    """What an instance holds: its loaded columns, what is deferred, and the related
    objects read with it (`paths`), the same of each."""
    found = {
        "columns": {f.attname: obj.__dict__.get(f.attname, "<deferred>") for f in obj._meta.fields},
        "deferred": sorted(obj.get_deferred_fields()),
    }
    for path in paths:
        related = obj
        for hop in path.split("__"):
            field = related._meta.get_field(hop)
            if not field.is_cached(related):
                found[path] = "<not read>"
                break
            related = field.get_cached_value(related)
            if related is None:
                found[path] = None
                break
        else:
            found[path] = _loaded(related)
    return found


def test_the_adoption_pages_kept_reads_are_the_querysets(world):
    """The reads of the adoption form and record (their SQL kept per process,
    blueprints.library_sql) give the instances their querysets give: the source among the
    adoptable programmes, the office's organisations, the source's blueprints, the
    adoption with what its record shows and the blueprints it names, for an office of one
    organisation, of two, the source's own office and one that adopted nothing."""
    from datetime import timedelta

    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404
    from django.utils import timezone

    from blueprints import selectors
    from pioneer.models import Organisation, Role
    from pioneer.permissions import scoped_object_or_404
    from tests.factories.core import RoleFactory

    mluk, mik = world["mluk"], world["mik"]
    BlueprintFactory(organisation=mluk, programme=world["source"], title='<Zweite & "Co">')
    BlueprintFactory(organisation=mluk, programme=world["source"], visibility="signed_in")
    later = BlueprintFactory(
        organisation=mluk,
        programme=world["source"],
        published_at=timezone.now() + timedelta(days=3),
    )
    draft = BlueprintFactory(organisation=mik, title="Entwurf", draft=True)
    both = office_user(mik)
    RoleFactory(
        user=both,
        kind=Role.Kind.PROGRAMME_OFFICE,
        organisation=world["stranger"].roles.get().organisation,
    )
    adopter = world["adopter"]
    adoption = services.programme_adopt(
        source=world["source"],
        organisation=mik,
        name="Tandem MIK",
        cohort_title="1. Durchgang",
        start_date=START,
        by=adopter,
    )
    adoption.blueprints.add(draft)
    users = [adopter, both, world["owner"], world["stranger"], AnonymousUser()]
    now = timezone.now()
    for user in users:
        for when in (now, now + timedelta(days=4)):
            for slug in ("pioneer4bb", "tandem-mik", "nichts"):
                try:
                    expected = scoped_object_or_404(
                        selectors.adoptable_programmes(user, when), slug=slug
                    )
                except Http404:
                    with pytest.raises(Http404):
                        selectors.adoptable_programme_or_404(user, slug, when)
                else:
                    found = selectors.adoptable_programme_or_404(user, slug, when)
                    assert _loaded(found, ["organisation"]) == _loaded(expected, ["organisation"])
            for programme in (world["source"], adoption.programme):
                expected = list(selectors.programme_blueprints(user, programme, when))
                found = selectors.programme_blueprint_list(user, programme, when)
                assert [_loaded(b) for b in found] == [_loaded(b) for b in expected]
            if user.is_authenticated:
                assert [
                    _loaded(b) for b in selectors.adoption_blueprints(user, adoption, when)
                ] == [
                    _loaded(b)
                    for b in selectors.visible_blueprints(user, when)
                    .select_related(None)
                    .filter(adoptions=adoption)
                    .only("slug", "language", "title", "category")
                    .order_by("category", "title")
                ]
        if not user.is_authenticated:
            continue
        assert [_loaded(o) for o in selectors.office_organisation_list(user)] == [
            _loaded(o)
            for o in Organisation.objects.filter(
                pk__in=selectors.roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)
            ).order_by("name")
        ]
        for pk in (adoption.pk, adoption.pk + 1000, 2**63):
            paths = ["organisation", "programme", "cohort", "source_programme__organisation", "by"]
            try:
                expected = scoped_object_or_404(
                    selectors.adoptions_for(user).only(*selectors.ADOPTION_FIELDS), pk=pk
                )
            except Exception:  # noqa: BLE001 - none, or beyond bigint
                with pytest.raises(Http404):
                    selectors.adoption_or_404(user, pk)
            else:
                found = selectors.adoption_or_404(user, pk)
                assert _loaded(found, paths) == _loaded(expected, paths)
    assert later.pk and any(
        b.pk == later.pk
        for b in selectors.programme_blueprint_list(
            adopter, world["source"], now + timedelta(days=4)
        )
    )
