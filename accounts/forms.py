from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from config.forms import ModelMultipleChoiceField
from departments.models import Department

from .models import DoctorProfile, User


class SignupForm(UserCreationForm[User]):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class DoctorSignupForm(forms.ModelForm[DoctorProfile]):
    departments = ModelMultipleChoiceField(
        queryset=Department.objects.all(), widget=forms.CheckboxSelectMultiple, label=_("Departments")
    )

    class Meta:
        model = DoctorProfile
        fields = ["name", "title", "hospital", "licence_number", "departments", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
