import pytest

from ktxh.web.catalog.models import Indicator
from ktxh.web.datavalues.models import DataValue, SourceDocument, StatedFigure
from ktxh.web.datavalues.services import demo_load
from ktxh.web.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_it_loads_the_demo_once_and_then_changes_nothing(demo_dataset) -> None:  # type: ignore[no-untyped-def]
    # the session fixture already loaded it once
    assert DataValue.objects.count() == len(demo_dataset.values)
    assert StatedFigure.objects.count() == len(demo_dataset.stated)
    before = sorted(DataValue.objects.values_list("pk", "value", "updated_at"))
    result = demo_load()
    assert not result.changed
    assert result.values.unchanged == len(demo_dataset.values)
    assert sorted(DataValue.objects.values_list("pk", "value", "updated_at")) == before


def test_it_repairs_an_edited_demo_value(demo_dataset) -> None:  # type: ignore[no-untyped-def]
    row = DataValue.objects.filter(derived=False).first()
    assert row is not None
    original = row.value
    row.value = original + 1
    row.save()
    result = demo_load()
    assert result.values.updated == 1
    row.refresh_from_db()
    assert row.value == original


def test_stored_values_keep_their_source_line() -> None:
    doc = SourceDocument.objects.get(key="thanh_mien_2023")
    for dv in DataValue.objects.filter(derived=False).select_related("source_document")[:400]:
        assert dv.source_text in doc.line(dv.source_line)


def test_derived_values_are_flagged_in_the_database() -> None:
    derived = DataValue.objects.filter(derived=True)
    assert derived.exists()
    assert all("derived" in d.flags and d.formula for d in derived)


def test_units_and_catalog_are_stored() -> None:
    assert Indicator.objects.count() >= 150
    assert OrgUnit.objects.filter(code="300", level="district").count() == 1
    assert OrgUnit.objects.filter(code="11239").count() == 2  # thị trấn, then xã Thanh Miện


@pytest.mark.django_db
def test_every_loaded_value_has_an_audit_row_naming_its_source_line() -> None:
    from ktxh.web.datavalues.models import DataValue, ValueChange

    changes = ValueChange.objects.filter(source="demo")
    assert changes.count() == DataValue.objects.filter(source_document__isnull=False).count()
    rice = changes.get(
        indicator__code="NN.DT_GIEO_TRONG", org_unit__code="300", period__code="2023", kind="estimate"
    )
    assert rice.old_value is None and "dòng 56" in rice.reason  # seed line 56: "14.739 ha"


def test_values_read_as_columns_are_the_loaded_values(demo_dataset) -> None:  # type: ignore[no-untyped-def]
    """``objects.core()`` (plain columns) gives back exactly what the demo stored, and the same
    objects as ``to_core()`` on each model row, including a value a person typed."""
    from django.contrib.auth import get_user_model

    assert sorted(DataValue.objects.core(), key=repr) == sorted(demo_dataset.values, key=repr)
    assert sorted(StatedFigure.objects.core(), key=repr) == sorted(demo_dataset.stated, key=repr)

    typed = DataValue.objects.filter(derived=False, source_document__isnull=False).first()
    assert typed is not None
    typed.entered_by = get_user_model().objects.get(username="tckh")
    typed.note = "Số của phòng"
    typed.save()
    rows = DataValue.objects.order_by("pk")
    assert rows.core() == [d.to_core() for d in rows]
    mine = next(v for v in rows.core() if v.key == typed.to_core().key)
    assert (mine.provenance.entered_by, mine.provenance.note) == ("tckh", "Số của phòng")
    figures = StatedFigure.objects.order_by("pk")
    assert figures.core() == [f.to_core() for f in figures]
