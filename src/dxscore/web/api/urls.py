"""``/api/``: the token pages of the site and the JSON API itself (``/api/v1/``)."""

from django.urls import path

from dxscore.web.api import views
from dxscore.web.api.main import api

urlpatterns = [
    path("tokens/", views.token_list, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
    path("v1/", api.urls),
]
