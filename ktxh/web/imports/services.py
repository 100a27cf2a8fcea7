"""Import a past report through review: upload, read in the background, review, import.

The steps, each a keyword-only function:

1. :func:`job_create` checks the upload (size, kind sniffed from its bytes), saves it under
   ``KTXH_HOME/uploads`` with a generated name and records an :class:`ImportJob`;
2. :func:`job_start` runs :func:`job_run` in a background thread (or at once, with the setting
   ``KTXH_IMPORT_SYNC`` or ``synchronous=True``, as the tests do): read (OCR page by page),
   extract, check, and store the facts for review, reporting progress on the job row;
3. :func:`fact_review` / :func:`facts_accept_mapped` record the reviewer's mapping and decisions;
4. :func:`job_import` hands the accepted facts to ``importer.import_facts``: a dry run first,
   then the real import in one transaction, with audit rows of source "import".

Errors (messages in Vietnamese): :class:`UploadRefused` for a file refused before it is
stored; :class:`ReviewError` for a review or import that cannot go on (a locked period, the
job already imported …). A job that fails while reading ends in state ``failed`` with the
reason as its message.
"""

from __future__ import annotations

import logging
import threading
import time
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ktxh import core
from ktxh.extract.model import Document, Fact, FootnoteRef, Kind, Paragraph, ReadError
from ktxh.web.datavalues import importer
from ktxh.web.datavalues.models import SourceDocument
from ktxh.web.datavalues.selectors import stored_catalog
from ktxh.web.orgunits.models import OrgUnit

from .models import Decision, ImportFact, ImportJob, JobState

log = logging.getLogger(__name__)

# file kinds (ktxh.extract.readers.sniff) taken, and the extension of the stored copy
ACCEPTED_KINDS = {"txt": "txt", "zip": "docx", "pdf": "pdf"}
# roles that become a value (or a stated figure) when mapped; "accept all mapped" takes these
IMPORTABLE_ROLES = frozenset(
    {"value", "part", "plan", "target", "prior", "share", "pct_plan", "pct_budget", "pct_change", "pp_change"}
)
# a running job whose row has not moved for this long has lost its thread (server restart)
STALE_AFTER = timedelta(minutes=5)
_EXTRA_FIELDS = (
    "qualifier",
    "period",
    "org_unit",
    "compared_to",
    "decimals",
    "paragraph",
    "start",
    "end",
    "group",
    "footnote",
)


class UploadRefused(core.KtxhError):
    """The uploaded file is refused before anything is stored (message in Vietnamese)."""


class ReviewError(core.KtxhError):
    """A review step or the import cannot go on (message in Vietnamese; nothing stored)."""


# -- upload ------------------------------------------------------------------------------------


