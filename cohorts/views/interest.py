"""The public registration of interest: the form, "sent", and the confirmation link."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.safestring import mark_safe

from cohorts import selectors, services
from cohorts.forms import InterestForm, InterestPreselectForm
from cohorts.models import InterestRegistration
from cohorts.views._shared import apply_errors, render_form
from pioneer import landing
from pioneer.ratelimit import client_ip

HONEYPOT = "homepage"


def _open_cohort_ids():
    return landing.cached(
        "interest:cohorts", lambda: list(selectors.open_cohorts().values_list("pk", flat=True))
    )


def _blank_form(request, preselect):
    """The empty form as every visitor sees it, rendered once and kept with the landing
    page's sections (pioneer.landing): the same rows decide both, and rendering the
    choices and fields cost most of this page. A visitor's own input never reaches it:
    `preselect` is one of the open cohorts' ids or None."""
    ids = _open_cohort_ids()
    if preselect not in ids:
        preselect = None

    def render_fields():
        initial = {"cohort": preselect} if preselect else {}
        form = InterestForm(None, cohorts=selectors.open_cohorts(), initial=initial)
        return str(as_crispy_form(form))

    html = landing.cached("interest:form", render_fields, preselect) if ids else ""
    return render(
        request,
        "cohorts/interest_form.html",
        {"cohorts": ids, "fields_html": mark_safe(html), "honeypot": HONEYPOT},  # noqa: S308
    )


def interest(request):
    query = InterestPreselectForm(request.GET)
    preselect = query.cleaned_data["cohort"] if query.is_valid() else None
    if request.method != "POST":
        return _blank_form(request, preselect)
    cohorts = selectors.open_cohorts()
    initial = {"cohort": preselect} if preselect else {}
    form = InterestForm(request.POST or None, cohorts=cohorts, initial=initial)
    if request.POST.get(HONEYPOT):
        # A bot filled the hidden field: answer as if all went well, keep nothing.
        return redirect("cohorts:interest_sent")
    if form.is_valid():
        try:
            services.registration_submit(
                cohort=form.cleaned_data["cohort"],
                data=form.registration_data(),
                language=translation.get_language() or "de",
                ip=client_ip(request),
            )
        except services.RateLimited as error:
            form.add_error(None, error.messages)
            response = render(
                request, "cohorts/interest_form.html", {"form": form, "cohorts": cohorts}
            )
            response.status_code = 429
            return response
        except services.DuplicateRegistration as error:
            return render(
                request,
                "cohorts/interest_duplicate.html",
                {"message": error.messages[0]},
                status=409,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            request.session["interest_email"] = form.cleaned_data["contact_email"]
            return redirect("cohorts:interest_sent")
    return render_form(
        request,
        "cohorts/interest_form.html",
        # The form's own queryset: read once for "any open cohort?" and for the choices.
        {"form": form, "cohorts": form.fields["cohort"].queryset, "honeypot": HONEYPOT},
        form,
    )


def interest_sent(request):
    return render(
        request,
        "cohorts/interest_sent.html",
        {
            "email": request.session.get("interest_email", ""),
            "valid_hours": int(services.CONFIRM_LINK_VALID.total_seconds()) // 3600,
        },
    )


def interest_confirm(request, token):
    """The link from the e-mail. GET asks for one click (so that mail scanners that open
    links do not confirm on the visitor's behalf); POST confirms."""
    registration = services.registration_by_token(token)
    language = registration.language if registration else translation.get_language()
    with translation.override(language):
        if request.method == "POST":
            result, registration = services.registration_confirm(token=token)
        elif registration is None:
            result = services.ConfirmResult.INVALID
        elif registration.state == InterestRegistration.State.UNCONFIRMED:
            result = "ask"
        elif registration.state == InterestRegistration.State.EXPIRED:
            result = services.ConfirmResult.EXPIRED
        else:
            result = services.ConfirmResult.ALREADY
        status = 404 if result == services.ConfirmResult.INVALID else 200
        if result == services.ConfirmResult.EXPIRED:
            status = 410
        response = render(
            request,
            "cohorts/interest_confirm.html",
            {"result": result, "registration": registration},
            status=status,
        )
    return response
