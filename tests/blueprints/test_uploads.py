"""Files of blueprints: the type is checked by content, the size is limited, archives are
opened with care (macros, bombs, paths), names are made by the server, downloads check
visibility, send a safe Content-Disposition and are counted without the person."""

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from blueprints import samples, services, uploads
from blueprints.models import BlueprintFile, BlueprintFileVersion, DownloadCount
from blueprints.storage import blueprint_storage
from tests.access import assert_access
from tests.factories.blueprints import BlueprintFactory
from tests.factories.core import OrganisationFactory, office_user, participant_user, partner_user

pytestmark = pytest.mark.django_db

PDF = samples.pdf_bytes("Agenda", ["Ein Tag Design Thinking."])
DOCX = samples.docx_bytes("Vereinbarung", ["Zwischen den Organisationen."])


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _zip(members, *, first=None):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return output.getvalue()


def _docx_with_member(name, data=b"x"):
    """A DOCX whose extra member is written with a raw name (zipfile keeps it as given)."""
    output = io.BytesIO(DOCX)
    with zipfile.ZipFile(output, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(name), data)
    return output.getvalue()


# ----------------------------------------------------------------------- accepted files

GOOD = [
    ("agenda.pdf", PDF, "application/pdf"),
    ("Vorlage.DOCX", DOCX, uploads.TYPES[".docx"].content_type),
    ("notizen.odt", samples.odt_bytes("Text"), "application/vnd.oasis.opendocument.text"),
    ("foto.png", samples.png_bytes(), "image/png"),
    ("foto.jpeg", samples.jpeg_bytes(), "image/jpeg"),
]


@pytest.mark.parametrize(("name", "data", "content_type"), GOOD)
def test_well_formed_files_are_taken(name, data, content_type):
    checked = uploads.check(upload(name, data))
    assert checked.content_type == content_type
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------- hostile files