def upload_dir() -> Path:
    path = Path(settings.HOME) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _display_name(name: str) -> str:
    """The user's file name, for display only: no folders, no control characters, NFC."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable())
    return base.strip()[:200] or "tep-tai-len"


def job_create(*, user: Any, org_unit: OrgUnit, year: int, upload: Any) -> ImportJob:
    """Check and store an uploaded report; the job is queued, not started."""
    from ktxh.extract.readers import sniff
    from ktxh.extract.readers._decode import decode_text

    name = _display_name(getattr(upload, "name", "") or "")
    limit = int(settings.KTXH_MAX_UPLOAD_BYTES)
    size = int(upload.size or 0)
    if size == 0:
        raise UploadRefused(_("Tệp «{name}» rỗng (0 byte), không có nội dung để đọc.").format(name=name))
    if size > limit:
        raise UploadRefused(
            _("Tệp «{name}» quá lớn ({size} MB); giới hạn là {limit} MB.").format(
                name=name, size=core.format_vi(Decimal(size) / 2**20, 1), limit=core.format_vi(limit // 2**20)
            )
        )
    upload.seek(0)
    head = upload.read(4096)
    kind = sniff(head)
    if kind == "ole":
        raise UploadRefused(
            _(
                "Tệp «{name}» là tài liệu Word cũ (.doc) hoặc tệp Word có mật khẩu. "
                "Hãy mở bằng Word/LibreOffice, bỏ mật khẩu nếu có, rồi lưu lại dưới dạng .docx."
            ).format(name=name)
        )
    if kind not in ACCEPTED_KINDS:
        raise UploadRefused(
            _(
                "Tệp «{name}» không phải .txt, .docx hoặc .pdf; hãy lưu lại dưới một trong các dạng đó."
            ).format(name=name)
        )
    stored = f"{uuid.uuid4().hex}.{ACCEPTED_KINDS[kind]}"
    path = upload_dir() / stored
    with path.open("xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    if kind == "txt":
        # binary junk or an undecodable text is refused now, not after a wait
        try:
            decode_text(path.read_bytes(), name)
        except ReadError as exc:
            path.unlink(missing_ok=True)
            raise UploadRefused(str(exc)) from None
    return ImportJob.objects.create(
        user=user,
        org_unit=org_unit,
        year=year,
        original_name=name,
        stored_name=stored,
        size=size,
        file_kind=ACCEPTED_KINDS[kind],
        message=_("Đang chờ đọc tệp…"),
    )


# -- the reading job ---------------------------------------------------------------------------


def job_start(*, job: ImportJob, synchronous: bool | None = None) -> None:
    """Read, extract and check the job's file: in a thread, or now when ``synchronous``."""
    sync = bool(getattr(settings, "KTXH_IMPORT_SYNC", False)) if synchronous is None else synchronous
    if sync:
        job_run(job_id=job.pk)
        return
    thread = threading.Thread(
        target=_run_in_thread, args=(job.pk,), name=f"ktxh-import-{job.pk}", daemon=True
    )
    # the thread must see the committed job row
    transaction.on_commit(thread.start)


def _run_in_thread(job_id: int) -> None:
    try:
        job_run(job_id=job_id)
    finally:
        connection.close()  # this thread's own connection


class _Reporter:
    """Writes progress to the job row, at most a few times a second (each a short autocommit).
    The first and the last tick of a phase are always written."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = 0.0
        self.ticks = 0

    def set(self, **fields: Any) -> None:
        self.ticks = 0 if "state" in fields else self.ticks
        self._write(fields)

    def _write(self, fields: dict[str, Any]) -> None:
        self.last = time.monotonic()
        fields["updated_at"] = timezone.now()
        for attempt in range(20):
            try:
                ImportJob.objects.filter(pk=self.job_id).update(**fields)
                return
            except OperationalError:  # "database is locked": another writer; progress can wait
                if attempt == 19:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def _tick(self, done: int, total: int, message: str) -> None:
        first = self.ticks == 0
        self.ticks += 1
        if first or done >= total or time.monotonic() - self.last >= 0.3:
            self._write({"done": done, "total": total, "message": message})

    def pages(self, done: int, total: int) -> None:
        self._tick(done, total, _("Đang đọc trang {done}/{total}…").format(done=done, total=total))

    def paragraphs(self, done: int, total: int) -> None:
        self._tick(done, total, _("Đang tìm số liệu: đoạn {done}/{total}…").format(done=done, total=total))


def job_run(*, job_id: int) -> None:
    """Read, extract and check one job's file; the job ends in ``review`` or ``failed``."""
    from ktxh.extract.checker import check
    from ktxh.extract.facts import extract
    from ktxh.extract.readers import read

    job = ImportJob.objects.select_related("org_unit").get(pk=job_id)
    path = upload_dir() / job.stored_name
    say = _Reporter(job_id)
    try:
        say.set(state=JobState.READING, done=0, total=0, message=_("Đang mở tệp…"))
        try:
            doc = read(path, progress=say.pages)
        except ReadError as exc:
            raise ReviewError(str(exc).replace(job.stored_name, job.original_name)) from None
        total = len(doc.paragraphs)
        say.set(
            state=JobState.EXTRACTING,
            done=0,
            total=total,
            message=_("Đang tìm số liệu: đoạn {done}/{total}…").format(done=0, total=total),
        )
        facts = extract(doc, stored_catalog(), progress=say.paragraphs)
        _check_year(facts, job)
        say.set(message=_("Đang kiểm tra số học…"))
        findings = check(doc, facts)
        text = importer.document_text(doc, path)
        with transaction.atomic():
            ImportFact.objects.filter(job_id=job_id).delete()
            ImportFact.objects.bulk_create(_fact_row(job_id, n, f) for n, f in enumerate(facts))
            ImportJob.objects.filter(pk=job_id).update(
                state=JobState.REVIEW,
                done=total,
                total=total,
                message=_("Đã đọc xong: {facts} số liệu, {findings} phát hiện.").format(
                    facts=len(facts), findings=len(findings)
                ),
                document=doc_to_json(doc),
                text=text,
                doc_format=doc.format,
                pages=doc.pages,
                findings=[f.as_json() for f in findings],
                updated_at=timezone.now(),
            )
    except ReviewError as exc:
        _fail(say, str(exc))
    except Exception as exc:  # never a hung bar: any failure ends the job with a message
        log.exception("import job %s failed", job_id)
        _fail(
            say,
            _("Lỗi không mong đợi khi đọc tệp ({error}). Hãy thử lại hoặc báo quản trị hệ thống.").format(
                error=type(exc).__name__
            ),
        )


