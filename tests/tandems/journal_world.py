"""A tandem whose two people keep journals with an entry of every visibility, and a
person of every other role, for the journal's tests."""

from django.test import Client

from evaluation.models import EvaluatorAssignment
from tandems import journal_services
from tandems.models import JournalEntry
from tests.factories.cohorts import CohortFactory, ParticipationFactory
from tests.factories.core import (
    UserFactory,
    evaluator_user,
    link_partner,
    office_user,
    partner_user,
)
from tests.factories.tandems import tandem

VISIBILITIES = JournalEntry.Visibility.values


def secret(who, visibility):
    """A text found nowhere else: the marker a search for a leak looks for."""
    return f"Zebrafink-{who}-{visibility}-7f3c"


def client_for(user, language="en"):
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = language
    return client


def build():
    cohort = CohortFactory()
    office = office_user(cohort.programme.organisation)
    t = tandem(cohort)
    anna, ben = t.administration.user, t.external.user
    entries = {}
    phase = t.phases.get(number=1)
    for who, participation in (("anna", t.administration), ("ben", t.external)):
        for visibility in VISIBILITIES:
            entries[(who, visibility)] = journal_services.journal_entry_create(
                participation=participation,
                date=phase.start,
                text=secret(who, visibility),
                visibility=visibility,
                by=participation.user,
            )
    # Ben's company's partner contact (linked to the office), who sees its tandems.
    link_partner(cohort.programme.organisation, t.external.organisation)
    contact = partner_user(t.external.organisation)
    evaluator = evaluator_user()
    EvaluatorAssignment.objects.create(cohort=cohort, user=evaluator)
    colleague = ParticipationFactory(cohort=cohort).user
    admin = UserFactory(is_staff=True, is_superuser=True)
    return {
        "cohort": cohort,
        "tandem": t,
        "office": office,
        "anna": anna,
        "ben": ben,
        "contact": contact,
        "evaluator": evaluator,
        "colleague": colleague,
        "admin": admin,
        "stranger_office": office_user(),
        "entries": entries,
    }
