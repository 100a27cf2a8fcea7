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
