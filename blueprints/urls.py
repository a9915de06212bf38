from django.urls import path

from blueprints import adopt_views, views

app_name = "blueprints"

urlpatterns = [
    # Public: the library (what a visitor may not see answers 404).
    path("blueprints/", views.blueprint_list, name="list"),
    path("blueprints/categories/", views.blueprint_categories, name="categories"),
    # For data portals: the public blueprints as DCAT-AP.de (JSON-LD).
    path("blueprints/catalogue.jsonld", views.catalogue, name="catalogue"),
    # Programme office: a new blueprint (before <slug> so "new" is no blueprint).
    path("blueprints/new/", views.blueprint_create, name="create"),
    # Signed in: a PDF of one or several blueprints (a job).
    path("blueprints/handbook/", views.handbook_start, name="handbook"),
    # Programme office of another organisation: adopt a programme and its blueprints.
    path("blueprints/adopt/<slug:slug>/", adopt_views.adopt, name="adopt"),
    path("blueprints/adoptions/<int:pk>/", adopt_views.adoption_detail, name="adoption"),
    path("blueprints/<slug:slug>/", views.blueprint_detail, name="detail"),
    path(
        "blueprints/<slug:slug>/files/<int:file_id>/download/",
        views.file_download,
        name="file_download",
    ),
    path(
        "blueprints/<slug:slug>/versions/<int:version_id>/download/",
        views.version_download,
        name="version_download",
    ),
    # Programme office of the publishing organisation.
    path("blueprints/<slug:slug>/edit/", views.blueprint_edit, name="edit"),
    path("blueprints/<slug:slug>/files/new/", views.file_add, name="file_add"),
    path(
        "blueprints/<slug:slug>/files/<int:file_id>/versions/new/",
        views.version_add,
        name="version_add",
    ),
    path("blueprints/<slug:slug>/publish/", views.blueprint_publish, name="publish"),
    path("blueprints/<slug:slug>/withdraw/", views.blueprint_withdraw, name="withdraw"),
]
