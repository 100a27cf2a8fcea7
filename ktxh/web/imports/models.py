"""An import of a past report: the uploaded file, the reading job's progress, and the facts
found in it awaiting review."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ktxh.web.datavalues.models import AMOUNT, SourceDocument
from ktxh.web.orgunits.models import OrgUnit


class JobState(models.TextChoices):
    QUEUED = "queued", _("đang chờ")
    READING = "reading", _("đang đọc tệp")
    EXTRACTING = "extracting", _("đang tìm số liệu")
    REVIEW = "review", _("chờ rà soát")
    DONE = "done", _("đã nhập")
    FAILED = "failed", _("lỗi")


RUNNING_STATES = (JobState.QUEUED, JobState.READING, JobState.EXTRACTING)


class Decision(models.TextChoices):
    PENDING = "", _("chưa xét")
    ACCEPTED = "accepted", _("nhận")
    REJECTED = "rejected", _("loại")


class ImportJob(models.Model):
    """One uploaded report for one unit and year: read in the background, then reviewed.

    ``done``/``total`` and ``message`` are the progress shown while the file is read
    ("Đang đọc trang 3/12…"); ``message`` holds the reason when the job failed.
    ``document`` is the reader's text model (paragraphs, pages, line spans) as JSON, kept so
    the import can be run again from the reviewed facts without reading the file again;
    ``text`` is the text kept as the source, whose lines the facts name.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("người tải"))
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, verbose_name=_("đơn vị"))
    year = models.PositiveSmallIntegerField(_("năm"))
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    stored_name = models.CharField(_("tên tệp lưu"), max_length=80, unique=True)
    size = models.PositiveIntegerField(_("kích thước (byte)"))
    file_kind = models.CharField(_("loại tệp"), max_length=10)
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=JobState.choices, default=JobState.QUEUED
    )
    done = models.PositiveIntegerField(_("đã xong"), default=0)
    total = models.PositiveIntegerField(_("tổng"), default=0)
    message = models.TextField(_("thông báo"), blank=True)
    document = models.JSONField(_("mô hình văn bản"), null=True, blank=True)
    text = models.TextField(_("nội dung"), blank=True)
    doc_format = models.CharField(_("định dạng đọc được"), max_length=10, blank=True)
    pages = models.PositiveIntegerField(_("số trang"), default=0)
    findings = models.JSONField(_("phát hiện của bộ kiểm tra"), default=list, blank=True)
    result = models.JSONField(_("kết quả nhập"), null=True, blank=True)
    source_document = models.ForeignKey(
        SourceDocument, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("tài liệu nguồn")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("lượt nhập báo cáo")
        verbose_name_plural = _("lượt nhập báo cáo")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} → {self.org_unit_id} {self.year}"

    @property
    def running(self) -> bool:
        return self.state in RUNNING_STATES

    @property
    def percent(self) -> int:
        if self.state in (JobState.REVIEW, JobState.DONE):
            return 100
        return min(100, round(100 * self.done / self.total)) if self.total else 0

    def progress_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
            "message": self.message,
            "finished": not self.running,
        }


class ImportFact(models.Model):
    """One quantity found in the report, with the reviewer's mapping and decision.

    ``proposed``/``confidence`` are the extractor's mapping; ``indicator`` is the one that
    will be used (blank: "không nhập"). ``extra`` keeps the rest of the extracted fact
    (qualifier, period, org unit, group, offsets …) so the importer sees it whole.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="facts")
    n = models.PositiveIntegerField(_("thứ tự"))
    line = models.PositiveIntegerField(_("dòng"))
    page = models.PositiveIntegerField(_("trang"), null=True, blank=True)
    quote = models.CharField(_("trích dẫn"), max_length=400)
    value = models.DecimalField(_("giá trị"), **AMOUNT)
    unit = models.CharField(_("đơn vị"), max_length=60, blank=True)
    role = models.CharField(_("vai trò"), max_length=20)
    subject = models.CharField(_("chủ thể"), max_length=400, blank=True)
    proposed = models.CharField(_("chỉ tiêu đề xuất"), max_length=60, blank=True)
    confidence = models.FloatField(_("độ tin cậy"), default=0.0)
    indicator = models.CharField(_("chỉ tiêu"), max_length=60, blank=True)
    decision = models.CharField(
        _("quyết định"), max_length=10, choices=Decision.choices, blank=True, default=Decision.PENDING
    )
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("số liệu tìm thấy")
        verbose_name_plural = _("số liệu tìm thấy")
        ordering = ["job", "n"]
        constraints = [models.UniqueConstraint(fields=["job", "n"], name="importfact_job_n_uniq")]

    def __str__(self) -> str:
        return f"{self.line}: {self.value} {self.unit}"

    @property
    def corrected(self) -> bool:
        return self.indicator != self.proposed
