from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_TEXT


class SectionForm(forms.Form):
    """A section's text, and the version it was based on (to catch a save made meanwhile)."""

    text = forms.CharField(
        label=_("Nội dung mục"),
        required=False,
        strip=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true", "lang": "vi"}),
        help_text=_(
            "Mỗi đoạn cách nhau một dòng trống. Giữ nguyên các lời gọi số liệu {{ … }}: "
            "chúng được thay bằng số liệu hiện hành khi xem trước và khi tạo báo cáo. "
            "Nội dung chú thích viết ở cuối, mỗi chú thích một đoạn «[^tên]: nội dung», "
            "và dẫn trong câu bằng {{ fn('tên') }}."
        ),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class RestoreForm(forms.Form):
    version = forms.IntegerField(min_value=0)
    base_version = forms.IntegerField(min_value=0)


class CompareForm(forms.Form):
    a = forms.IntegerField(label=_("Từ phiên bản"), min_value=0)
    b = forms.IntegerField(label=_("Đến phiên bản"), min_value=0)
