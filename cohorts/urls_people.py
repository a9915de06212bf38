"""Addresses of a cohort's people, its dashboard and its copy (included by cohorts.urls)."""

from django.urls import path

from cohorts import views_people as views

urlpatterns = [
    path("cohorts/<int:cohort_pk>/dashboard/", views.cohort_dashboard, name="cohort_dashboard"),
    path("cohorts/<int:cohort_pk>/copy/", views.cohort_copy, name="cohort_copy"),
    path(
        "cohorts/<int:cohort_pk>/participants/",
        views.participation_list,
        name="participation_list",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/add/",
        views.participation_add,
        name="participation_add",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/import/",
        views.participation_import,
        name="participation_import",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/import/<uuid:job_id>/",
        views.participation_import_preview,
        name="participation_import_preview",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/send-invitations/",
        views.participation_send_invitations,
        name="participation_send_invitations",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/export.<str:fmt>",
        views.participation_export,
        name="participation_export",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/<int:pk>/",
        views.participation_detail,
        name="participation_detail",
    ),
    path(
        "cohorts/<int:cohort_pk>/participants/<int:pk>/edit/",
        views.participation_edit,
        name="participation_edit",
    ),
    path("partner/people/", views.partner_people, name="partner_people"),
]
