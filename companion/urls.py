from django.urls import path

from companion import views

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
]
