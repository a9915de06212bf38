"""The catalogue for data portals: JSON-LD that parses, and conforms to the DCAT-AP 3.0
shapes with the German profile's additions (the official files in validators/)."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from blueprints import samples, services
from tests.factories.blueprints import BlueprintFactory
from tests.factories.cohorts import ProgrammeFactory
from tests.factories.core import OrganisationFactory, office_user
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db

URL = "/blueprints/catalogue.jsonld"
ROOT = Path(__file__).resolve().parents[2]
# Copies of the official shapes travel with the tests (tests/validators/README.md names
# their sources), so a clean clone validates without anything beside the project.
VALIDATORS = ROOT / "tests" / "validators"


def _shapes():
    from rdflib import Graph

    shapes = Graph()
    shapes.parse(VALIDATORS / "dcat-ap-3.0-shacl.ttl", format="turtle")
    shapes.parse(VALIDATORS / "dcat-ap-de-3.0-shacl.ttl", format="turtle")
    return shapes


@pytest.fixture
def world(settings):
    settings.SITE_URL = "https://pioneer.example"
    settings.DCATDE_CONTRIBUTOR_ID = "http://dcat-ap.de/def/contributors/landBrandenburg"
    ministry = OrganisationFactory(name="Ministerium für Landwirtschaft", short_name="MLUK")
    office = office_user(org=ministry)
    programme = ProgrammeFactory(organisation=ministry, name="pioneer4BB")
    workshop = BlueprintFactory(
        organisation=ministry,
        programme=programme,
        slug="design-thinking",
        title="Design Thinking Workshop",
        summary="Ein Tag mit Prototypen.",
        licence="cc-by-4.0",
    )
    workshop.tags.create(name="Workshop", slug="workshop")
    english = BlueprintFactory(
        organisation=ministry, slug="design-thinking-en", language="en", licence="cc0"
    )
    version = services.blueprint_file_add(
        blueprint=workshop,
        title="Agenda",
        upload=SimpleUploadedFile("agenda.pdf", samples.pdf_bytes("Agenda")),
        note="Erste Fassung",
        by=office,
    )
    services.blueprint_file_add(
        blueprint=english,
        title="Template",
        upload=SimpleUploadedFile("t.docx", samples.docx_bytes("Template")),
        note="",
        by=office,
    )
    hidden = BlueprintFactory(organisation=ministry, slug="entwurf", draft=True)
    internal = BlueprintFactory(organisation=ministry, slug="intern", visibility="signed_in")
    return {"workshop": workshop, "version": version, "hidden": hidden, "internal": internal}


def test_the_catalogue_is_json_ld_of_the_public_blueprints(client, world):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    document = json.loads(response.content)
    catalog = document["@graph"][0]
    assert catalog["@type"] == "dcat:Catalog"
    ids = {dataset["@id"] for dataset in catalog["dcat:dataset"]}
    assert ids == {
        "https://pioneer.example/blueprints/design-thinking/",
        "https://pioneer.example/blueprints/design-thinking-en/",
    }
    workshop = next(d for d in catalog["dcat:dataset"] if d["@id"].endswith("/design-thinking/"))
    (distribution,) = workshop["dcat:distribution"]
    assert distribution["dcat:downloadURL"]["@id"] == (
        f"https://pioneer.example/blueprints/design-thinking/files/"
        f"{world['version'].blueprint_file_id}/download/"
    )
    assert distribution["spdx:checksum"]["spdx:checksumValue"]["@value"] == world["version"].sha256
    assert distribution["dct:license"]["@id"] == "http://dcat-ap.de/def/licenses/cc-by/4.0"
    assert workshop["dcatde:contributorID"]["@id"].endswith("landBrandenburg")


def test_the_catalogue_parses_and_conforms_to_dcat_ap_de(client, world):
    from pyshacl import validate
    from rdflib import RDF, Graph, Namespace, URIRef

    data = Graph()
    data.parse(data=client.get(URL).content.decode(), format="json-ld")
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    assert len(list(data.subjects(RDF.type, dcat.Dataset))) == 2
    assert len(list(data.subjects(RDF.type, dcat.Distribution))) == 2
    assert (
        URIRef("https://pioneer.example/blueprints/entwurf/"),
        RDF.type,
        dcat.Dataset,
    ) not in data
    conforms, _graph, report = validate(data, shacl_graph=_shapes(), advanced=True)
    assert conforms, report


def test_an_empty_catalogue_conforms_too(client, settings):
    from pyshacl import validate
    from rdflib import Graph

    data = Graph()
    data.parse(data=client.get(URL).content.decode(), format="json-ld")
    conforms, _graph, report = validate(data, shacl_graph=_shapes(), advanced=True)
    assert conforms, report


def test_catalogue_queries_are_flat(client):
    ministry = OrganisationFactory()
    office = office_user(org=ministry)
    pdf = samples.pdf_bytes("x")

    def rows(count):
        for _ in range(count):
            blueprint = BlueprintFactory(organisation=ministry)
            blueprint.tags.create(name=f"Tag {blueprint.pk}", slug=f"tag-{blueprint.pk}")
            services.blueprint_file_add(
                blueprint=blueprint,
                title="Datei",
                upload=SimpleUploadedFile("d.pdf", pdf),
                note="",
                by=office,
            )

    assert_flat_queries(client, URL, rows)


def test_building_the_catalogue_is_flat(django_assert_num_queries):
    from blueprints import catalogue

    ministry = OrganisationFactory()
    office = office_user(org=ministry)
    pdf = samples.pdf_bytes("x")

    def rows(count):
        for _ in range(count):
            blueprint = BlueprintFactory(organisation=ministry)
            services.blueprint_file_add(
                blueprint=blueprint,
                title="Datei",
                upload=SimpleUploadedFile("d.pdf", pdf),
                note="",
                by=office,
            )

    rows(1)
    with django_assert_num_queries(4):
        assert len(catalogue.catalogue()["@graph"][0]["dcat:dataset"]) == 1
    rows(49)
    with django_assert_num_queries(4):
        assert len(catalogue.catalogue()["@graph"][0]["dcat:dataset"]) == 50


def test_the_cached_catalogue_follows_every_change(client, world):
    def datasets():
        return {d["@id"] for d in json.loads(client.get(URL).content)["@graph"][0]["dcat:dataset"]}

    assert len(datasets()) == 2
    owner = office_user(org=world["workshop"].organisation)
    services.blueprint_publish(blueprint=world["hidden"], by=owner)
    assert "https://pioneer.example/blueprints/entwurf/" in datasets()
    services.blueprint_withdraw(blueprint=world["workshop"], by=owner)
    assert "https://pioneer.example/blueprints/design-thinking/" not in datasets()
    services.blueprint_publish(blueprint=world["workshop"], by=owner)
    before = client.get(URL).content
    services.blueprint_file_version_add(
        blueprint_file=world["version"].blueprint_file,
        upload=SimpleUploadedFile("agenda.pdf", samples.pdf_bytes("Agenda", ["neu"])),
        note="Zweite Fassung",
        by=owner,
    )
    after = client.get(URL).content
    assert after != before and b"Zweite Fassung" in after


def test_the_catalogue_comes_in_pages_a_harvester_follows(client, world, monkeypatch):
    from pyshacl import validate
    from rdflib import Graph

    from blueprints import catalogue

    monkeypatch.setattr(catalogue, "PAGE_SIZE", 1)
    first = json.loads(client.get(URL).content)
    view = first["@graph"][-1]
    assert view["@type"] == "hydra:PartialCollectionView"
    assert view["hydra:totalItems"]["@value"] == "2"
    assert view["hydra:next"]["@id"] == f"https://pioneer.example{URL}?page=2"
    assert "hydra:previous" not in view
    second_response = client.get(URL, {"page": 2})
    second = json.loads(second_response.content)
    assert "hydra:next" not in second["@graph"][-1]
    assert second["@graph"][-1]["hydra:previous"]["@id"] == f"https://pioneer.example{URL}"
    datasets = [
        dataset["@id"]
        for document in (first, second)
        for dataset in document["@graph"][0]["dcat:dataset"]
    ]
    assert sorted(datasets) == [
        "https://pioneer.example/blueprints/design-thinking-en/",
        "https://pioneer.example/blueprints/design-thinking/",
    ]
    assert client.get(URL, {"page": 3}).status_code == 404
    assert client.get(URL, {"page": "x"}).status_code == 404
    data = Graph()
    data.parse(data=second_response.content.decode(), format="json-ld")
    conforms, _graph, report = validate(data, shacl_graph=_shapes(), advanced=True)
    assert conforms, report
