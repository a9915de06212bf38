"""The cohorts app's notification kinds (pioneer.notifications registry)."""

from django.urls import reverse

from pioneer import notifications


def _registration_link(registration):
    return reverse("cohorts:registration_detail", kwargs={"pk": registration.pk})


def _registration_context(registration, recipient):
    return {"registration": registration, "cohort": registration.cohort}


notifications.register(
    "cohorts.registration_confirmed",
    template="notifications/cohorts_registration_confirmed",
    link=_registration_link,
    extra_context=_registration_context,
    related=("cohort__programme",),  # "{{ cohort }}" names the programme too
)
