"""The crispy pack "kern" and the pages around it: forms render KERN markup that assistive
technology can follow (labels, hints and errors wired to their inputs, an error summary that
links to each field), and allauth's and the error pages use Pioneer's layout."""

import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from tests.factories.core import PASSWORD, UserFactory


class _Tree(HTMLParser):
    """Just enough of the DOM: every element with its attributes and its open ancestors."""

    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self):
        super().__init__()
        self.elements = []
        self._open = []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "ancestors": list(self._open)}
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index]["tag"] == tag:
                del self._open[index:]
                break

    def ids(self):
        return {e["attrs"]["id"] for e in self.elements if e["attrs"].get("id")}

    def by_id(self, element_id):
        return next(e for e in self.elements if e["attrs"].get("id") == element_id)

    def find(self, tag, **attrs):
        return [
            e
            for e in self.elements
            if e["tag"] == tag and all(e["attrs"].get(k) == v for k, v in attrs.items())
        ]


def _parse(html):
    tree = _Tree()
    tree.feed(html)
    return tree


class SampleForm(forms.Form):
    name = forms.CharField(label="Name", help_text="As on your ID card.")
    email = forms.EmailField(label="E-mail address", required=False)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    side = forms.ChoiceField(
        label="Side",
        choices=[("admin", "Administration"), ("external", "External")],
        widget=forms.RadioSelect,
        help_text="Which side of the tandem.",
    )
    topics = forms.MultipleChoiceField(
        label="Topics",
        choices=[("digital", "Digital"), ("climate", "Climate")],
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label="Language", choices=[("de", "German"), ("en", "English")])
    starts = forms.DateField(label="Start", widget=forms.DateInput(attrs={"type": "date"}))
    consent = forms.BooleanField(label="I agree")

    def clean(self):
        raise forms.ValidationError("The cohort is already full.")


def _render(form):
    with translation.override("en"):
        return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(
            Context({"form": form})
        )


@pytest.fixture
def failed_form():
    form = SampleForm(data={"email": "not-an-address", "side": "nonsense", "language": "de"})
    assert not form.is_valid()
    return form


def test_the_error_summary_links_to_each_failed_field(failed_form):
    html = _render(failed_form)
    tree = _parse(html)

    summary = tree.by_id("form-error-summary")
    assert "kern-alert--danger" in summary["attrs"]["class"]
    assert summary["attrs"]["role"] == "alert"
    assert tree.by_id("form-error-summary-title")["tag"] == "h2"
    assert "There is a problem" in html

    links = [
        e["attrs"]["href"]
        for e in tree.find("a")
        if any(a["attrs"].get("id") == "form-error-summary" for a in e["ancestors"])
    ]
    assert links == [
        "#id_name",
        "#id_email",
        "#id_side_0",
        "#id_topics_0",
        "#id_starts",
        "#id_consent",
    ]
    # Every link lands on an element that exists in the form.
    assert {link[1:] for link in links} <= tree.ids()
    # The error that belongs to no field is listed too, as text.
    assert "The cohort is already full." in html


def test_an_unsent_form_has_no_summary_and_no_invalid_marks():
    html = _render(SampleForm())
    assert "form-error-summary" not in html
    assert "aria-invalid" not in html
    assert "kern-error" not in html


def test_inputs_are_labelled_and_wired_to_their_hint_and_error(failed_form):
    tree = _parse(_render(failed_form))
    ids = tree.ids()

    for field_id in ("id_name", "id_email", "id_notes", "id_language", "id_starts", "id_consent"):
        assert tree.find("label", **{"for": field_id}), field_id

    name = tree.by_id("id_name")
    assert name["attrs"]["aria-invalid"] == "true"
    described = name["attrs"]["aria-describedby"].split()
    assert described == ["id_name_helptext", "id_name_error"]
    assert set(described) <= ids
    assert "kern-hint" in tree.by_id("id_name_helptext")["attrs"]["class"]
    assert "kern-error" in tree.by_id("id_name_error")["attrs"]["class"]
    assert "kern-form-input__input--error" in name["attrs"]["class"]

    # A field without errors is not marked invalid, and points only at ids that exist.
    notes = tree.by_id("id_notes")
    assert "aria-invalid" not in notes["attrs"]
    assert tree.by_id("id_language")["tag"] == "select"
    for element in tree.elements:
        for ref in element["attrs"].get("aria-describedby", "").split():
            assert ref in ids, ref


def test_required_and_optional_fields_are_marked(failed_form):
    html = _render(failed_form)
    tree = _parse(html)
    assert "required" in tree.by_id("id_name")["attrs"]
    assert "required" not in tree.by_id("id_email")["attrs"]
    email_label = re.search(r'<label[^>]*for="id_email"[^>]*>(.*?)</label>', html, re.S).group(1)
    assert "kern-label__optional" in email_label
    assert "(optional)" in email_label
    name_label = re.search(r'<label[^>]*for="id_name"[^>]*>(.*?)</label>', html, re.S).group(1)
    assert "optional" not in name_label


