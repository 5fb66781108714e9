from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.text import query_terms, terms_pattern

register = template.Library()


@register.filter
def highlight(text: str, query: str) -> SafeString:
    """Escape `text` and wrap the words of `query` in <mark> where a word starts with them."""
    escaped = escape(text)
    pattern = terms_pattern(query_terms(query or ""))  # terms are letters and digits: escaping keeps them
    return mark_safe(pattern.sub(r"<mark>\1</mark>", escaped) if pattern else escaped)
