from django.urls import path

from blueprints import views

app_name = "blueprints"

urlpatterns = [
    # Public: the library.
    path("blueprints/", views.blueprint_list, name="list"),
    path("blueprints/<slug:slug>/", views.blueprint_detail, name="detail"),
    # Programme office of the publishing organisation.
    path("blueprints/<slug:slug>/publish/", views.blueprint_publish, name="publish"),
    path("blueprints/<slug:slug>/withdraw/", views.blueprint_withdraw, name="withdraw"),
]
