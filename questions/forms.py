from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.forms import ModelMultipleChoiceField
from departments.models import Department, Topic

from . import services
from .models import AgeBand, Question, Sex


class AskForm(forms.ModelForm[Question]):
    title = forms.CharField(
        label=_("Title"),
        min_length=10,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("A short summary of your question")}),
    )
    body = forms.CharField(
        label=_("Your question"),
        min_length=30,
        max_length=5000,
        widget=forms.Textarea(
            attrs={
                "rows": 9,
                "placeholder": _("Describe your symptoms, how long you have had them, and what you want to know."),
            }
        ),
    )
    age_band = forms.ChoiceField(label=_("Age"), choices=[("", _("Choose your age")), *AgeBand.choices])
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("Choose")), *Sex.choices])
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("Not sure: let a moderator choose"),
        label=_("Department"),
    )
    # Set once the asker has been shown which personal details will be masked.
    masking_seen = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Question
        fields = ["title", "body", "age_band", "sex", "pseudonym", "email", "department"]
        help_texts = {
            "pseudonym": _("Shown with your question instead of your name."),
            "email": _("Optional. We only use it to tell you when a doctor has answered."),
        }

    def create_question(self, *, asker: User | None) -> Question:
        """Post the validated question (the site's form and the API both end here)."""
        data = self.cleaned_data
        return services.question_create(
            title=data["title"],
            body=data["body"],
            age_band=data["age_band"],
            sex=data["sex"],
            pseudonym=data["pseudonym"],
            email=data["email"],
            department=data["department"],
            asker=asker,
        )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 12}), min_length=20, max_length=10000
    )
    public_title = forms.CharField(
        label=_("Public title"),
        max_length=150,
        required=False,
        help_text=_("How the question is titled on its public page. Leave empty to keep the asker's title."),
    )
    topics = ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Related FAQ topics"),
    )

    def __init__(self, *args: Any, department: Department | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if department is not None:
            self.fields["topics"].queryset = department.topics.all()  # type: ignore[attr-defined]


class PublicTitleForm(forms.Form):
    public_title = forms.CharField(label=_("Public title"), max_length=150, required=False)


class MoveForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.all(), label=_("Move to department"))


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
