"""Tags for search engines and link previews: canonical address, JSON-LD."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from questions import structured_data
from questions.models import Question, Reply

register = template.Library()

# The characters that could end the <script> element or start a comment in it, as JSON escapes
# (the same set Django's json_script escapes), so the data stays valid JSON and inert HTML.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

# Query parameters that make a different page worth its own canonical address (pages of a list).
_CANONICAL_PARAMETERS = ("page",)


@register.simple_tag(takes_context=True)
def canonical_url(context: template.Context) -> str:
    """This page's address on SITE_URL, without query parameters except the page number of a list."""
    request = context.get("request")
    if request is None:
        return settings.SITE_URL + "/"
    kept = [(name, request.GET[name]) for name in _CANONICAL_PARAMETERS if request.GET.get(name, "") not in ("", "1")]
    return settings.SITE_URL + request.path + (f"?{urlencode(kept)}" if kept else "")


def json_ld_script(data: Any) -> SafeString:
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return format_html('<script type="application/ld+json">{}</script>', SafeString(text.translate(_SCRIPT_ESCAPES)))


@register.simple_tag
def question_json_ld(question: Question, reply: Reply | None, more_info: object | None = None) -> SafeString:
    """The question page's schema.org items, one <script type="application/ld+json"> each."""
    items = structured_data.question_page(question=question, reply=reply, more_info=more_info or None)
    return SafeString("\n".join(json_ld_script(item) for item in items))
