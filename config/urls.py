from django.contrib import admin
from django.urls import include, path

from questions import views as question_views

urlpatterns = [
    path("", question_views.home, name="home"),
    path("", include("questions.urls")),
    path("", include("accounts.urls")),
    path("departments/", include("departments.urls")),
    path("search/", include("search.urls")),
    path("triage/", include("triage.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
