from django.urls import path

from tandems import agreement_views, journal_views, views

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
    # Hospitation agreements (tandems.agreement_views).
    path("tandem/agreements/<int:pk>/", agreement_views.agreement, name="agreement"),
    path("tandem/agreements/<int:pk>/edit/", agreement_views.agreement_edit, name="agreement_edit"),
    path(
        "tandem/agreements/<int:pk>/paper/", agreement_views.agreement_paper, name="agreement_paper"
    ),
    path(
        "tandem/agreements/<int:pk>/invite/",
        agreement_views.agreement_invite,
        name="agreement_invite",
    ),
    path(
        "tandem/agreements/documents/<int:pk>/",
        agreement_views.agreement_document,
        name="agreement_document",
    ),
    path("agreement/<str:token>/", agreement_views.agreement_link, name="agreement_link"),
    path(
        "tandem/programmes/<int:programme_pk>/agreement-text/",
        agreement_views.agreement_template,
        name="agreement_template",
    ),
    path("tandem/partner/", agreement_views.partner_tandems, name="partner"),
    # The learning journal: the author's own pages, the partner's read-only view of what
    # was shared with them, and the office's page of a tandem's entries shared with it.
    path("tandem/journal/", journal_views.journal, name="journal"),
    path("tandem/journal/new/", journal_views.journal_entry_create, name="journal_new"),
    path("tandem/journal/<int:pk>/edit/", journal_views.journal_entry_edit, name="journal_edit"),
    path(
        "tandem/journal/<int:pk>/delete/",
        journal_views.journal_entry_delete,
        name="journal_delete",
    ),
    path("tandem/journal/export/", journal_views.journal_export, name="journal_export"),
    path("tandem/journal/shared/", journal_views.journal_shared, name="journal_shared"),
    path(
        "cohorts/<int:cohort_pk>/tandems/<int:pk>/journal/",
        journal_views.office_journal,
        name="office_journal",
    ),
]
