import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.text import query_terms

register = template.Library()


@register.filter
def highlight(text: str, query: str) -> SafeString:
    """Escape `text` and wrap the words of `query` in <mark>."""
    escaped = escape(text)
    terms = sorted({escape(t) for t in query_terms(query or "")}, key=len, reverse=True)
    if not terms:
        return mark_safe(escaped)
    pattern = re.compile("(" + "|".join(re.escape(t) for t in terms) + ")", re.IGNORECASE)
    return mark_safe(pattern.sub(r"<mark>\1</mark>", escaped))
