"""Both languages, finished: no German on an English page and no English on a German one,
dates in each language's own format, and e-mails signed in the reader's language.

The pages are those the page tests walk (tests/pages.py: the public pages, and every page in
each demo login's navigation), rendered with the test client in German and in English. Text
that is data, not interface (names, titles, descriptions typed by people: every text stored
in the demo world), is taken out first, as are the language switch's own labels and every
element marked with a language of its own (lang="...").
"""

import ast
import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from cohorts.models import Cohort, InterestRegistration, Participation
from pioneer import mail
from pioneer.context_processors import navigation
from pioneer.models import Notification, User
from pioneer.validators import SafeForm
from tests.cohorts.test_interest import form_data
from tests.factories.core import NotificationFactory, UserFactory
from tests.pages import DEMO_LOGINS, PUBLIC_PAGES

ROOT = Path(__file__).resolve().parent.parent

# Tell-tale words of the other language (whole words, case as written).
GERMAN = re.compile(
    r"\b(und|der|die|das|Sie|Ihre|Ihr|nicht|für|oder|mit|bitte|Bitte|Durchgang|Anmelden|"
    r"Abmelden|Seite|Zurück|Programmbüro)\b"
)
ENGLISH = re.compile(r"\b(the|The|and|your|Your|you|You|with|Sign in|Sign out|of|Back)\b")
# The apps whose rows are content people typed (not Django's own tables).
DATA_APPS = {"pioneer", "cohorts", "tandems", "companion", "evaluation", "blueprints"}
SKIP_TAGS = {"script", "style", "template"}
VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
# Attributes a reader meets as text (screen readers read them, browsers show them).
TEXT_ATTRS = ("aria-label", "title", "placeholder", "alt")


class _VisibleText(HTMLParser):
    """The text of a page in its own language: skips scripts, the language switch and every
    element whose lang differs from the page's."""

    def __init__(self, language):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack = []  # (tag, skipped)
        self.parts = []

    def _skipping(self):
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        lang = values.get("lang")
        skipped = (
            tag in SKIP_TAGS
            or (lang is not None and tag != "html" and lang.split("-")[0] != self.language)
            or "pio-lang-switch" in (values.get("class") or "")
        )
        if not skipped and not self._skipping():
            self.parts += [values[a] for a in TEXT_ATTRS if values.get(a)]
        if tag not in VOID_TAGS:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def _data_texts():
    """Every text stored in the database (the demo world's names, titles, descriptions,
    e-mail addresses): data, whatever language it was typed in."""
    texts = set()
    for model in apps.get_models():
        if model._meta.app_label not in DATA_APPS:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not isinstance(f, models.SlugField)
            and not f.choices
            and f.name not in {"password", "confirm_token_hash"}
        ]
        if fields:
            for row in model.objects.values_list(*fields):
                texts.update(v.strip() for v in row if isinstance(v, str) and len(v.strip()) > 2)
    return sorted(texts, key=len, reverse=True)


def _interface_text(html, language, data):
    parser = _VisibleText(language)
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    for value in data:
        text = re.sub(rf"(?<!\w){re.escape(' '.join(value.split()))}(?!\w)", " ", text)
    return text


def _other_language_words(text, language):
    pattern = GERMAN if language == "en" else ENGLISH
    found = set()
    for match in pattern.finditer(text):
        start = max(0, match.start() - 50)
        found.add(f"{match.group(0)!r} in …{text[start : match.end() + 50]}…")
    return found


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def _pages(client, email):
    if email is None:
        return [*PUBLIC_PAGES, "/interest/"]
    user = User.objects.get(email=email)
    client.force_login(user)
    request = RequestFactory().get("/")
    request.user = user
    return [item["url"] for item in navigation(request)["nav_items"]]


def _office_pages():
    """Beyond the navigation: the running and the open cohort's pages of the programme
    office, where most of its day is spent."""
    running = Cohort.objects.get(slug="durchgang-2")
    open_ = Cohort.objects.get(slug="durchgang-3")
    registration = InterestRegistration.objects.filter(cohort=open_, state="confirmed").first()
    participation = Participation.objects.filter(cohort=running).first()
    return [
        reverse("cohorts:programme_detail", args=[running.programme.slug]),
        reverse("cohorts:programme_update", args=[running.programme.slug]),
        reverse("cohorts:cohort_create", args=[running.programme.slug]),
        reverse("cohorts:cohort_detail", args=[running.pk]),
        reverse("cohorts:cohort_detail", args=[open_.pk]),
        reverse("cohorts:cohort_update", args=[running.pk]),
        reverse("cohorts:cohort_registrations", args=[running.pk]),
        reverse("cohorts:cohort_copy", args=[running.pk]),
        reverse("cohorts:participation_list", args=[running.pk]),
        reverse("cohorts:participation_add", args=[running.pk]),
        reverse("cohorts:participation_detail", args=[running.pk, participation.pk]),
        reverse("cohorts:registration_detail", args=[registration.pk]),
        # The lists with every view, filters as chips, a selection, and the print views.
        reverse("cohorts:registration_list") + "?show=all&state=confirmed&sort=-offered",
        reverse("cohorts:cohort_registrations", args=[open_.pk]) + "?show=all&select=page",
        reverse("cohorts:participation_list", args=[running.pk]) + "?show=all&side=external",
        reverse("cohorts:participation_print", args=[running.pk]) + "?show=all&sort=state",
        reverse("cohorts:registration_print", args=[registration.pk]),
    ]