HOSTILE = {
    # wrong content for the name
    "png-named-pdf": ("bericht.pdf", samples.png_bytes(), "content"),
    "pdf-named-docx": ("vorlage.docx", PDF, "content"),
    "docx-named-xlsx": ("tabelle.xlsx", DOCX, "content"),
    "odt-named-ods": ("tabelle.ods", samples.odt_bytes("x"), "content"),
    "jpeg-named-png": ("bild.png", samples.jpeg_bytes(), "content"),
    # posing as a PDF
    "exe-as-pdf": ("rechnung.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "content"),
    "html-as-pdf": ("info.pdf", b"<html><script>alert(1)</script></html>", "content"),
    "pdf-head-only": ("kurz.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "content"),
    "pdf-with-javascript": (
        "aktiv.pdf",
        PDF.replace(b"/Type /Catalog", b"/Type /Catalog/OpenAction <</S /JavaScript/JS (x)>>"),
        "active",
    ),
    "pdf-with-escaped-javascript": (
        "aktiv2.pdf",
        PDF.replace(b"/Type /Catalog", b"/Type /Catalog/AA <</S /J#61vaScript>>"),
        "active",
    ),
    "pdf-with-launch": (
        "start.pdf",
        PDF.replace(b"/Type /Catalog", b"/Type /Catalog/OpenAction <</S /Launch/F (cmd)>>"),
        "active",
    ),
    # Office files with macros
    "docx-with-vbaproject": (
        "makro.docx",
        samples.docx_bytes("x", extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 64}),
        "macros",
    ),
    "docm-renamed-docx": (
        "makro2.docx",
        samples.docx_bytes("x", main_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
        "macros",
    ),
    "docx-with-activex": (
        "activex.docx",
        samples.docx_bytes("x", extra={"word/activeX/activeX1.xml": b"<ax/>"}),
        "macros",
    ),
    "odt-with-basic": (
        "makro.odt",
        samples.odt_bytes("x", extra={"Basic/Standard/Module1.xml": b"<script/>"}),
        "macros",
    ),
    # archive bombs posing as DOCX
    "ratio-bomb": (
        "bombe.docx",
        samples.docx_bytes("x", extra={"word/media/null.bin": b"\x00" * (20 * 1024 * 1024)}),
        "bomb",
    ),
    # path traversal inside the archive
    "dotdot-member": ("pfad.docx", _docx_with_member("../../etc/cron.d/evil"), "path"),
    "absolute-member": ("pfad2.docx", _docx_with_member("/etc/passwd"), "path"),
    "backslash-member": ("pfad3.docx", _docx_with_member("..\\..\\windows\\evil.dll"), "path"),
    # not an Office package at all
    "zip-as-docx": ("archiv.docx", _zip({"readme.txt": b"hallo"}), "content"),
    "broken-zip": ("kaputt.docx", b"PK\x03\x04" + b"\x00" * 100, "content"),
    "broken-png": ("kaputt.png", samples.png_bytes()[:20] + b"\x00" * 50, "content"),
    # types that are not allowed at all
    "svg": ("bild.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "type"),
    "html": ("seite.html", b"<html></html>", "type"),
    "exe": ("setup.exe", b"MZ\x90\x00", "type"),
    "docm": ("makro.docm", DOCX, "type"),
    "no-extension": ("README", PDF, "type"),
    "double-extension": ("bericht.pdf.exe", PDF, "type"),
    "empty": ("leer.pdf", b"", "empty"),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_files_are_refused(case):
    name, data, code = HOSTILE[case]
    with pytest.raises(ValidationError) as refused:
        uploads.check(upload(name, data))
    assert refused.value.code == code, refused.value


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.BLUEPRINT_MAX_UPLOAD_MB = 1
    big = PDF[:-6] + b" " * (1024 * 1024) + b"%%EOF\n"
    with pytest.raises(ValidationError) as refused:
        uploads.check(upload("gross.pdf", big))
    assert refused.value.code == "size"
    # ... even when the upload does not say how large it is.
    sneaky = upload("gross.pdf", big)
    sneaky.size = None
    with pytest.raises(ValidationError):
        uploads.check(sneaky)


def test_an_archive_that_unpacks_beyond_the_limit_is_refused(settings):
    import os

    settings.BLUEPRINT_MAX_UNPACKED_MB = 1
    # Random bytes do not compress: the ratio is harmless, the total is not.
    data = samples.docx_bytes("x", extra={"word/media/bild.bin": os.urandom(1536 * 1024)})
    with pytest.raises(ValidationError) as refused:
        uploads.check(upload("gross.docx", data))
    assert refused.value.code == "bomb"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\x\\Bericht 2024.pdf", "Bericht 2024.pdf"),
        ('evil"\r\nX-Injected: 1;.pdf', "evilX-Injected 1.pdf"),
        ("\u202egnp.pdf", "gnp.pdf"),
        ('"; filename="x.exe', "filenamex.pdf"),
        ("....pdf", "Datei.pdf"),
        ("Ü-Bericht ä.pdf", "Ü-Bericht ä.pdf"),
        ("a" * 300 + ".pdf", "a" * 100 + ".pdf"),
    ],
)
def test_display_names_lose_path_quote_control_and_direction_characters(raw, expected):
    assert uploads.display_name(raw, ".pdf") == expected


# ------------------------------------------------------------------- storing, versions


@pytest.fixture
def world():
    ministry = OrganisationFactory()
    return {
        "ministry": ministry,
        "blueprint": BlueprintFactory(organisation=ministry, slug="offen"),
        "draft": BlueprintFactory(organisation=ministry, slug="entwurf", draft=True),
        "signed_in": BlueprintFactory(organisation=ministry, slug="intern", visibility="signed_in"),
        "owner": office_user(org=ministry),
        "stranger": office_user(org=OrganisationFactory()),
        "partner": partner_user(),
        "participant": participant_user(),
    }


def test_the_stored_name_is_made_by_the_server(world):
    version = services.blueprint_file_add(
        blueprint=world["blueprint"],
        title="",
        upload=upload('../../tmp/x"\r\n.pdf', PDF),
        note="Erste Fassung",
        by=world["owner"],
    )
    assert version.display_name == "x.pdf"
    assert version.blueprint_file.title == "x"
    stored = version.file.name
    assert "/" not in stored and ".." not in stored
    assert len(stored) == 36 and stored.endswith(".pdf")
    with blueprint_storage.open(stored, "rb") as handle:
        assert handle.read() == PDF
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (version.number, version.size, version.uploaded_by) == (1, len(PDF), world["owner"])


def test_a_refused_upload_stores_nothing(world):
    with pytest.raises(ValidationError):
        services.blueprint_file_add(
            blueprint=world["blueprint"],
            title="Makro",
            upload=upload("m.docx", HOSTILE["docx-with-vbaproject"][1]),
            note="",
            by=world["owner"],
        )
    assert not BlueprintFile.objects.exists()
    assert not BlueprintFileVersion.objects.exists()
    assert not blueprint_storage.exists("") or blueprint_storage.listdir("")[1] == []


def test_versions_count_up_and_the_newest_is_downloaded(client, world):
    first = services.blueprint_file_add(
        blueprint=world["blueprint"],
        title="Agenda",
        upload=upload("a.pdf", PDF),
        note="",
        by=world["owner"],
    )
    second_pdf = samples.pdf_bytes("Agenda", ["Zweite Fassung."])
    second = services.blueprint_file_version_add(
        blueprint_file=first.blueprint_file,
        upload=upload("agenda-neu.pdf", second_pdf),
        note="Zweite Fassung",
        by=world["owner"],
    )
    assert second.number == 2
    latest = client.get(f"/blueprints/offen/files/{first.blueprint_file_id}/download/")
    assert b"".join(latest.streaming_content) == second_pdf
    old = client.get(f"/blueprints/offen/versions/{first.pk}/download/")
    assert b"".join(old.streaming_content) == PDF
    page = client.get("/blueprints/offen/").content.decode()
    assert "Zweite Fassung" in page and second.sha256 in page and first.sha256 in page


def test_nobody_else_uploads(world):
    from django.core.exceptions import PermissionDenied

    for user in (world["stranger"], world["participant"], world["partner"]):
        with pytest.raises(PermissionDenied):
            services.blueprint_file_add(
                blueprint=world["blueprint"],
                title="x",
                upload=upload("a.pdf", PDF),
                note="",
                by=user,
            )
    assert not BlueprintFile.objects.exists()


# ------------------------------------------------------------------------ upload views


def test_the_office_uploads_through_the_page(client, world):
    client.force_login(world["owner"])
    response = client.post(
        "/blueprints/offen/files/new/",
        {"title": "Agenda", "note": "Erste Fassung", "upload": upload("agenda.pdf", PDF)},
    )
    assert response.status_code == 302
    version = BlueprintFileVersion.objects.get()
    response = client.post(
        f"/blueprints/offen/files/{version.blueprint_file_id}/versions/new/",
        {"note": "Zweite", "upload": upload("agenda.pdf", PDF)},
    )
    assert response.status_code == 302
    assert BlueprintFileVersion.objects.count() == 2


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_refused_upload_is_explained_in_the_users_language(client, world, language):
    client.force_login(world["owner"])
    client.cookies["django_language"] = language
    response = client.post(
        "/blueprints/offen/files/new/",
        {"title": "Makro", "note": "", "upload": upload("m.docx", HOSTILE["docm-renamed-docx"][1])},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    if language == "en":
        assert "contains macros" in html
    assert not BlueprintFile.objects.exists()


def test_access_to_the_upload_pages(world):
    version = services.blueprint_file_add(
        blueprint=world["blueprint"],
        title="A",
        upload=upload("a.pdf", PDF),
        note="",
        by=world["owner"],
    )
    for url in (
        "/blueprints/offen/files/new/",
        f"/blueprints/offen/files/{version.blueprint_file_id}/versions/new/",
    ):
        assert_access(
            url,
            owner=world["owner"],
            stranger=world["stranger"],
            wrong_role=world["participant"],
            foreign_partner=world["partner"],
            foreign_partner_status=403,
        )
    # A POST from someone else gets nowhere (each with a fresh upload: a file is read once).
    for user, status in ((world["stranger"], 404), (world["participant"], 403)):
        client = Client()
        client.force_login(user)
        data = {"title": "B", "note": "", "upload": upload("b.pdf", PDF)}
        assert client.post("/blueprints/offen/files/new/", data).status_code == status
    data = {"title": "B", "note": "", "upload": upload("b.pdf", PDF)}
    response = Client().post("/blueprints/offen/files/new/", data)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client = Client()
    client.force_login(world["owner"])
    data = {"title": "B", "note": "", "upload": upload("b.pdf", PDF)}
    assert client.post("/blueprints/offen/files/new/", data).status_code == 302
    assert BlueprintFile.objects.count() == 2


# ----------------------------------------------------------------------------- downloads


def _file(world, key):
    return services.blueprint_file_add(
        blueprint=world[key], title="A", upload=upload("a.pdf", PDF), note="", by=world["owner"]
    )


def test_download_sends_a_safe_content_disposition(client, world):
    version = services.blueprint_file_add(
        blueprint=world["blueprint"],
        title="Bericht",
        upload=upload('Bericht "2024"\r\nSet-Cookie: x=1; ü.pdf', PDF),
        note="",
        by=world["owner"],
    )
    response = client.get(f"/blueprints/offen/versions/{version.pk}/download/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename")
    assert "\r" not in disposition and "\n" not in disposition
    assert "Set-Cookie" not in response.headers or "x=1" not in response.headers["Set-Cookie"]
    assert disposition.count('"') in (0, 2)
    assert "filename*=utf-8''" in disposition  # the umlaut, encoded
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("key", ["draft", "signed_in"])
@pytest.mark.parametrize("who", [None, "stranger", "participant", "partner"])
def test_hidden_blueprints_answer_404_for_page_and_file(client, world, key, who):
    version = _file(world, key)
    slug = world[key].slug
    if who:
        client.force_login(world[who])
    urls = [
        f"/blueprints/{slug}/",
        f"/blueprints/{slug}/files/{version.blueprint_file_id}/download/",
        f"/blueprints/{slug}/versions/{version.pk}/download/",
    ]
    # A signed-in blueprint is for everyone signed in; a draft for its office only.
    expected = 200 if (key == "signed_in" and who) else 404
    for url in urls:
        assert client.get(url).status_code == expected, url
    client.force_login(world["owner"])
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_a_version_of_another_blueprint_is_not_found_under_this_address(client, world):
    hidden = _file(world, "draft")
    assert client.get(f"/blueprints/offen/versions/{hidden.pk}/download/").status_code == 404
    assert (
        client.get(f"/blueprints/offen/files/{hidden.blueprint_file_id}/download/").status_code
        == 404
    )


def test_download_counts_keep_a_number_per_day_and_nothing_about_the_person(client, world):
    from datetime import timedelta

    from django.utils import timezone

    version = _file(world, "blueprint")
    url = f"/blueprints/offen/versions/{version.pk}/download/"
    client.get(url)
    client.force_login(world["participant"])
    client.get(url)
    client.get(f"/blueprints/offen/files/{version.blueprint_file_id}/download/")
    assert list(DownloadCount.objects.values_list("version_id", "day", "count")) == [
        (version.pk, timezone.localdate(), 3)
    ]
    # The row has no place for anything about a person.
    assert {f.name for f in DownloadCount._meta.get_fields()} == {"id", "version", "day", "count"}
    services.download_count(version=version, day=timezone.localdate() + timedelta(days=1))
    assert DownloadCount.objects.count() == 2
    # The office sees the total on the page; nobody else does.
    client.force_login(world["owner"])
    client.cookies["django_language"] = "en"
    assert "4 downloads" in client.get("/blueprints/offen/").content.decode()
    client.force_login(world["participant"])
    assert "downloads" not in client.get("/blueprints/offen/").content.decode()


def test_a_hidden_download_counts_nothing(client, world):
    version = _file(world, "draft")
    client.get(f"/blueprints/entwurf/versions/{version.pk}/download/")
    assert not DownloadCount.objects.exists()


def test_the_page_shows_a_new_file_version_and_tag_at_once(client, world):
    """The page keeps its files and tags (blueprints.views._detail_lists) until something
    they show is saved: an upload, a new version or a tag is on the next request."""
    url = "/blueprints/offen/"
    client.get(url)  # kept now
    first = services.blueprint_file_add(
        blueprint=world["blueprint"],
        title="Agenda",
        upload=upload("a.pdf", PDF),
        note="",
        by=world["owner"],
    )
    assert first.sha256 in client.get(url).content.decode()
    second = services.blueprint_file_version_add(
        blueprint_file=first.blueprint_file,
        upload=upload("agenda-neu.pdf", samples.pdf_bytes("Agenda", ["Zweite Fassung."])),
        note="Zweite Fassung",
        by=world["owner"],
    )
    assert second.sha256 in client.get(url).content.decode()
    world["blueprint"].tags.create(name="Neues Schlagwort", slug="neues-schlagwort")
    assert "Neues Schlagwort" in client.get(url).content.decode()
