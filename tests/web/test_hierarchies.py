import pytest
from django.core.exceptions import ValidationError

from ktxh.web.catalog.models import Indicator
from ktxh.web.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_an_indicator_cannot_be_part_of_its_own_part() -> None:
    total = Indicator.objects.get(code="NN.SL_LUONG_THUC")
    part = Indicator.objects.get(code="NN.SL_THOC")
    assert part.parent == total
    total.parent = part
    with pytest.raises(ValidationError, match="vòng lặp"):
        total.full_clean()


def test_an_org_unit_code_cannot_be_used_twice_at_once() -> None:
    town = OrgUnit.objects.get(code="11239", valid_to__isnull=False)
    clash = OrgUnit(
        code="11239", name="Trùng", level="commune", valid_from=town.valid_from.replace(year=2020)
    )
    with pytest.raises(ValidationError, match="cùng khoảng thời gian"):
        clash.full_clean()


def test_an_org_unit_cannot_end_before_it_starts() -> None:
    unit = OrgUnit.objects.get(code="300")
    unit.valid_to = unit.valid_from.replace(year=1900)
    with pytest.raises(ValidationError, match="phải sau ngày bắt đầu"):
        unit.full_clean()
