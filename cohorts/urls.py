from django.urls import include, path

from cohorts import views

app_name = "cohorts"

urlpatterns = [
    # Public: registration of interest (no login).
    path("interest/", views.interest, name="interest"),
    path("interest/sent/", views.interest_sent, name="interest_sent"),
    path("interest/confirm/<str:token>/", views.interest_confirm, name="interest_confirm"),
    # Programme office: programmes and cohorts.
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<slug:slug>/", views.programme_detail, name="programme_detail"),
    path("programmes/<slug:slug>/edit/", views.programme_update, name="programme_update"),
    path("programmes/<slug:slug>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/edit/", views.cohort_update, name="cohort_update"),
    path("cohorts/<int:pk>/stage/", views.cohort_transition, name="cohort_transition"),
    # Review queue (office) and own registrations (partner contacts).
    path("registrations/", views.registration_list, name="registration_list"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration_detail"),
    path("registrations/<int:pk>/accept/", views.registration_accept, name="registration_accept"),
    path(
        "registrations/<int:pk>/decline/",
        views.registration_decline,
        name="registration_decline",
    ),
    path("registrations/<int:pk>/notes/", views.registration_note, name="registration_note"),
    # People, dashboard, copy (cohorts/views_people.py).
    path("", include("cohorts.urls_people")),
]
