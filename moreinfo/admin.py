from django.contrib import admin
from django.http import HttpRequest

from .models import MoreInfo, ReferenceArticle


@admin.register(ReferenceArticle)
class ReferenceArticleAdmin(admin.ModelAdmin[ReferenceArticle]):
    list_display = ("id", "question", "source", "publisher", "question_type", "withdrawn_at")
    list_filter = ("source", "question_type")
    search_fields = ("title", "question", "external_id")
    readonly_fields = ("content_hash", "imported_at", "changed_at", "withdrawn_at")

    def has_delete_permission(self, request: HttpRequest, obj: ReferenceArticle | None = None) -> bool:
        # Pages cite articles; `import_reference --prune` withdraws them so those pages are updated.
        return False


@admin.register(MoreInfo)
class MoreInfoAdmin(admin.ModelAdmin[MoreInfo]):
    list_display = ("question", "status", "generator", "drafted_at", "reviewed_by", "reviewed_at")
    list_filter = ("status", "generator")
    raw_id_fields = ("question", "draft_reply", "public_reply", "reviewed_by")
    readonly_fields = ("related", "public", "shown_articles")
