from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ktxh import core
from ktxh.web.datavalues.choices import ValueKind


class VietnameseNumberField(forms.Field):
    """A number typed the Vietnamese way: 14.739,5. Empty is None."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > 40:
            raise forms.ValidationError(_("Số quá dài."), code="number")
        try:
            return core.parse_vi(text)
        except core.NumberFormatError as exc:
            raise forms.ValidationError(str(exc), code="number") from None


class EntryRowForm(forms.Form):
    """One indicator's line of the entry form."""

    code = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    value = VietnameseNumberField(label=_("Giá trị"), required=False)
    kind = forms.ChoiceField(
        label=_("Loại số liệu"),
        choices=[(ValueKind.ESTIMATE, _("Ước")), (ValueKind.FINAL, _("Chính thức"))],
        initial=ValueKind.ESTIMATE,
    )
    comment = forms.CharField(label=_("Ghi chú"), required=False, max_length=500)


EntryFormSet = forms.formset_factory(EntryRowForm, extra=0, max_num=1000, validate_max=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx) đã điền"))
