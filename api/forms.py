"""The site's forms, taking departments and topics by slug as the API does, so both check the same rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import ModelMultipleChoiceField
from departments.models import Department, Topic
from questions.forms import AskForm, ReplyForm


class ApiAskForm(AskForm):
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), required=False, to_field_name="slug", label=_("Department")
    )


class ApiReplyForm(ReplyForm):
    topics = ModelMultipleChoiceField(
        queryset=Topic.objects.none(), required=False, to_field_name="slug", label=_("Related FAQ topics")
    )


class DepartmentFilterForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.all(), required=False, to_field_name="slug")


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What the token is for, e.g. the program that will use it."),
    )
