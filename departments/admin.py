from django.contrib import admin

from .models import Department, Topic


class TopicInline(admin.TabularInline[Topic, Department]):
    model = Topic
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("slug", "name_en", "name_zh_hant", "position")
    search_fields = ("slug", "name_en", "name_zh_hant")
    inlines = [TopicInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin[Topic]):
    list_display = ("slug", "name_en", "name_zh_hant", "department")
    list_filter = ("department",)
    search_fields = ("slug", "name_en", "name_zh_hant")
