from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import Action


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        queryset=User.objects.filter(audit_entries__isnull=False).distinct().order_by("username"),
        required=False,
        empty_label=_("Everyone"),
        label=_("Person"),
    )
    action = forms.ChoiceField(choices=[("", _("All actions")), *Action.choices], required=False, label=_("Action"))
