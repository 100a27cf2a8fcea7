"""Data entry on the screen: Vietnamese numbers, live % of plan, saves, conflicts, findings."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from ktxh import core
from ktxh.core import compute
from ktxh.web.datavalues.models import DataValue, ValueChange

from .entry_helpers import fill, form_fields, prefix_of

pytestmark = pytest.mark.django_db

DISTRICT_FORM = "/nhap-lieu/300/2023/nong_nghiep/"
COMMUNE_FORM = "/nhap-lieu/11275/2023/nong_nghiep/"


def _stored(
    unit: str, code: str, period: str = "2023", kinds: tuple[str, ...] = ("final", "estimate")
) -> DataValue:
    return DataValue.objects.filter(
        org_unit__code=unit, indicator__code=code, period__code=period, kind__in=kinds, category=""
    ).get()


def test_it_saves_a_value_typed_with_a_vietnamese_decimal_and_records_who(
    login: Callable[[str], Client],
) -> None:
    client = login("xa_ngohung")
    _data, response = fill(client, COMMUNE_FORM, {"NN.DT_LUA": "1.234,5"})
    assert response.status_code == 302
    stored = _stored("11275", "NN.DT_LUA")
    assert stored.value == Decimal("1234.5")
    assert stored.entered_by.username == "xa_ngohung"
    change = ValueChange.objects.get(data_value=stored)
    assert (change.old_value, change.new_value, change.source, change.user.username) == (
        None,
        Decimal("1234.5"),
        "screen",
        "xa_ngohung",
    )


def test_it_names_the_field_of_a_malformed_number_and_stores_nothing(login: Callable[[str], Client]) -> None:
    client = login("xa_ngohung")
    before = DataValue.objects.count()
    data, response = fill(client, COMMUNE_FORM, {"NN.DT_LUA": "1,234.5", "NN.DT_GIEO_TRONG": "2.000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "không phải là số viết theo kiểu Việt Nam" in html
    assert "1.234,5" in html  # Babel's suggestion
    assert 'aria-invalid="true"' in html
    assert DataValue.objects.count() == before


def test_the_percent_of_plan_is_computed_from_the_stored_plan_as_you_type(
    login: Callable[[str], Client],
) -> None:
    client = login("nongnghiep")
    plan = DataValue.objects.get(
        org_unit__code="300", indicator__code="NN.DT_LUA", period__code="2023", kind="plan"
    )
    previous = _stored("300", "NN.DT_LUA", "2022")
    typed = Decimal("12345.6")
    # htmx posts the whole form; the typed row is found by its code
    response = client.post(
        DISTRICT_FORM + "tinh/",
        {
            "code": "NN.DT_LUA",
            "form-0-code": "NN.DT_GIEO_TRONG",
            "form-0-value": "",
            "form-3-code": "NN.DT_LUA",
            "form-3-value": "12.345,6",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert core.format_pct(compute.pct_of(typed, plan.value), 1) in html
    change = compute.pct_change(typed, previous.value)
    assert core.format_pct(abs(core.quantize(change, 1)), 1) in html
    assert 'hx-swap-oob="true"' in html


def test_a_malformed_number_is_explained_while_typing(login: Callable[[str], Client]) -> None:
    client = login("nongnghiep")
    response = client.post(
        DISTRICT_FORM + "tinh/", {"code": "NN.DT_LUA", "form-3-code": "NN.DT_LUA", "form-3-value": "12,3,4"}
    )
    assert "không phải là số viết theo kiểu Việt Nam" in response.content.decode()


def test_the_second_of_two_people_editing_one_value_is_refused_and_sees_the_first_value(
    login: Callable[[str], Client],
) -> None:
    first, second = login("nongnghiep"), login("tckh")
    page_first = form_fields(first.get(DISTRICT_FORM).content.decode())
    page_second = form_fields(second.get(DISTRICT_FORM).content.decode())
    row = prefix_of(page_first, "NN.DAN_TRAU_BO")
    page_first[f"{row}-value"] = "2.800"
    assert first.post(DISTRICT_FORM, page_first).status_code == 302
    page_second[f"{row}-value"] = "2.900"
    response = second.post(DISTRICT_FORM, page_second)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Người khác đã lưu giá trị 2.800" in html
    assert _stored("300", "NN.DAN_TRAU_BO").value == Decimal("2800")  # the first save is not lost
    assert (
        ValueChange.objects.filter(
            indicator__code="NN.DAN_TRAU_BO", org_unit__code="300", source="screen"
        ).count()
        == 1
    )


def test_an_error_finding_must_be_acknowledged_with_a_reason(login: Callable[[str], Client]) -> None:
    client = login("nongnghiep")
    total = _stored("300", "NN.DT_LUA").value
    too_big = core.format_vi(total * 2, 0)  # a part ("trong đó" chiêm xuân) twice its total
    data, response = fill(client, DISTRICT_FORM, {"NN.DT_LUA_CHIEM_XUAN": too_big})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Lý do giữ nguyên số liệu" in html
    assert _stored("300", "NN.DT_LUA_CHIEM_XUAN").value != total * 2
    keys = re.findall(r'name="ack-(\w+)"', html)
    assert keys
    data[f"ack-{keys[0]}"] = "Số liệu thống kê mới, tổng sẽ sửa sau"
    if len(keys) > 1:  # every finding needs its reason
        assert client.post(DISTRICT_FORM, data).status_code == 400
    for key in keys:
        data[f"ack-{key}"] = "Số liệu thống kê mới, tổng sẽ sửa sau"
    response = client.post(DISTRICT_FORM, data)
    assert response.status_code == 302
    change = ValueChange.objects.filter(indicator__code="NN.DT_LUA_CHIEM_XUAN").latest("at")
    assert change.new_value == total * 2
    assert change.acknowledged[0]["reason"] == "Số liệu thống kê mới, tổng sẽ sửa sau"


def test_clearing_a_stored_value_is_refused_and_keeps_it(login: Callable[[str], Client]) -> None:
    client = login("nongnghiep")
    before = _stored("300", "NN.DT_LUA").value
    _data, response = fill(client, DISTRICT_FORM, {"NN.DT_LUA": ""})
    assert response.status_code == 200
    assert "không để trống được" in response.content.decode()
    assert _stored("300", "NN.DT_LUA").value == before


def test_the_history_page_lists_each_change(login: Callable[[str], Client]) -> None:
    client = login("nongnghiep")
    loaded = core.format_vi(_stored("300", "NN.DAN_TRAU_BO").value, 0)  # the figure loaded from the report
    fill(client, DISTRICT_FORM, {"NN.DAN_TRAU_BO": "2.700"})
    fill(client, DISTRICT_FORM, {"NN.DAN_TRAU_BO": "2.710"})
    html = client.get("/nhap-lieu/300/2023/lich-su/NN.DAN_TRAU_BO/").content.decode()
    assert f"{loaded} → <strong>2.700</strong>" in html
    assert "2.700 → <strong>2.710</strong>" in html
    assert html.count("màn hình nhập liệu") == 2


def test_the_form_page_takes_a_bounded_number_of_queries(
    login: Callable[[str], Client], django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = login("tckh")
    with django_assert_max_num_queries(20):
        assert client.get(DISTRICT_FORM).status_code == 200


def test_checking_only_what_a_save_touches_finds_the_same_as_checking_everything() -> None:
    """On save the rules run on the saved indicators and what they can be checked against; the
    findings about those indicators must be exactly those of a full run."""
    from ktxh.web.datavalues.selectors import findings_for, org_unit_at

    period = core.Period.year(2023)
    unit = org_unit_at("300", period.end)
    full = findings_for(org_unit=unit, period=period)
    involved = sorted({v.indicator for f in full for v in f.values})
    others = list(
        DataValue.objects.filter(org_unit=unit, period__code="2023").values_list("indicator__code", flat=True)
    )

    def about(findings: list, code: str) -> list:  # type: ignore[type-arg]
        return sorted(
            (f.code, repr(f.values)) for f in findings if any(v.indicator == code for v in f.values)
        )

    for code in [*involved, *sorted(set(others))[::15]]:
        narrow = findings_for(org_unit=unit, period=period, indicators={code})
        assert about(narrow, code) == about(full, code), code


def test_the_planning_office_sets_a_communes_plan_on_the_form_and_a_commune_cannot(
    login: Callable[[str], Client],
) -> None:
    planning = login("tckh")
    data = form_fields(planning.get(COMMUNE_FORM).content.decode())
    row = prefix_of(data, "NN.DT_LUA")
    data[f"{row}-value"] = "1.000"
    data[f"{row}-kind"] = "plan"
    assert planning.post(COMMUNE_FORM, data).status_code == 302
    plan = _stored("11275", "NN.DT_LUA", kinds=("plan",))
    assert plan.value == Decimal("1000")
    assert ValueChange.objects.get(data_value=plan).user.username == "tckh"
    # the plan now shows on the commune's form, and % of plan follows from it
    commune = login("xa_ngohung")
    html = commune.get(COMMUNE_FORM).content.decode()
    assert 'value="plan"' not in html  # a commune enters estimates and finals only
    data = form_fields(html)
    data[f"{row}-value"] = "1.100"
    data[f"{row}-kind"] = "plan"
    response = commune.post(COMMUNE_FORM, data)
    assert response.status_code == 200
    assert _stored("11275", "NN.DT_LUA", kinds=("plan",)).value == Decimal("1000")


@pytest.mark.parametrize("can_edit", [True, False])
def test_rows_drawn_without_forms_are_the_rows_an_unbound_formset_draws(can_edit: bool) -> None:
    """The stored table is drawn from the initial values alone (no form per row); it must be
    the very markup the formset's own forms give, for every row of every sector."""
    from django.utils import translation

    from ktxh.web.catalog.models import Sector
    from ktxh.web.datavalues.models import Period
    from ktxh.web.entry import views
    from ktxh.web.entry.forms import EntryFormSet
    from ktxh.web.entry.rows import Line, _row, rows_html
    from ktxh.web.entry.selectors import entry_rows
    from ktxh.web.orgunits.models import OrgUnit

    unit = OrgUnit.objects.get(code="300")
    period = Period.objects.get(code="2023")
    kinds = [("estimate", "Ước"), ("final", "Chính thức"), ("plan", "Kế hoạch")]
    drawn = 0
    for language in ("vi", "en"):
        with translation.override(language):
            for sector in Sector.objects.all():
                rows = entry_rows(org_unit=unit, period=period, sector=sector)
                initial = views._initial(rows)
                formset = EntryFormSet(initial=initial)
                calcs = [views._calc(r, r.current.value if r.current else None) for r in rows]
                args = {"unit": "300", "period": "2023", "sector": sector.code, "can_edit": can_edit}
                _row.cache_clear()
                with_forms = rows_html(
                    [Line.of_form(f, r, c) for f, r, c in zip(formset.forms, rows, calcs, strict=True)],
                    kinds=kinds,
                    **args,
                )
                _row.cache_clear()
                plain = [
                    Line.of_initial(formset.add_prefix(i), initial[i], r, c)
                    for i, (r, c) in enumerate(zip(rows, calcs, strict=True))
                ]
                assert rows_html(plain, kinds=kinds, **args) == with_forms
                assert rows_html(plain, kinds=kinds, **args) == with_forms  # from the kept rows
                drawn += len(rows)
    assert drawn > 200


