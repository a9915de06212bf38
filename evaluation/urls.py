from django.urls import path

from evaluation import builder_views, export_views, views

app_name = "evaluation"

urlpatterns = [
    # Programme office: the cohort's surveys tab and the builder.
    path("cohorts/<int:cohort_pk>/surveys/", views.cohort_surveys, name="cohort_surveys"),
    path("cohorts/<int:cohort_pk>/surveys/copy/", views.survey_set_copy, name="survey_set_copy"),
    path("cohorts/<int:cohort_pk>/evaluators/", views.evaluator_assign, name="evaluator_assign"),
    path("surveys/<int:pk>/", builder_views.survey_builder, name="survey_detail"),
    path("surveys/<int:pk>/sections/", builder_views.section_add, name="section_add"),
    path("surveys/<int:pk>/questions/", builder_views.question_add, name="question_add"),
    path("surveys/<int:pk>/invite/", views.survey_invite, name="survey_invite"),
    path("surveys/<int:pk>/remind/", views.survey_remind, name="survey_remind"),
    path("surveys/<int:pk>/close/", views.survey_close, name="survey_close"),
    path("surveys/<int:pk>/preview/", builder_views.survey_preview, name="survey_preview"),
    # The builder's other pages and actions (office and the cohort's assigned evaluators).
    *builder_views.urlpatterns,
    # Office and assigned evaluators: aggregated results only.
    path("evaluation/cohorts/", views.assigned_cohorts, name="assigned"),
    path("surveys/<int:pk>/report/", views.survey_report, name="report"),
    path("surveys/<int:pk>/compare/", views.survey_compare, name="compare"),
    path("surveys/<int:pk>/export.csv", views.survey_export, name="export"),
    path("surveys/<int:pk>/export.xlsx", export_views.survey_export_xlsx, name="export_xlsx"),
    path("surveys/<int:pk>/report.pdf", export_views.survey_report_pdf, name="report_pdf"),
    path("surveys/<int:pk>/publish/", export_views.survey_publish, name="publish"),
    # The respondent's personal link (no sign-in).
    path("s/<str:token>/", views.respond, name="respond"),
]
