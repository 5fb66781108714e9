from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from django.views.i18n import set_language

from api.api import api
from questions import seo_views
from questions import views as question_views
from questions.feeds import DepartmentAnswersFeed, LatestAnswersFeed
from questions.sitemaps import SITEMAPS

urlpatterns = [
    path("", question_views.home, name="home"),
    path("robots.txt", seo_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", seo_views.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("feeds/answers/", LatestAnswersFeed(), name="answers_feed"),
    path("departments/<slug:slug>/feed/", DepartmentAnswersFeed(), name="department_feed"),
    path("", include("questions.urls")),
    path("", include("accounts.urls")),
    path("departments/", include("departments.urls")),
    path("search/", include("search.urls")),
    path("", include("moreinfo.urls")),
    path("triage/", include("triage.urls")),
    # ninja's own root answers 404; the address of the API leads to its documentation instead.
    path("api/", RedirectView.as_view(pattern_name="api:openapi-view"), name="api_root"),
    path("api/", api.urls),
    path("doctor/api-tokens/", include("api.urls")),
    path("operations/", include("operations.urls")),
    path("operations/audit/", include("audit.urls")),
    # Without a CSRF token, so public pages hold nothing per visitor and can be cached whole. A forged
    # post could only switch a visitor's language, and `next` is still checked against our host.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

# An outage noticed outside a view (a middleware saving the session) still gets the 503 page.
handler500 = "config.unavailable.server_error"
