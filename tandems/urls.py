from django.urls import path

from tandems import views

app_name = "tandems"

urlpatterns = [
    # Programme office: the board (a tab of the cohort page), a tandem, the matching.
    path("cohorts/<int:cohort_pk>/tandems/", views.board, name="board"),
    path("cohorts/<int:cohort_pk>/tandems/<int:pk>/", views.tandem_detail, name="detail"),
    path("cohorts/<int:cohort_pk>/tandems/<int:pk>/end/", views.tandem_end, name="end"),
    path("cohorts/<int:cohort_pk>/tandems/<int:pk>/dates/", views.tandem_dates, name="dates"),
    path("cohorts/<int:cohort_pk>/tandems/<int:pk>/swap/", views.tandem_swap, name="swap"),
    path(
        "cohorts/<int:cohort_pk>/tandems/<int:pk>/milestones/<int:milestone_pk>/",
        views.milestone_done,
        name="milestone_done",
    ),
    path("cohorts/<int:cohort_pk>/matching/", views.matching_page, name="matching"),
    path("cohorts/<int:cohort_pk>/matching/pair/", views.matching_pair, name="pair"),
    # Participants: their own tandem and their preferences.
    path("tandem/", views.my_tandem, name="mine"),
    path("tandem/<int:pk>/confirm/", views.tandem_confirm, name="confirm"),
    path("tandem/preferences/<int:cohort_pk>/", views.preferences, name="preferences"),
]
