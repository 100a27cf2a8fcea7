"""Mapping a fact's subject to a catalog indicator (ktxh.extract.mapping)."""

from __future__ import annotations

import pytest

from ktxh.core.catalog import Catalog
from ktxh.extract._lexicon import norm_word, words
from ktxh.extract.mapping import THRESHOLD, IndicatorIndex, index_for, terms


@pytest.fixture(scope="module")
def index(catalog: Catalog) -> IndicatorIndex:
    return index_for(catalog)


@pytest.mark.parametrize(
    ("subject", "unit", "code"),
    [
        ("tổng diện tích gieo trồng cả năm", "ha", "NN.DT_GIEO_TRONG"),
        ("Tổng sản lượng lương thực", "tấn", "NN.SL_LUONG_THUC"),
        ("Giá trị sản xuất ngành nông nghiệp, thuỷ sản", "tỷ đồng", "NN.GTSX"),
        ("Tổng thu ngân sách nhà nước", "tỷ đồng", "TC.THU_NSNN"),
        ("tỷ lệ hộ nghèo", "%", "LD.TL_HO_NGHEO"),
        ("Tỷ số giới tính khi sinh", "bé trai/100 bé gái", "YT.TY_SO_GT_KHI_SINH"),
        ("Số giường bệnh", "giường/vạn dân", "YT.GIUONG_BENH_VAN_DAN"),
        ("tỷ lệ bao phủ BHYT", "%", "LD.TL_BAO_PHU_BHYT"),
        ("Tổng đàn trâu, bò", "con", "NN.DAN_TRAU_BO"),
    ],
)
def test_it_maps_plain_subjects(index: IndicatorIndex, subject: str, unit: str, code: str) -> None:
    m = index.match(subject, unit)
    assert m.code == code
    assert THRESHOLD <= m.confidence <= 1.0


def test_it_reads_abbreviations_and_old_tone_marks(index: IndicatorIndex) -> None:
    assert index.match("GTSX ngành NN, TS", "tỷ đồng").code == "NN.GTSX"
    assert (
        index.match("Tổng diện tích nuôi trồng thuỷ sản", "ha").code
        == index.match("Tổng diện tích nuôi trồng thủy sản", "ha").code
    )
    assert norm_word("Hoá") == norm_word("hóa") == "hóa"
    assert norm_word("hoàng") == "hoàng"  # the mark stays when the syllable goes on
    assert words("BHYT") == ["bảo", "hiểm", "y", "tế"]


def test_the_unit_is_a_strong_signal(index: IndicatorIndex) -> None:
    rate = index.match("tỷ lệ hộ nghèo", "%")
    count = index.match("tỷ lệ hộ nghèo", "tấn")
    assert count.confidence < rate.confidence
    # a percentage of the subject is not the subject's own indicator when that is an amount
    assert (
        index.match("Tổng sản lượng lương thực", "%").confidence
        < index.match("Tổng sản lượng lương thực", "tấn").confidence
    )


def test_the_sector_breaks_ties(index: IndicatorIndex, catalog: Catalog) -> None:
    m = index.match("Giá trị sản xuất", "tỷ đồng", sector="xay_dung")
    assert m.code is not None and catalog[m.code].sector == "xay_dung"
    m = index.match("Giá trị sản xuất", "tỷ đồng", sector="cong_nghiep")
    assert m.code is not None and catalog[m.code].sector == "cong_nghiep"


def test_it_finds_the_sector_of_a_heading(index: IndicatorIndex) -> None:
    assert index.sector_of("2. Y tế, dân số") == "y_te"
    assert index.sector_of("4.1. Tài chính:") == "tai_chinh"
    assert index.sector_of("3. Giáo dục và Đào tạo") == "giao_duc"
    assert index.sector_of("Phần I") is None


def test_it_maps_nothing_when_nothing_fits(index: IndicatorIndex) -> None:
    assert index.match("số cây xanh trồng mới trên tuyến phố", "cây").code is None
    assert index.match("", "ha").code is None
    assert index.match("diện tích ngô", "ha").code is None  # "ngô" is in no indicator: not any "diện tích"


def test_context_only_breaks_ties(index: IndicatorIndex) -> None:
    banks = index.match("tổng nguồn vốn huy động", "tỷ đồng", context="của các ngân hàng trên địa bàn")
    funds = index.match("tổng nguồn vốn huy động", "tỷ đồng", context="của các Quỹ tín dụng nhân dân")
    assert banks.code == "TD.VON_HUY_DONG_NH" and funds.code == "TD.VON_HUY_DONG_QTDND"
    # context words alone never bring in an indicator the subject does not name
    assert index.match("số cây xanh", "cây", context="tổng dư nợ tín dụng của các ngân hàng").code is None


def test_terms_pair_syllables(index: IndicatorIndex) -> None:
    assert "diện_tích" in terms("Diện tích lúa")
    assert "số" not in terms("Số hộ nghèo")


def test_it_builds_the_index_once(catalog: Catalog) -> None:
    first = index_for(catalog)
    assert index_for(catalog) is first
