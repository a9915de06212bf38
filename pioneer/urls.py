from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from pioneer import enrolment, health, views, views_jobs, views_organisations

# The admin signs in through allauth too, so its rate limits and the second factor apply.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path(
        "barrierefreiheit/",
        views.accessibility,
        name="accessibility",
    ),
    path(
        "datenschutz/",
        views.static_page,
        {"template": "pioneer/privacy.html"},
        name="privacy",
    ),
    path(
        "impressum/",
        views.static_page,
        {"template": "pioneer/imprint.html"},
        name="imprint",
    ),
    path(
        "leichte-sprache/",
        views.static_page,
        {"template": "pioneer/easy_language.html"},
        name="easy_language",
    ),
    path("i18n/language/", views.set_language, name="set_language"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("invite/", views.invite, name="invite"),
    path("jobs/<uuid:public_id>/", views_jobs.job_detail, name="job_detail"),
    path("jobs/<uuid:public_id>/download/", views_jobs.job_download, name="job_download"),
    path("organisations/", views_organisations.organisation_list, name="organisation_list"),
    path(
        "organisations/new/",
        views_organisations.organisation_create,
        name="organisation_create",
    ),
    path(
        "organisations/link/",
        views_organisations.organisation_link,
        name="organisation_link",
    ),
    path(
        "organisations/<int:pk>/",
        views_organisations.organisation_detail,
        name="organisation_detail",
    ),
    path(
        "organisations/<int:pk>/edit/",
        views_organisations.organisation_update,
        name="organisation_update",
    ),
    path(
        "organisations/<int:pk>/contacts/",
        views_organisations.organisation_contact_invite,
        name="organisation_contact_invite",
    ),
    # Before allauth's own pages: under /accounts/ so the second-factor guard lets it by.
    path("accounts/2fa/confirm-by-email/", enrolment.confirm, name="mfa_enrol_confirm"),
    path("accounts/", include("allauth.urls")),
    path("health/", health.health, name="health"),
    path("admin/", admin.site.urls),
    path("", include("cohorts.urls")),
    path("", include("tandems.urls")),
    path("", include("companion.urls")),
    path("", include("evaluation.urls")),
    path("", include("blueprints.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.PIONEER_BENCH:
    from pioneer import bench

    urlpatterns.insert(0, path("__bench__/floor/", bench.floor, name="bench_floor"))