def _fail(say: _Reporter, message: str) -> None:
    try:
        say.set(state=JobState.FAILED, message=message)
    except Exception:  # the row cannot be written: the page's staleness check ends the job
        log.exception("import job %s: could not record the failure", say.job_id)


def _check_year(facts: list[Fact], job: ImportJob) -> None:
    """A report plainly about another year than the one chosen would store a whole report's
    figures in the wrong period: refuse it now, not after the review."""
    try:
        importer._check_year(facts, job.year, job.original_name)
    except importer.ImportInputError:
        years = [f.period[:4] for f in facts if f.role == "value" and f.period and f.period[:4].isdigit()]
        top = max(set(years), key=years.count)
        raise ReviewError(
            _(
                "Số liệu trong «{name}» là của năm {top} ({n}/{total} số liệu), không có số nào của năm "
                "{year}. Hãy tải lên lại và chọn đúng năm báo cáo."
            ).format(name=job.original_name, top=top, n=years.count(top), total=len(years), year=job.year)
        ) from None


def job_refresh(*, job: ImportJob) -> ImportJob:
    """The job as stored; a running job whose thread stopped long ago (a restart) is ended."""
    job.refresh_from_db()
    if job.running and timezone.now() - job.updated_at > STALE_AFTER:
        ImportJob.objects.filter(pk=job.pk, state=job.state).update(
            state=JobState.FAILED,
            message=_(
                "Việc đọc tệp đã dừng giữa chừng (máy chủ có thể đã khởi động lại). Hãy tải tệp lên lại."
            ),
            updated_at=timezone.now(),
        )
        job.refresh_from_db()
    return job


# -- the text model and facts, stored --------------------------------------------------------


def doc_to_json(doc: Document) -> dict[str, Any]:
    return {
        "path": Path(doc.path).name,
        "format": doc.format,
        "pages": doc.pages,
        "warnings": list(doc.warnings),
        "paragraphs": [
            {
                "text": p.text,
                "kind": p.kind.value,
                "page": p.page,
                "spans": [list(s) for s in p.spans],
                "refs": [[r.marker, r.offset] for r in p.refs],
                "marker": p.marker,
            }
            for p in doc.paragraphs
        ],
    }


