from django.urls import path

from companion import certificate_views, network_views, views

app_name = "companion"

urlpatterns = [
    # Programme office: the planner (a tab of the cohort page), events, attendance.
    path("cohorts/<int:cohort_pk>/events/", views.planner, name="planner"),
    path("cohorts/<int:cohort_pk>/events/new/", views.event_create, name="event_create"),
    path("cohorts/<int:cohort_pk>/series/new/", views.series_create, name="series_create"),
    path(
        "cohorts/<int:cohort_pk>/events/attendance.csv",
        views.attendance_csv,
        name="attendance_csv",
    ),
    path(
        "cohorts/<int:cohort_pk>/events/attendance-xlsx/",
        views.attendance_xlsx,
        name="attendance_xlsx",
    ),
    path("events/<int:pk>/edit/", views.event_update, name="event_update"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("events/<int:pk>/attendance/add/", views.attendance_add, name="attendance_add"),
    path(
        "events/<int:pk>/attendance/<int:registration_pk>/",
        views.attendance_mark,
        name="attendance_mark",
    ),
    path(
        "events/<int:pk>/attendance/<int:registration_pk>/remove/",
        views.attendance_remove,
        name="attendance_remove",
    ),
    # Participants (and the office and partner contacts where they may see an event).
    path("events/", views.my_events, name="my_events"),
    path("events/partner/", views.partner_registrations, name="partner_registrations"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/calendar.ics", views.event_ics, name="event_ics"),
    path("events/<int:pk>/register/", views.event_register, name="event_register"),
    path("events/<int:pk>/unregister/", views.event_unregister, name="event_unregister"),
    path("series/<int:pk>/", views.series_detail, name="series_detail"),
    path("series/<int:pk>/register/", views.series_register, name="series_register"),
    # Participation certificates: the office's tab, one's own, the public check.
    path(
        "cohorts/<int:cohort_pk>/certificates/",
        certificate_views.certificates_page,
        name="certificates",
    ),
    path(
        "cohorts/<int:cohort_pk>/certificates/make/",
        certificate_views.certificates_make,
        name="certificates_make",
    ),
    path("certificates/", certificate_views.my_certificates, name="my_certificates"),
    path(
        "certificates/<int:pk>/download/",
        certificate_views.certificate_download,
        name="certificate_download",
    ),
    path("certificates/check/", certificate_views.certificate_verify, name="certificate_verify"),
    # The network of pioneers.
    path("network/", network_views.directory, name="network"),
    path("network/join/", network_views.join, name="network_join"),
    path("network/leave/", network_views.leave, name="network_leave"),
]