def test_radios_and_checkbox_groups_are_fieldsets_with_a_legend(failed_form):
    html = _render(failed_form)
    tree = _parse(html)

    for name, kind in (("side", "radio"), ("topics", "checkbox")):
        inputs = [e for e in tree.find("input", type=kind) if e["attrs"]["name"] == name]
        assert len(inputs) == 2
        for element in inputs:
            fieldset = next(a for a in element["ancestors"] if a["tag"] == "fieldset")
            assert "kern-fieldset" in fieldset["attrs"]["class"]
            assert f"kern-form-check__{kind}" in element["attrs"]["class"]
            assert element["attrs"]["aria-invalid"] == "true"
            assert tree.find("label", **{"for": element["attrs"]["id"]})
        legend = re.search(
            rf'<fieldset id="div_id_{name}"[^>]*>\s*<legend class="kern-label">(.*?)</legend>',
            html,
            re.S,
        )
        assert legend, name
    side = tree.by_id("div_id_side")
    assert side["attrs"]["aria-describedby"].split() == ["id_side_helptext", "id_side_error"]
    assert "kern-fieldset--error" in side["attrs"]["class"]


@pytest.mark.django_db
def test_the_login_page_with_a_wrong_password_shows_the_summary(client):
    user = UserFactory(email="anna@example.org")
    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": "not-" + PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    html = response.content.decode()
    tree = _parse(html)
    summary = tree.by_id("form-error-summary")
    assert summary["attrs"]["role"] == "alert"
    assert "_auth_user_id" not in client.session
    # allauth's form goes through the kern pack: labelled inputs in KERN markup.
    assert tree.find("label", **{"for": "id_login"})
    assert "kern-form-input__input" in tree.by_id("id_password")["attrs"]["class"]
    assert "<title>Fehler:" in html or "<title>Error:" in html
    assert tree.find("main", id="main")


@pytest.mark.django_db
def test_the_login_page_links_fields_from_the_summary_when_fields_are_missing(client):
    response = client.post("/accounts/login/", {"login": "", "password": ""})

    tree = _parse(response.content.decode())
    hrefs = {e["attrs"]["href"] for e in tree.find("a", **{"class": "kern-link"})}
    assert {"#id_login", "#id_password"} <= hrefs
    assert tree.by_id("id_login")["attrs"]["aria-invalid"] == "true"


@pytest.mark.django_db
def test_signup_is_closed_and_says_how_accounts_are_made(client):
    response = client.get("/accounts/signup/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="main"' in html
    assert 'href="/accounts/login/"' in html
    assert "<form" not in html.split('id="main"')[1]


@pytest.mark.django_db
def test_an_unknown_address_gets_the_404_page_in_the_layout(client):
    response = client.get("/this-page-does-not-exist/")

    assert response.status_code == 404
    html = response.content.decode()
    tree = _parse(html)
    assert tree.find("main", id="main")
    skip = [e for e in tree.find("a") if e["attrs"].get("href") == "#main"]
    assert skip and "pio-skip-link" in skip[0]["attrs"]["class"]
    assert tree.find("h1")


@pytest.mark.parametrize("template", ["500.html", "400.html", "403_csrf.html"])
def test_error_pages_render_without_a_request(template):
    # Django renders these without a request context (and 500 possibly without a database).
    html = render_to_string(template)

    tree = _parse(html)
    assert tree.find("main", id="main")
    assert tree.find("h1")
    assert any(e["attrs"].get("href", "").endswith("kern.min.css") for e in tree.find("link"))
    assert "//" not in "".join(e["attrs"].get("href", "") for e in tree.find("link"))


@pytest.mark.django_db
def test_the_mfa_pages_use_the_layout(client):
    user = UserFactory()
    client.force_login(user)

    response = client.get("/accounts/2fa/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="main"' in html
    assert "kern-card" in html
    assert 'href="/accounts/2fa/totp/activate/"' in html


@pytest.mark.django_db
def test_a_page_the_role_may_not_open_gets_the_403_page_in_the_layout(client):
    client.force_login(UserFactory())

    response = client.get("/invite/")

    assert response.status_code == 403
    tree = _parse(response.content.decode())
    assert tree.find("main", id="main")
    assert 'href="/home/"' in response.content.decode()


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_csrf_page():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"login": "x@example.org", "password": "x"})

    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="main"' in html
    assert "kern-alert--warning" in html


# Choice lists written in Python (pioneer_choices; selects: tests/pioneer/test_form_renderer.py)


def test_radio_options_keep_their_value_check_mark_and_label():
    form = SampleForm(data={"side": "external", "topics": ["digital", "climate"]})
    form.is_valid()
    tree = _parse(_render(form))
    external = tree.by_id("id_side_1")
    assert external["attrs"]["value"] == "external"
    assert "checked" in external["attrs"]
    assert "checked" not in tree.by_id("id_side_0")["attrs"]
    assert [e["attrs"].get("checked", "no") for e in tree.find("input", name="topics")] == [
        None,
        None,
    ]  # both checked (a bare attribute)
    assert tree.find("label", **{"for": "id_side_1"})


@pytest.mark.django_db
def test_a_listed_choice_field_reads_its_rows_once(django_assert_num_queries):
    from pioneer.forms import ListedModelChoiceField
    from pioneer.models import Organisation
    from tests.factories.core import OrganisationFactory

    OrganisationFactory.create_batch(3)

    class Pick(forms.Form):
        organisation = ListedModelChoiceField(queryset=Organisation.objects.order_by("pk"))

    form = Pick()
    with django_assert_num_queries(1):
        first = str(form["organisation"])
        assert form.fields["organisation"].queryset  # "any choices?" as a page asks
        assert str(form["organisation"]) == first
    assert first.count("<option") == 4  # the empty choice and three