def test_a_row_with_errors_is_drawn_with_them_and_not_kept_for_the_next_visit(
    login: Callable[[str], Client],
) -> None:
    from ktxh.web.entry.rows import _row

    client = login("xa_ngohung")
    _row.cache_clear()
    _data, response = fill(client, COMMUNE_FORM, {"NN.DT_LUA": "12,3,4"})
    assert response.status_code == 200
    page = response.content.decode()
    row = re.search(r'<tr id="row-NN-DT_LUA">.*?</tr>', page, re.S)
    assert row and 'aria-invalid="true"' in row.group(0) and 'class="errorlist"' in row.group(0)
    again = client.get(COMMUNE_FORM).content.decode()
    row_again = re.search(r'<tr id="row-NN-DT_LUA">.*?</tr>', again, re.S)
    assert row_again and "aria-invalid" not in row_again.group(0)


def test_only_the_rows_changed_become_forms_and_a_refused_save_still_shows_every_row(
    login: Callable[[str], Client],
) -> None:
    from ktxh.web.entry.forms import EntryFormSet

    client = login("xa_ngohung")
    page = client.get(COMMUNE_FORM).content.decode()
    data = form_fields(page)
    data.pop("csrfmiddlewaretoken", None)
    rows = len(re.findall(r'<tr id="row-', page))
    assert rows > 20

    initial = [
        {n: data[f"form-{i}-{n}"] for n in ("code", "version", "value", "kind", "comment")}
        for i in range(rows)
    ]
    other = next(data[f"form-{i}-code"] for i in range(rows) if data[f"form-{i}-code"] != "NN.DT_LUA")
    typed = dict(data)
    typed[f"{prefix_of(data, 'NN.DT_LUA')}-value"] = "12,3,4"  # not a number
    typed[f"{prefix_of(data, other)}-comment"] = "Ghi chú mới"
    formset = EntryFormSet(typed, initial=initial)
    assert sorted(f["code"].value() for f in formset.forms) == sorted(["NN.DT_LUA", other])
    assert not formset.is_valid()

    response = client.post(COMMUNE_FORM, typed)
    assert response.status_code == 200
    again = response.content.decode()
    assert len(re.findall(r'<tr id="row-', again)) == rows  # every row, not only the changed ones
    shown = form_fields(again)
    assert shown[f"{prefix_of(data, 'NN.DT_LUA')}-value"] == "12,3,4"  # what was typed, with its error
    assert shown[f"{prefix_of(data, other)}-comment"] == "Ghi chú mới"
    untouched = [
        k for k in data if k.endswith("-value") and "NN.DT_LUA" not in data[k[: -len("value")] + "code"]
    ]
    assert all(shown[k] == data[k] for k in untouched)
    assert not ValueChange.objects.filter(
        org_unit__code="11275", reason="Ghi chú mới"
    ).exists()  # all or nothing