def doc_from_json(data: dict[str, Any]) -> Document:
    return Document(
        path=str(data.get("path", "")),
        format=str(data.get("format", "txt")),
        paragraphs=[
            Paragraph(
                text=p["text"],
                kind=Kind(p["kind"]),
                page=p.get("page"),
                spans=tuple((int(a), int(b)) for a, b in p["spans"]),
                refs=tuple(FootnoteRef(str(m), int(o)) for m, o in p.get("refs", [])),
                marker=p.get("marker"),
            )
            for p in data.get("paragraphs", [])
        ],
        pages=int(data.get("pages", 1)),
        warnings=list(data.get("warnings", [])),
    )


def _fact_row(job_id: int, n: int, f: Fact) -> ImportFact:
    extra = {k: v for k, v in asdict(f).items() if k in _EXTRA_FIELDS}
    return ImportFact(
        job_id=job_id,
        n=n,
        line=f.line,
        page=f.page,
        quote=f.quote[:400],
        value=f.value,
        unit=f.unit[:60],
        role=f.role,
        subject=f.subject[:400],
        proposed=f.indicator or "",
        confidence=f.confidence,
        indicator=f.indicator or "",
        extra=extra,
    )


def fact_of(row: ImportFact) -> Fact:
    """The extracted fact with the reviewer's mapping: one they chose counts as certain."""
    extra = {k: row.extra[k] for k in _EXTRA_FIELDS if k in row.extra}
    return Fact(
        line=row.line,
        quote=row.quote,
        value=Decimal(row.value),
        unit=row.unit,
        role=row.role,
        subject=row.subject,
        indicator=row.indicator or None,
        confidence=1.0 if row.corrected and row.indicator else row.confidence,
        page=row.page,
        **extra,
    )


# -- review ----------------------------------------------------------------------------------


def _open_for_review(job: ImportJob) -> None:
    if job.state == JobState.DONE:
        raise ReviewError(_("Báo cáo này đã được nhập; không sửa lựa chọn được nữa."))
    if job.state != JobState.REVIEW:
        raise ReviewError(_("Tệp chưa đọc xong, chưa rà soát được."))


def fact_review(
    *,
    job: ImportJob,
    n: int,
    decision: str | None = None,
    indicator: str | None = None,
    editable: frozenset[str] | None,
) -> ImportFact:
    """Record one fact's decision ("accepted" | "rejected" | "") and/or its indicator
    ("" = không nhập, which also rejects it). ``editable``: the sectors the reviewer may edit
    (None: all); a fact outside them cannot be accepted."""
    _open_for_review(job)
    catalog = stored_catalog()
    with transaction.atomic():
        # two quick clicks on one row must not overwrite each other's half
        row = ImportFact.objects.select_for_update().get(job=job, n=n)
        if indicator is not None:
            code = indicator.strip()
            if code and code not in catalog:
                raise ReviewError(_("Không có chỉ tiêu mã «{code}» trong danh mục.").format(code=code))
            row.indicator = code
            if not code:
                row.decision = Decision.REJECTED
        if decision is not None:
            if decision not in Decision.values:
                raise ReviewError(_("Lựa chọn không hợp lệ."))
            if decision == Decision.ACCEPTED:
                if not row.indicator:
                    raise ReviewError(
                        _("Hãy chọn chỉ tiêu trước khi nhận số liệu dòng {line}.").format(line=row.line)
                    )
                ind = catalog.get(row.indicator)
                if ind is None:
                    raise ReviewError(
                        _("Không có chỉ tiêu mã «{code}» trong danh mục.").format(code=row.indicator)
                    )
                if editable is not None and ind.sector not in editable:
                    raise ReviewError(
                        _("Chỉ tiêu «{code}» thuộc lĩnh vực bạn không được nhập số liệu.").format(
                            code=row.indicator
                        )
                    )
            row.decision = decision
        row.save(update_fields=["indicator", "decision"])
    return row


