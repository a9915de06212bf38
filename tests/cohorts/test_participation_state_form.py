"""A person's page keeps the blank state form's HTML per the states it offers (and the
language): the same HTML `{{ form|crispy }}` renders, for a person in every state; a
bound form (with errors) is rendered as before."""

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from cohorts.forms import ParticipationStateForm
from cohorts.models import Participation
from pioneer import fragments
from tests.factories.cohorts import ParticipationFactory
from tests.factories.core import office_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_kept_state_form_is_the_rendered_one(language):
    crispy = Template("{% load crispy_forms_tags %}{{ form|crispy }}")
    with translation.override(language):
        for state in Participation.State.values:
            participation = Participation(state=state)
            form = ParticipationStateForm(participation=participation)
            kept = fragments.form_html(
                form,
                "cohorts.participation_state",
                tuple(value for value, _label in form.fields["state"].choices),
            )
            assert kept == crispy.render(Context({"form": form})), state


def test_a_refused_state_change_shows_its_errors(client):
    participation = ParticipationFactory(state="confirmed")
    client.force_login(office_user(org=participation.cohort.programme.organisation))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse(
        "cohorts:participation_detail",
        kwargs={"cohort_pk": participation.cohort_id, "pk": participation.pk},
    )
    assert client.get(url).status_code == 200
    refused = client.post(url, {"state": "withdrawn", "reason": ""})
    assert refused.status_code == 400
    assert "Please give the reason for the withdrawal." in refused.content.decode()
