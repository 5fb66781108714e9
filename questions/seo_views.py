"""robots.txt and the sitemap index, with addresses on SITE_URL."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps.views import SitemapIndexItem as _SitemapIndexItem
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from .sitemaps import SITEMAPS
from .structured_data import absolute_url

# django-stubs types the item's lastmod as a bool; Django's template reads a datetime from it.
SitemapIndexItem: Any = _SitemapIndexItem

# Pages with nothing for a search engine: private links, personal and staff pages, forms that post,
# the live helpers of the ask form, and the API (its data is on the public pages already).
ROBOTS_DISALLOW = [
    "/admin/",
    "/accounts/",
    "/api/",
    "/doctor/",
    "/i18n/",
    "/moderate/",
    "/my/",
    "/operations/",
    "/q/",
    "/search/",
    "/triage/",
]


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "Allow: /", ""]
    lines.append(f"Sitemap: {absolute_url(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def sitemap_index(request: HttpRequest) -> TemplateResponse:
    """Django's index view takes its host from the request; this one lists the same pages on SITE_URL."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        url = absolute_url(reverse("sitemap_section", kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        entries.append(SitemapIndexItem(url, lastmod))
        entries.extend(
            SitemapIndexItem(f"{url}?p={page}", lastmod) for page in range(2, sitemap.paginator.num_pages + 1)
        )
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")