def facts_accept_mapped(*, job: ImportJob, editable: frozenset[str] | None) -> int:
    """Accept every fact not yet decided that has an indicator and a role that imports."""
    _open_for_review(job)
    catalog = stored_catalog()
    rows = job.facts.filter(decision=Decision.PENDING, role__in=IMPORTABLE_ROLES).exclude(indicator="")
    ids = [
        r.pk
        for r in rows.only("pk", "indicator")
        if r.indicator in catalog and (editable is None or catalog[r.indicator].sector in editable)
    ]
    return ImportFact.objects.filter(pk__in=ids).update(decision=Decision.ACCEPTED)


def job_import(
    *, job: ImportJob, user: Any, dry_run: bool, editable: frozenset[str] | None
) -> importer.ImportResult:
    """Import the accepted facts (one transaction; a dry run rolls back). The importer refuses
    a submitted, approved or locked period with its own message (ReviewError here)."""
    with transaction.atomic():
        # a double click on "Xác nhận" must not import twice: the second waits, then sees "done"
        locked = ImportJob.objects.select_for_update().select_related("org_unit").get(pk=job.pk)
        _open_for_review(locked)
        rows = list(locked.facts.filter(decision=Decision.ACCEPTED))
        if not rows:
            raise ReviewError(_("Chưa nhận số liệu nào để nhập."))
        catalog = stored_catalog()
        outside = sorted(
            {
                r.indicator
                for r in rows
                if editable is not None
                and r.indicator in catalog
                and catalog[r.indicator].sector not in editable
            }
        )
        if outside:
            raise ReviewError(
                _("Bạn không được nhập số liệu các chỉ tiêu: {codes}.").format(codes=", ".join(outside))
            )
        try:
            result = importer.import_facts(
                facts=[fact_of(r) for r in rows],
                document=doc_from_json(locked.document or {}),
                text=locked.text,
                filename=locked.original_name,
                unit_code=locked.org_unit.code,
                year=locked.year,
                dry_run=dry_run,
                user=user,
            )
        except importer.ImportInputError as exc:
            raise ReviewError(str(exc)) from None
        if not dry_run:
            locked.state = JobState.DONE
            locked.result = result_json(result)
            locked.source_document = SourceDocument.objects.filter(key=result.document).first()
            locked.message = _(
                "Đã nhập: {created} số liệu mới, {changed} thay đổi, {unchanged} không đổi."
            ).format(
                created=len(result.created), changed=len(result.changed), unchanged=len(result.unchanged)
            )
            locked.save(update_fields=["state", "result", "source_document", "message", "updated_at"])
    return result


def result_json(result: importer.ImportResult) -> dict[str, Any]:
    def rows(items: Iterable[importer.ImportRow]) -> list[dict[str, Any]]:
        return [
            {
                "indicator": r.indicator,
                "org_unit": r.org_unit,
                "org_name": r.org_name,
                "period": r.period,
                "kind": r.kind,
                "shown": r.shown,
                "old_shown": r.old_shown,
                "line": r.line,
            }
            for r in items
        ]

    return {
        "document": result.document,
        "created": rows(result.created),
        "changed": rows(result.changed),
        "unchanged": rows(result.unchanged),
        "skipped": [{"line": s.line, "quote": s.quote, "reason": s.reason} for s in result.skipped],
        "stated": result.stated_created + result.stated_unchanged,
    }


def jobs_cleanup(*, user: Any, keep: int = 20) -> None:
    """Drop a user's oldest unimported jobs and their files beyond ``keep``."""
    # a job still being read or already imported is never dropped
    finished = ImportJob.objects.filter(user=user, state__in=[JobState.REVIEW, JobState.FAILED])
    old = list(finished.order_by("-created_at")[keep:])
    for job in old:
        (upload_dir() / job.stored_name).unlink(missing_ok=True)
        job.delete()
