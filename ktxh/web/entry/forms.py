from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.functional import cached_property
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


class BaseEntryFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """The rows of one sector. Posted back, only the rows whose fields differ from what the page
    showed become forms (and are checked): a save usually changes a row or two of up to a
    hundred, and a form per row was a third of a save's time. The rows left out are unchanged
    by definition, and are drawn again from the stored values."""

    @cached_property
    def forms(self) -> list[forms.Form]:
        if not self.is_bound:
            return super().forms  # type: ignore[no-any-return]
        shown = self.initial or []
        return [
            self._construct_form(i, **self.get_form_kwargs(i))
            for i in range(self.total_form_count())
            if i >= len(shown) or not self._as_shown(i, shown[i])
        ]

    def _as_shown(self, i: int, initial: dict[str, Any]) -> bool:
        prefix = self.add_prefix(i)
        return all(
            self.data.get(f"{prefix}-{name}", "") == ("" if initial.get(name) is None else str(initial[name]))
            for name in EntryRowForm.base_fields
        )


EntryFormSet = forms.formset_factory(
    EntryRowForm, formset=BaseEntryFormSet, extra=0, max_num=1000, validate_max=True
)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx) đã điền"))
