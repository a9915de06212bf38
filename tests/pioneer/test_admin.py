"""The technical administration of the core models works for a superuser, and only for staff."""

import pytest

from pioneer.models import Role, User
from tests.factories.core import OrganisationFactory, UserFactory, office_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/pioneer/user/",
        "/admin/pioneer/user/add/",
        "/admin/pioneer/organisation/",
        "/admin/pioneer/role/",
        "/admin/pioneer/barrierreport/",
        "/admin/pioneer/notification/",
    ],
)
def test_admin_pages_render(admin_client, url):
    office_user()
    assert admin_client.get(url).status_code == 200


def test_admin_user_change_page_shows_roles(admin_client):
    user = office_user()
    response = admin_client.get(f"/admin/pioneer/user/{user.pk}/change/")
    assert response.status_code == 200
    assert "roles-TOTAL_FORMS" in response.content.decode()


def test_admin_adds_a_person(admin_client):
    org = OrganisationFactory()
    response = admin_client.post(
        "/admin/pioneer/user/add/",
        {
            "email": "neu@example.org",
            "name": "Neu",
            "language": "en",
            "usable_password": "true",
            "password1": "Tandem-Sommer-2026",
            "password2": "Tandem-Sommer-2026",
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "0",
            "roles-0-kind": "office",
            "roles-0-organisation": str(org.pk),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="neu@example.org")
    assert user.check_password("Tandem-Sommer-2026")
    assert Role.objects.get(user=user).organisation == org


def test_people_without_staff_flag_are_kept_out(client):
    client.force_login(office_user())
    response = client.get("/admin/pioneer/user/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_admin_builds_its_list_of_apps_once_per_request(admin_client, monkeypatch):
    """The index shows the same apps and models as Django's site would, built once, not twice
    (the sidebar's context and the index asked for it separately)."""
    from django.contrib import admin
    from django.contrib.admin import AdminSite

    from pioneer.admin_site import PioneerAdminSite

    assert isinstance(admin.site, PioneerAdminSite)
    builds = []
    original = AdminSite._build_app_dict

    def counted(self, request, label=None):
        builds.append(label)
        return original(self, request, label)

    monkeypatch.setattr(AdminSite, "_build_app_dict", counted)
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert builds == [None]
    shown = [m["object_name"] for app in response.context["app_list"] for m in app["models"]]
    expected = AdminSite.get_app_list(admin.site, response.wsgi_request)
    assert shown == [m["object_name"] for app in expected for m in app["models"]]
    assert "User" in shown and "Organisation" in shown
    assert response.context["available_apps"] is response.context["app_list"]

    builds.clear()
    assert admin_client.get("/admin/pioneer/").status_code == 200
    assert builds.count("pioneer") == 1
