from django.urls import path

from cohorts.views import cohorts, interest, lists, participations, programmes, registrations

app_name = "cohorts"

urlpatterns = [
    # Public: registration of interest (no login).
    path("interest/", interest.interest, name="interest"),
    path("interest/sent/", interest.interest_sent, name="interest_sent"),
    path("interest/confirm/<str:token>/", interest.interest_confirm, name="interest_confirm"),
    # Programme office: programmes and cohorts.
    path("programmes/", programmes.programme_list, name="programme_list"),
    path("programmes/new/", programmes.programme_create, name="programme_create"),
    path("programmes/<slug:slug>/", programmes.programme_detail, name="programme_detail"),
    path("programmes/<slug:slug>/edit/", programmes.programme_update, name="programme_update"),
    path("programmes/<slug:slug>/cohorts/new/", cohorts.cohort_create, name="cohort_create"),
    path("cohorts/<int:pk>/", cohorts.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/edit/", cohorts.cohort_update, name="cohort_update"),
    path("cohorts/<int:pk>/stage/", cohorts.cohort_transition, name="cohort_transition"),
    path(
        "cohorts/<int:pk>/stage/undo/",
        cohorts.cohort_transition_undo,
        name="cohort_transition_undo",
    ),
    # Review queue (office) and own registrations (partner contacts).
    path("registrations/", lists.registration_list, name="registration_list"),
    path("registrations/<int:pk>/", registrations.registration_detail, name="registration_detail"),
    path(
        "registrations/<int:pk>/decide/",
        registrations.registration_decide,
        name="registration_decide",
    ),
    path(
        "registrations/<int:pk>/resend-link/",
        registrations.registration_resend_link,
        name="registration_resend_link",
    ),
    path(
        "registrations/<int:pk>/notes/", registrations.registration_note, name="registration_note"
    ),
    # A cohort's dashboard, its copy, and its people (office); partner contacts' people.
    path("cohorts/<int:cohort_pk>/dashboard/", cohorts.cohort_dashboard, name="cohort_dashboard"),
    path("cohorts/<int:cohort_pk>/copy/", cohorts.cohort_copy, name="cohort_copy"),
    path(
        "cohorts/<int:cohort_pk>/registrations/",
        lists.cohort_registrations,
        name="cohort_registrations",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/",
        lists.participation_list,
        name="participation_list",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/add/",
        participations.participation_add,
        name="participation_add",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/import/",
        participations.participation_import,
        name="participation_import",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/import/<uuid:job_id>/",
        participations.participation_import_preview,
        name="participation_import_preview",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/send-invitations/",
        participations.participation_send_invitations,
        name="participation_send_invitations",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/export.<str:fmt>",
        participations.participation_export,
        name="participation_export",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/<int:pk>/",
        participations.participation_detail,
        name="participation_detail",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/<int:pk>/edit/",
        participations.participation_edit,
        name="participation_edit",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/<int:pk>/invite-again/",
        participations.participation_invite_again,
        name="participation_invite_again",
    ),
    path("partner/people/", participations.partner_people, name="partner_people"),
    path("partner/offices/", participations.partner_offices, name="partner_offices"),
    # The office's lists: bulk actions on a selection, exports of registrations, prints.
    path("registrations/bulk/", lists.registration_bulk, name="registration_bulk"),
    path("registrations/<int:pk>/print/", lists.registration_print, name="registration_print"),
    path(
        "cohorts/<int:cohort_pk>/registrations/bulk/",
        lists.registration_bulk,
        name="cohort_registration_bulk",
    ),
    path(
        "cohorts/<int:cohort_pk>/registrations/export.<str:fmt>",
        lists.registration_export,
        name="registration_export",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/bulk/",
        lists.participation_bulk,
        name="participation_bulk",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/print/",
        lists.participation_print,
        name="participation_print",
    ),
]
