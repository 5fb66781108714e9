from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=500, required=False)
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), required=False, empty_label=_("All departments"), to_field_name="slug"
    )
