"""Factories for the cohorts app.

ProgrammeFactory()                 pioneer4BB-like programme of a new ministry
CohortFactory(programme=...)       a running cohort with dates and an interest window
InterestRegistrationFactory()      a confirmed registration of a company
ParticipationFactory(cohort=...)   an administration-side person of the organiser
external_participation(cohort)     an external expert from a new company
"""

from datetime import date

import factory

from cohorts.models import Cohort, InterestRegistration, Participation, Programme
from pioneer.models import Organisation
from tests.factories.core import OrganisationFactory, RoleFactory, UserFactory, link_partner


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programm {n}")
    slug = factory.Sequence(lambda n: f"programm-{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    format = Programme.Format.TANDEM


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"{n}. Durchgang")
    slug = factory.Sequence(lambda n: f"durchgang-{n}")
    start_date = date(2023, 4, 1)
    end_date = date(2023, 9, 30)
    interest_opens = date(2023, 1, 1)
    interest_closes = date(2023, 2, 28)
    planned_tandems = 10
    state = Cohort.State.RUNNING


class InterestRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterestRegistration

    cohort = factory.SubFactory(CohortFactory, state=Cohort.State.OPEN)
    organisation_name = factory.Sequence(lambda n: f"Firma {n} GmbH")
    organisation_kind = Organisation.Kind.COMPANY
    street = "Hauptstraße 1"
    postcode = "14467"
    city = "Potsdam"
    contact_name = factory.Sequence(lambda n: f"Kontakt {n}")
    contact_email = factory.Sequence(lambda n: f"kontakt{n}@firma.example")
    privacy_version = "2024-01"
    state = InterestRegistration.State.CONFIRMED


class ParticipationFactory(factory.django.DjangoModelFactory):
    """An administration-side participant from the organiser's ministry."""

    class Meta:
        model = Participation
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    organisation = factory.SelfAttribute("cohort.programme.organisation")
    side = Participation.Side.ADMINISTRATION
    position = "Referent/in"
    state = Participation.State.CONFIRMED

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            RoleFactory(user=obj.user, kind="participant")


def external_participation(cohort, organisation=None, **fields):
    """An external expert (from a new company unless given); the company is linked to
    the cohort's organiser, as an office links the partners whose people it adds."""
    organisation = organisation or OrganisationFactory(kind=Organisation.Kind.COMPANY)
    link_partner(cohort.programme.organisation, organisation)
    return ParticipationFactory(
        cohort=cohort, organisation=organisation, side=Participation.Side.EXTERNAL, **fields
    )
