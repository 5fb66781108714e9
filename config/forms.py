"""Form fields the apps share."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model

LARGEST_KEY = 2**63 - 1  # the largest integer primary key SQLite and PostgreSQL can hold
M = TypeVar("M", bound=Model)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField[M]):
    """Django's field, refusing a key outside the databases' integer range as an invalid choice.

    Django passes the posted keys to an IN query unchecked, and SQLite raises OverflowError on a number it
    cannot store: a hand-made post got a server error instead of the form's message (found by the fuzz test).
    """

    def clean(self, value: Any) -> Any:
        if self.to_field_name is None and isinstance(value, list | tuple):
            for key in value:
                try:
                    out_of_range = abs(int(key)) > LARGEST_KEY
                except (TypeError, ValueError):
                    continue  # not a number: Django's own check refuses it
                if out_of_range:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": key}
                    )
        return super().clean(value)
