"""The public blueprints as a DCAT-AP.de catalogue (JSON-LD), the metadata that German data
portals (GovData and the portals of the Länder) harvest.

One dcat:Catalog; one dcat:Dataset per public, published blueprint, PAGE_SIZE of them a
page, the newest first: a harvester follows the pages by their Hydra view (hydra:next, as
GovData's and CKAN's DCAT harvesters do), so no page grows with the library (title, summary,
language, dates, publisher, keywords, contact point, licence); one dcat:Distribution per
file, pointing at the newest version's guarded download with its media type, format, size
and SHA-256 checksum. The shapes of DCAT-AP 3.0 with the German profile's additions
(validators/ beside DESIGN.md) check it in the test suite.

Things a harvester must be able to type are typed here (licence documents, media types,
agents, languages), since a SHACL check sees only what the graph says.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation

from blueprints import licences, selectors
from blueprints.models import BlueprintFile, BlueprintFileVersion, Tag
from blueprints.uploads import TYPES

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
LANGUAGES = {
    "de": "http://publications.europa.eu/resource/authority/language/DEU",
    "en": "http://publications.europa.eu/resource/authority/language/ENG",
}
# The EU's data themes: "Government and public sector".
THEME = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "https://www.iana.org/assignments/media-types/"
SHA256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/NationalAuthority"

HYDRA = "http://www.w3.org/ns/hydra/core#"
# Datasets a page of the catalogue lists.
PAGE_SIZE = 50

# In both languages at once, whatever the language of the request.
TITLE = {"de": "Blaupausen der Tandemprogramme", "en": "Blueprints of the tandem programmes"}


def _url(path):
    return settings.SITE_URL.rstrip("/") + path


def _text(value, language):
    return {"@value": str(value), "@language": language}


def _date(moment):
    return {"@value": moment.isoformat(), "@type": "xsd:dateTime"}


def _agent_id(organisation):
    return _url(reverse("blueprints:catalogue")) + f"#organisation-{organisation.pk}"


def _agent(organisation):
    return {
        "@id": _agent_id(organisation),
        "@type": "foaf:Agent",
        "foaf:name": organisation.name,
        "dct:type": {"@id": PUBLISHER_TYPE, "@type": "skos:Concept"},
    }


def _distribution(blueprint, blueprint_file, licence):
    versions = list(blueprint_file.versions.all())
    latest, first = versions[0], versions[-1]
    url = _url(reverse("blueprints:file_download", args=[blueprint.slug, blueprint_file.pk]))
    label = next(t.label for t in TYPES.values() if t.content_type == latest.content_type)
    distribution = {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": _text(blueprint_file.title, blueprint.language),
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dct:license": {"@id": licence.dcat_uri, "@type": "dct:LicenseDocument"},
        "dcat:mediaType": {"@id": IANA + latest.content_type, "@type": "dct:MediaType"},
        "dct:format": {"@id": FILE_TYPE + label, "@type": "dct:MediaTypeOrExtent"},
        "dcat:byteSize": {"@value": str(latest.size), "@type": "xsd:nonNegativeInteger"},
        "spdx:checksum": {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": SHA256},
            "spdx:checksumValue": {"@value": latest.sha256, "@type": "xsd:hexBinary"},
        },
        "dct:issued": _date(first.uploaded_at),
        "dct:modified": _date(latest.uploaded_at),
    }
    if latest.note:
        distribution["dct:description"] = _text(latest.note, blueprint.language)
    if licence.code in ("cc-by-4.0", "cc-by-sa-4.0", "dl-de-by-2.0"):
        distribution["dcatde:licenseAttributionByText"] = blueprint.organisation.name
    return distribution


def _dataset(blueprint):
    licence = licences.get(blueprint.licence)
    url = _url(reverse("blueprints:detail", args=[blueprint.slug]))
    keywords = [tag.name for tag in blueprint.tags.all()]
    # In the blueprint's language (the keyword says so), whatever the request's.
    with translation.override(blueprint.language):
        category = str(blueprint.get_category_display())
    dataset = {
        "@id": url,
        "@type": "dcat:Dataset",
        "dct:identifier": url,
        "dct:title": _text(blueprint.title, blueprint.language),
        "dct:description": _text(blueprint.summary, blueprint.language),
        "dct:issued": _date(blueprint.published_at),
        "dct:modified": _date(max(blueprint.updated_at, blueprint.published_at)),
        "dct:language": {"@id": LANGUAGES[blueprint.language], "@type": "dct:LinguisticSystem"},
        "dct:publisher": {"@id": _agent_id(blueprint.organisation)},
        "dcat:theme": {"@id": THEME, "@type": "skos:Concept"},
        "dcat:landingPage": {"@id": url, "@type": "foaf:Document"},
        "dcat:keyword": [_text(word, blueprint.language) for word in [category, *keywords]],
        "dcat:contactPoint": {
            "@type": ["vcard:Kind", "vcard:Organization"],
            "vcard:fn": blueprint.organisation.name,
            "vcard:hasEmail": {"@id": f"mailto:{settings.PROGRAMME_OFFICE_EMAIL}"},
        },
        "dcat:distribution": [
            _distribution(blueprint, blueprint_file, licence)
            for blueprint_file in blueprint.files.all()
            if blueprint_file.versions.all()
        ],
    }
    if settings.DCATDE_CONTRIBUTOR_ID:
        dataset["dcatde:contributorID"] = {"@id": settings.DCATDE_CONTRIBUTOR_ID}
    if blueprint.programme_id:
        # The programme it comes from, as a keyword (dct:source must name a dataset).
        dataset["dcat:keyword"].append(_text(blueprint.programme.name, blueprint.language))
    return dataset


def public_datasets():
    """The public blueprints with what the catalogue needs (four queries, whatever the
    number of blueprints and files)."""
    return selectors.public_blueprints().prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
        Prefetch(
            "files",
            queryset=BlueprintFile.objects.order_by("title", "id").prefetch_related(
                Prefetch("versions", queryset=BlueprintFileVersion.objects.order_by("-number"))
            ),
        ),
    )


def pages(total):
    """How many pages a catalogue of `total` datasets has (an empty one has one)."""
    return max(1, -(-total // PAGE_SIZE))


def page_url(page):
    url = _url(reverse("blueprints:catalogue"))
    return url if page == 1 else f"{url}?page={page}"


def _view(page, total):
    """The Hydra view naming this page, the first, the last and its neighbours."""
    last = pages(total)
    view = {
        "@id": page_url(page),
        "@type": "hydra:PartialCollectionView",
        "hydra:first": {"@id": page_url(1)},
        "hydra:last": {"@id": page_url(last)},
        "hydra:totalItems": {"@value": str(total), "@type": "xsd:nonNegativeInteger"},
        "hydra:itemsPerPage": {"@value": str(PAGE_SIZE), "@type": "xsd:nonNegativeInteger"},
    }
    if page > 1:
        view["hydra:previous"] = {"@id": page_url(page - 1)}
    if page < last:
        view["hydra:next"] = {"@id": page_url(page + 1)}
    return view


def catalogue(page=1, facts=None):
    """A page of the catalogue as a JSON-LD document (a dict): the catalogue with the
    page's datasets and their publishers, and (with more than one page) the Hydra view to
    the others. `facts`: `selectors.catalogue_facts()` when the caller has them (the
    number of datasets and the latest change; else the page's own)."""
    start = (page - 1) * PAGE_SIZE
    blueprints = list(public_datasets()[start : start + PAGE_SIZE])
    operator = settings.OPERATOR_NAME or "Pioneer"
    home = _url(reverse("blueprints:list"))
    catalogue_id = _url(reverse("blueprints:catalogue"))
    if facts is not None and facts["n"]:
        modified = max(facts["changed"], facts["published"])
        total = facts["n"]
    else:
        modified = max(
            [max(b.updated_at, b.published_at) for b in blueprints], default=timezone.now()
        )
        total = start + len(blueprints)
    publishers = {b.organisation_id: b.organisation for b in blueprints}
    catalog = {
        "@id": catalogue_id + "#catalog",
        "@type": "dcat:Catalog",
        "dct:title": [_text(TITLE["de"], "de"), _text(TITLE["en"], "en")],
        "dct:description": [
            _text(
                "Methoden, Vorlagen, Leitfäden, Handlungsempfehlungen und Evaluationsberichte "
                "der Tandemprogramme, zur Nachnutzung durch Ministerien und Behörden.",
                "de",
            ),
            _text(
                "Methods, templates, guidelines, recommendations and evaluation reports of "
                "the tandem programmes, for reuse by ministries and authorities.",
                "en",
            ),
        ],
        "dct:publisher": {
            "@id": catalogue_id + "#operator",
            "@type": "foaf:Agent",
            "foaf:name": operator,
        },
        "foaf:homepage": {"@id": home, "@type": "foaf:Document"},
        "dct:language": [
            {"@id": LANGUAGES["de"], "@type": "dct:LinguisticSystem"},
            {"@id": LANGUAGES["en"], "@type": "dct:LinguisticSystem"},
        ],
        "dct:modified": _date(modified),
        "dcat:dataset": [_dataset(b) for b in blueprints],
    }
    graph = [catalog, *(_agent(org) for org in publishers.values())]
    context = {**CONTEXT, "skos": "http://www.w3.org/2004/02/skos/core#"}
    if pages(total) > 1:
        graph.append(_view(page, total))
        context["hydra"] = HYDRA
    return {"@context": context, "@graph": graph}
