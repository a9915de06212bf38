from django.urls import path

from evaluation import views

app_name = "evaluation"

urlpatterns = [
    # Programme office: the cohort's surveys tab and the builder.
    path("cohorts/<int:cohort_pk>/surveys/", views.cohort_surveys, name="cohort_surveys"),
    path("cohorts/<int:cohort_pk>/surveys/copy/", views.survey_set_copy, name="survey_set_copy"),
    path("cohorts/<int:cohort_pk>/evaluators/", views.evaluator_assign, name="evaluator_assign"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/sections/", views.section_add, name="section_add"),
    path("surveys/<int:pk>/questions/", views.question_add, name="question_add"),
    path("surveys/<int:pk>/invite/", views.survey_invite, name="survey_invite"),
    path("surveys/<int:pk>/remind/", views.survey_remind, name="survey_remind"),
    path("surveys/<int:pk>/close/", views.survey_close, name="survey_close"),
    path("surveys/<int:pk>/preview/", views.survey_preview, name="survey_preview"),
    # Office and assigned evaluators: aggregated results only.
    path("surveys/<int:pk>/report/", views.survey_report, name="report"),
    path("surveys/<int:pk>/compare/", views.survey_compare, name="compare"),
    path("surveys/<int:pk>/export.csv", views.survey_export, name="export"),
    # The respondent's personal link (no sign-in).
    path("s/<str:token>/", views.respond, name="respond"),
]
