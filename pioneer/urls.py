from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from pioneer import health
from pioneer.views import (
    calendar_feed,
    enrolment,
    jobs,
    notifications,
    organisations,
    pages,
    people,
)

# The admin signs in through allauth too, so its rate limits and the second factor apply.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", pages.landing, name="landing"),
    path("home/", pages.home, name="home"),
    path(
        "barrierefreiheit/",
        pages.accessibility,
        name="accessibility",
    ),
    path(
        "datenschutz/",
        pages.static_page,
        {"template": "pioneer/privacy.html"},
        name="privacy",
    ),
    path(
        "impressum/",
        pages.static_page,
        {"template": "pioneer/imprint.html"},
        name="imprint",
    ),
    path(
        "leichte-sprache/",
        pages.static_page,
        {"template": "pioneer/easy_language.html"},
        name="easy_language",
    ),
    path("i18n/language/", pages.set_language, name="set_language"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notifications_read_all",
    ),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path("invite/", people.invite, name="invite"),
    path("calendar/", calendar_feed.feed_settings, name="calendar_feed_settings"),
    path("calendar/link/", calendar_feed.feed_make, name="calendar_feed_make"),
    path("calendar/link/revoke/", calendar_feed.feed_revoke, name="calendar_feed_revoke"),
    # The feed itself: no session, the secret in the address is the key.
    path("calendar/<str:token>.ics", calendar_feed.feed, name="calendar_feed"),
    path("jobs/<uuid:public_id>/", jobs.job_detail, name="job_detail"),
    path("jobs/<uuid:public_id>/download/", jobs.job_download, name="job_download"),
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path(
        "organisations/new/",
        organisations.organisation_create,
        name="organisation_create",
    ),
    path(
        "organisations/link/",
        organisations.organisation_link,
        name="organisation_link",
    ),
    path(
        "organisations/<int:pk>/",
        organisations.organisation_detail,
        name="organisation_detail",
    ),
    path(
        "organisations/<int:pk>/edit/",
        organisations.organisation_update,
        name="organisation_update",
    ),
    path(
        "organisations/<int:pk>/contacts/",
        organisations.organisation_contact_invite,
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
    from django.conf.urls.static import static  # only the development server serves media

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.PIONEER_BENCH:
    from pioneer import bench  # the benchmark's floor page exists only when it runs

    urlpatterns.insert(0, path("__bench__/floor/", bench.floor, name="bench_floor"))
