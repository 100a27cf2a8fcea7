from decimal import Decimal

from ninja import Field, Schema
from pydantic import BaseModel

CODE = r"^[\w.\-]{1,60}$"


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    sector: str
    office: str
    kind: str
    decimals: int
    direction: str
    parent: str | None
    budgeted: bool
    formula: str


class OrgUnitOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None
    valid_from: str
    valid_to: str | None


class PeriodOut(Schema):
    code: str
    type: str
    start: str
    end: str


class ValueOut(BaseModel):
    """Built from plain dicts (pages of up to 1000): a pydantic model skips the Django-object
    lookups of ninja's Schema, a third of the list's time."""

    id: int
    indicator: str
    org_unit: str
    period: str
    kind: str
    category: str
    option: str
    value: str
    derived: bool
    version: int
    source: str | None
    line: int | None
    quote: str
    updated_at: str


class ValueIn(Schema):
    indicator: str = Field(..., pattern=CODE, description="mã chỉ tiêu")
    value: Decimal = Field(..., description="số thập phân, dấu chấm: 14739.5", allow_inf_nan=False)
    kind: str = Field("estimate", description="estimate | final | plan | budget_estimate | target")
    comment: str = Field("", max_length=500)
    version: int | None = Field(
        None,
        ge=0,
        le=2_000_000_000,
        description="phiên bản đã đọc (0: chưa có); bỏ trống: ghi đè, vẫn lưu vết",
    )


class BulkIn(Schema):
    unit: str = Field(..., pattern=CODE)
    period: str = Field(..., pattern=r"^[0-9A-Za-z\-]{4,12}$")
    rows: list[ValueIn] = Field(..., max_length=2000)
    all_or_nothing: bool = True
    acknowledgements: dict[str, str] = Field(default_factory=dict, description="mã phát hiện → lý do")


class RowErrorOut(Schema):
    field: str
    message: str
    current: str | None = None
    current_version: int | None = None


class RowOut(Schema):
    index: int
    indicator: str
    status: str
    version: int | None = None
    error: RowErrorOut | None = None


class FindingOut(Schema):
    key: str
    code: str
    check: str
    severity: str
    message: str
    org_unit: str
    period: str
    expected: str | None
    suggestion: str | None


class BulkOut(Schema):
    stored: bool
    created: int
    updated: int
    unchanged: int
    errors: int
    results: list[RowOut]
    blocking_findings: list[FindingOut]


class StatusOut(Schema):
    unit: str
    period: str
    state: str
    changed_at: str | None
    changed_by: str | None


class ActionIn(Schema):
    reason: str = Field("", max_length=1000)


class Message(Schema):
    detail: str
