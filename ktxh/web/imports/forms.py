from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

DEFAULT_YEAR = 2023


class UploadForm(forms.Form):
    """A past report to read, and the unit and year its figures belong to."""

    # a plain field with a select: a unit outside the user's list is a 403, not a form error
    unit = forms.CharField(label=_("Đơn vị báo cáo"), max_length=20, widget=forms.Select)
    year = forms.IntegerField(label=_("Năm báo cáo"), min_value=1990, max_value=2100, initial=DEFAULT_YEAR)
    file = forms.FileField(
        label=_("Tệp báo cáo (.txt, .docx hoặc .pdf)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx,.pdf,text/plain,application/pdf"}),
    )

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = units


class FactForm(forms.Form):
    """One fact's review: accept, reject, undecide, map to another indicator, or "không nhập"."""

    op = forms.ChoiceField(
        choices=[
            ("accept", "accept"),
            ("reject", "reject"),
            ("reset", "reset"),
            ("map", "map"),
            ("none", "none"),
        ]
    )
    # a code from the list; "CODE — name" as the list shows it is taken too
    indicator = forms.CharField(required=False, max_length=400)

    def clean_indicator(self) -> str:
        text = (self.cleaned_data.get("indicator") or "").strip()
        return text.split()[0] if text else ""
