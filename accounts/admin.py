from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import DoctorProfile, User


@admin.register(User)
class MedAnswersUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("MedAnswers", {"fields": ("is_moderator",)}))
    list_display = ("username", "email", "is_moderator", "is_staff")
    list_filter = ("is_moderator", "is_staff", "is_superuser")


@admin.register(DoctorProfile)
class DoctorProfileAdmin(admin.ModelAdmin[DoctorProfile]):
    list_display = ("name", "hospital", "licence_number", "verified_at")
    list_filter = ("departments",)
    search_fields = ("name", "hospital", "licence_number", "user__username")
    filter_horizontal = ("departments",)
    raw_id_fields = ("user", "verified_by")
