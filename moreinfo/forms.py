from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DraftSentence


class DraftEditForm(forms.Form):
    """One text box and one "Remove" box per draft sentence. Citations are not fields: they cannot be edited."""

    def __init__(self, *args: Any, sentences: Sequence[DraftSentence], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sentences = list(sentences)
        for sentence in self.sentences:
            self.fields[f"text-{sentence.pk}"] = forms.CharField(
                label=_("Sentence"),
                initial=sentence.text,
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"remove-{sentence.pk}"] = forms.BooleanField(label=_("Remove"), required=False)

    def texts(self) -> dict[int, str]:
        """New texts of the sentences the form sent (a sentence missing from the request keeps its text)."""
        sent = [s for s in self.sentences if self.add_prefix(f"text-{s.pk}") in self.data]
        return {s.pk: self.cleaned_data[f"text-{s.pk}"] for s in sent}

    def removed(self) -> set[int]:
        return {s.pk for s in self.sentences if self.cleaned_data[f"remove-{s.pk}"]}

    def rows(self) -> list[tuple[DraftSentence, forms.BoundField, forms.BoundField]]:
        return [(s, self[f"text-{s.pk}"], self[f"remove-{s.pk}"]) for s in self.sentences]