def _html(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_import_page_shows_no_other_languages_interface_text(client, demo, language):
    running = Cohort.objects.get(slug="durchgang-2")
    client.force_login(User.objects.get(email="office@mluk.example"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("cohorts:participation_import", args=[running.pk]))
    assert response.status_code == 200
    text = _interface_text(response.content.decode(), language, _data_texts())
    assert _other_language_words(text, language) == set()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_offices_cohort_pages_show_no_other_languages_interface_text(client, demo, language):
    data = _data_texts()
    client.force_login(User.objects.get(email="office@mluk.example"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    problems = []
    for url in _office_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        text = _interface_text(_html(response), language, data)
        problems += [f"{url}: {found}" for found in _other_language_words(text, language)]
    assert problems == []


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_bulk_confirmation_pages_show_no_other_languages_interface_text(client, demo, language):
    """The pages that say what a bulk action will do before it happens."""
    data = _data_texts()
    client.force_login(User.objects.get(email="office@mluk.example"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    running = Cohort.objects.get(slug="durchgang-2")
    people = list(Participation.objects.filter(cohort=running).values_list("pk", flat=True))
    registrations = list(InterestRegistration.objects.values_list("pk", flat=True))
    problems = []
    for url, data_ in (
        (reverse("cohorts:registration_bulk"), {"selected": registrations, "action": "resend"}),
        (
            reverse("cohorts:participation_bulk", args=[running.pk]),
            {"selected": people, "action": "invite"},
        ),
        (
            reverse("cohorts:participation_bulk", args=[running.pk]),
            {"selected": people, "action": "state", "to_state": "withdrawn"},
        ),
    ):
        response = client.post(url, data_)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        text = _interface_text(html, language, data)
        problems += [f"{url}: {found}" for found in _other_language_words(text, language)]
    assert problems == []


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("email", [None, *DEMO_LOGINS])
def test_no_page_shows_the_other_languages_interface_text(client, demo, email, language):
    data = _data_texts()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    problems = []
    for url in _pages(client, email):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, url
        problems += [
            f"{url}: {found}"
            for found in _other_language_words(_interface_text(html, language, data), language)
        ]
    assert problems == []


def test_the_visible_text_leaves_out_marked_parts_and_the_language_switch():
    html = (
        '<html lang="en"><body><form class="pio-lang-switch"><button>Deutsch</button></form>'
        '<p>Read <span lang="de">die Verordnung</span> here.</p><p>und sonst</p></body></html>'
    )
    text = _interface_text(html, "en", [])
    assert "Deutsch" not in text and "Verordnung" not in text
    assert _other_language_words(text, "en")  # "und" is found
    assert not _other_language_words(_interface_text(html, "en", ["und sonst"]), "en")


# Dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["23 November 2026", "23 Nov 2026", "23 November 2026, 14:05", "14:05"]),
        ("de", ["23. November 2026", "23.11.2026", "23. November 2026, 14:05", "14:05"]),
    ],
)
def test_dates_and_times_in_each_languages_own_format(language, expected):
    moment = timezone.make_aware(datetime(2026, 11, 23, 14, 5))
    template = Template(
        '{{ d|date:"DATE_FORMAT" }}|{{ d|date:"SHORT_DATE_FORMAT" }}|'
        '{{ m|date:"DATETIME_FORMAT" }}|{{ m|time:"TIME_FORMAT" }}'
    )
    with translation.override(language), timezone.override("Europe/Berlin"):
        rendered = template.render(Context({"d": date(2026, 11, 23), "m": moment}))
    assert rendered.split("|") == expected
    # Neither the US month-first order nor a 12-hour clock on English pages.
    assert "p.m." not in rendered and "PM" not in rendered and "11/23" not in rendered


# Text frozen at import time -----------------------------------------------------------------

APPS = ["pioneer", "cohorts", "tandems", "companion", "evaluation", "blueprints"]
EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}
LAZY = {"_", "gettext_lazy", "ngettext_lazy", "pgettext_lazy"}


def _is_call_to(node, names):
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) in names


def _frozen_at_import(path):
    """Calls outside any function that turn a translation into a str while the module is
    imported (in whatever language is active then): gettext(...) itself, and a lazy text
    formatted with %, .format, str() or an f-string."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    eager = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in EAGER
    }
    found = []

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            lazy = LAZY - eager
            frozen = (
                _is_call_to(child, eager)
                or (
                    isinstance(child, ast.BinOp)
                    and isinstance(child.op, ast.Mod)
                    and _is_call_to(child.left, lazy)
                )
                or (_is_call_to(child, {"str"}) and any(_is_call_to(a, lazy) for a in child.args))
                or (
                    isinstance(child, ast.JoinedStr)
                    and any(
                        isinstance(v, ast.FormattedValue) and _is_call_to(v.value, lazy)
                        for v in child.values
                    )
                )
                or (
                    isinstance(child, ast.Call)
                    and isinstance(child.func, ast.Attribute)
                    and child.func.attr == "format"
                    and _is_call_to(child.func.value, lazy)
                )
            )
            if frozen:
                found.append(f"{path.relative_to(ROOT)}:{child.lineno}")
            visit(child)

    visit(tree)
    return found


def test_the_scan_finds_text_frozen_at_import():
    module = ROOT / "tests" / "_frozen_example.py"
    source = (
        "from django.utils.translation import gettext, gettext_lazy as _\n"
        "A = gettext('x')\n"
        "B = _('%(n)s') % {'n': 1}\n"
        "C = _('fine')\n"
        "def later():\n"
        "    return gettext('fine in a function')\n"
    )
    module.write_text(source, encoding="utf-8")
    try:
        assert _frozen_at_import(module) == [
            "tests/_frozen_example.py:2",
            "tests/_frozen_example.py:3",
        ]
    finally:
        module.unlink()


def test_no_translated_text_is_frozen_at_import_time():
    found = [
        line
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for line in _frozen_at_import(path)
    ]
    assert found == []


# Required fields, the error summary ------------------------------------------------------------


class _Example(SafeForm):
    name = forms.CharField(label="Name of the organisation")
    start = forms.DateField(label="Start:")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A")])
    hosts = forms.BooleanField(label="Would you host someone?")
    note = forms.CharField(label="Note", error_messages={"required": "Our own words."})


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {
                "name": "Fill in “Name of the organisation”.",
                "start": "Enter a date for “Start”.",
                "kind": "Choose an answer for “Kind”.",
                "hosts": "Tick “Would you host someone?” to continue.",
                "note": "Our own words.",
            },
        ),
        (
            "de",
            {
                "name": "Füllen Sie „Name of the organisation“ aus.",
                "start": "Geben Sie ein Datum für „Start“ ein.",
                "kind": "Wählen Sie eine Angabe für „Kind“ aus.",
                "hosts": "Setzen Sie das Häkchen bei „Would you host someone?“, um fortzufahren.",
                "note": "Our own words.",
            },
        ),
    ],
)
def test_every_required_field_has_a_message_of_its_own(language, expected):
    with translation.override(language):
        form = _Example(data={})
        assert not form.is_valid()
        assert {name: errors[0] for name, errors in form.errors.items()} == expected


@pytest.mark.parametrize("language", ["en", "de"])
def test_no_project_form_answers_with_djangos_generic_required_message(client, demo, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post("/interest/", {"organisation_name": ""})
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "pio-error-summary" in html
    with translation.override(language):
        generic = str(forms.Field.default_error_messages["required"])
    assert generic not in html
    # Its questions ("How many people can you send?") take no colon of ours after them.
    assert "?:" not in html
    assert html.count('<li><a class="kern-link" href="#id_') >= 10


def test_the_error_summary_never_doubles_punctuation():
    with translation.override("en"):
        form = _Example(data={"note": "x"})
        form.is_valid()
        html = render_to_string("kern/errors.html", {"form": form})
    assert "?:" not in html and "::" not in html
    assert "Start: Enter a date" in html
    assert "Would you host someone? Tick" in html
    assert "Name of the organisation: Fill in" in html


# E-mails: the programme office's signature ----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "greeting", "phone"),
    [("en", "Kind regards", "Phone:"), ("de", "Mit freundlichen Grüßen", "Telefon:")],
)
def test_every_email_is_signed_by_the_programme_office(db, settings, language, greeting, phone):
    settings.PROGRAMME_OFFICE_NAME = "Programmbüro pioneer4BB"
    settings.PROGRAMME_OFFICE_EMAIL = "programmbuero@mluk.example"
    settings.PROGRAMME_OFFICE_PHONE = "+49 331 000000"
    recipient = UserFactory(language=language)
    subject, text, html = mail.render(
        "notifications/account_invitation",
        {"recipient": recipient, "link": "/x/", "site_url": "http://127.0.0.1:8001"},
        language=language,
    )
    for body in (text, html):
        assert greeting in body
        assert "Programmbüro pioneer4BB" in body
        assert "programmbuero@mluk.example" in body
        assert f"{phone} +49 331 000000" in body
    assert text.rstrip().endswith("+49 331 000000")
    assert 'href="mailto:programmbuero@mluk.example"' in html
    settings.PROGRAMME_OFFICE_NAME = ""
    settings.PROGRAMME_OFFICE_PHONE = ""
    _, text, _ = mail.render(
        "notifications/account_invitation",
        {"recipient": recipient, "link": "/x/", "site_url": "http://x"},
        language=language,
    )
    assert ("Ihr Programmbüro" if language == "de" else "The programme office") in text
    assert phone not in text


@pytest.mark.parametrize(
    ("language", "greeting"), [("en", "Kind regards"), ("de", "Mit freundlichen Grüßen")]
)
def test_allauths_emails_are_signed_too(
    client, db, settings, mailoutbox, django_capture_on_commit_callbacks, language, greeting
):
    settings.PROGRAMME_OFFICE_EMAIL = "programmbuero@mluk.example"
    user = UserFactory(language=language)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": user.email})
    body = mailoutbox[-1].body
    assert greeting in body and "programmbuero@mluk.example" in body
    assert "example.com" not in body


# The header: operator, language switch ------------------------------------------------------


def test_the_header_names_the_operator_and_marks_the_active_language(client, db, settings):
    settings.OPERATOR_NAME = "Ministerium für Landwirtschaft, Umwelt und Klimaschutz"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert 'Run by <span lang="de">Ministerium für Landwirtschaft' in html
    current = re.search(r'<button[^>]*aria-pressed="true"[^>]*>', html).group(0)
    other = re.search(r'<button[^>]*aria-pressed="false"[^>]*>', html).group(0)
    assert 'lang="en"' in current and "pio-lang-switch__current" in current
    assert "kern-btn--secondary" in current and "kern-btn--tertiary" in other
    settings.OPERATOR_NAME = ""
    assert "Run by" not in client.get("/").content.decode().split("</header>")[0]


def test_an_abbreviation_is_explained_at_its_first_use(client, demo):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    explained = (
        "Ministerium für Landwirtschaft, Umwelt und Klimaschutz "
        '(<abbr title="Ministerium für Landwirtschaft, Umwelt und Klimaschutz">MLUK</abbr>)'
    )
    assert explained in html
    first = html.index("MLUK")
    assert html[:first].endswith('Klimaschutz">') or html[first - 50 : first].count("(<abbr")


def test_a_notification_kept_in_its_own_language_is_marked_so(client, db, settings):
    """A notification is written once, in the language of its recipient at that moment; when
    they read the list in the other language, it is marked with its own (not translated)."""
    user = UserFactory(language="de")
    NotificationFactory(
        recipient=user,
        language="de",
        subject="Ihnen wurde eine Rolle gegeben",
        body="Sie sind jetzt Teil des Programms.",
        state=Notification.State.SENT,
        sent_at=timezone.now(),
    )
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/notifications/").content.decode()
    assert '<span lang="de">Ihnen wurde eine Rolle gegeben</span>' in html
    assert _other_language_words(_interface_text(html, "en", []), "en") == set()


# E-mails in the reader's language ------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_interest_emails_speak_the_visitors_language_only(
    client, demo, mailoutbox, django_capture_on_commit_callbacks, language
):
    open_ = Cohort.objects.get(slug="durchgang-3")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/interest/",
            form_data(open_, organisation_name="Klimawerk GmbH", contact_email="k@klima.example"),
        )
    assert response.status_code == 302
    message = mailoutbox[-1]
    data = [*_data_texts(), "Klimawerk GmbH"]
    text = _interface_text(f"<p>{message.subject}</p><pre>{message.body}</pre>", language, data)
    assert _other_language_words(text, language) == set()
    html = message.alternatives[0][0]
    assert _other_language_words(_interface_text(html, language, data), language) == set()
    assert ("Interesse" if language == "de" else "interest") in message.subject + message.body
    assert "anmelden" not in (message.subject + message.body).lower()


def test_the_german_interest_form_says_interesse_bekunden_never_anmelden(client, demo):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    # The landing page's open cohorts (its sign-in button for participants is "Anmelden").
    html = client.get("/").content.decode()
    section = html.split('aria-labelledby="open-cohorts-heading"', 1)[1].split("</section>")[0]
    assert "Interesse bekunden" in section and "anmeld" not in section.lower()
    html = client.get("/interest/").content.decode()
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert "Interesse Ihrer Organisation" in main and "anmeld" not in main.lower()
    response = client.post("/interest/", {"organisation_name": ""})
    main = response.content.decode().split('<main id="main"', 1)[1]
    assert "anmeld" not in main.split("</main>", 1)[0].lower()
