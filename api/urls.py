from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("revoke/", views.revoke, name="revoke"),
]
