from django.contrib import admin

from .models import Question, Reply


class ReplyInline(admin.StackedInline[Reply, Question]):
    model = Reply
    extra = 0
    raw_id_fields = ("doctor",)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin[Question]):
    list_display = ("id", "title", "department", "status", "created_at", "published_at", "hidden_at")
    list_filter = ("status", "department")
    search_fields = ("title", "public_title", "body", "pseudonym")
    raw_id_fields = ("asker", "claimed_by")
    filter_horizontal = ("topics",)
    inlines = [ReplyInline]
