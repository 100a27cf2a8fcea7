"""Words of Vietnamese socio-economic reports that fact extraction relies on.

Units as written and their normalised spelling, qualifiers, the abbreviations offices
use, and a text normaliser (NFC, lower case, one tone-mark placement: "hoá" = "hóa",
"thuỷ" = "thủy"). Everything here is data about the language of these reports, not
about one report.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Written form -> normalised unit. Matched case-insensitively, longest first, and only
# when no letter follows (so "ha" never matches the start of "hạ"). "#" stands for
# optional spaces. Forms with a slash come first in spirit: "tạ/ha" before "tạ".
_UNIT_FORMS: dict[str, str] = {
    # money
    "tỷ#usd": "tỷ USD",
    "triệu#con": "triệu con",
    "nghìn#con": "nghìn con",
    "nghìn#tỷ#đồng": "nghìn tỷ đồng",
    "ngàn#tỷ#đồng": "nghìn tỷ đồng",
    "nghìn#tấn": "nghìn tấn",
    "nghìn#ha": "nghìn ha",
    "nghìn#người": "nghìn người",
    "triệu#lượt": "triệu lượt",
    "nghìn#lượt": "nghìn lượt",
    "tỷ#đồng": "tỷ đồng",
    "tỉ#đồng": "tỷ đồng",
    "tỷ#đ": "tỷ đồng",
    "tỷ#vnđ": "tỷ đồng",
    "tỷ": "tỷ đồng",
    "tỉ": "tỷ đồng",
    "triệu#đồng/ha": "triệu đồng/ha",
    "triệu#đồng/người/năm": "triệu đồng/người/năm",
    "triệu#đồng/người/tháng": "triệu đồng/người/tháng",
    "triệu#đồng/người": "triệu đồng/người",
    "triệu#đồng/tháng": "triệu đồng/tháng",
    "triệu#đồng": "triệu đồng",
    "triệu#đ": "triệu đồng",
    "trđ": "triệu đồng",
    "tr.đ": "triệu đồng",
    "triệu#usd": "triệu USD",
    "nghìn#đồng": "nghìn đồng",
    "ngàn#đồng": "nghìn đồng",
    "nghìn#usd": "nghìn USD",
    "usd": "USD",
    "vnđ": "đồng",
    "đồng": "đồng",
    "đ": "đồng",
    # yields, area, length, volume, mass
    "tạ/ha": "tạ/ha",
    "tấn/ha": "tấn/ha",
    "tạ": "tạ",
    "tấn": "tấn",
    "kg": "kg",
    "ha": "ha",
    "hecta": "ha",
    "héc#ta": "ha",
    "km²": "km²",
    "km2": "km²",
    "km": "km",
    "m²": "m²",
    "m#2": "m²",
    "m³": "m³",
    "m#3": "m³",
    "m": "m",
    "kwh": "kWh",
    "mw": "MW",
    # rates and ratios
    "%/năm": "%",
    "%": "%",
    "điểm#phần#trăm": "điểm phần trăm",
    "điểm#%": "điểm phần trăm",
    "giường#bệnh/vạn#dân": "giường/vạn dân",
    "giường/vạn#dân": "giường/vạn dân",
    "giường/1#vạn#dân": "giường/vạn dân",
    "bác#sỹ/vạn#dân": "bác sỹ/vạn dân",
    "bác#sĩ/vạn#dân": "bác sỹ/vạn dân",
    "người/vạn#dân": "người/vạn dân",
    "bé#trai/100#bé#gái": "bé trai/100 bé gái",
    "trẻ#trai/100#trẻ#gái": "bé trai/100 bé gái",
    "lần": "lần",
    "tuổi": "tuổi",
    "điểm": "điểm",
    # counts (compound nouns first; a bare first syllable is the fallback)
    "lượt#người": "lượt người",
    "lượt#khách": "lượt",
    "lượt": "lượt",
    "hộ#gia#đình": "hộ",
    "hộ": "hộ",
    "người": "người",
    "con": "con",
    "xã,#phường,#thị#trấn": "xã",
    "xã,#thị#trấn": "xã",
    "xã/thị#trấn": "xã",
    "xã": "xã",
    "thị#trấn": "thị trấn",
    "phường": "phường",
    "khu#dân#cư": "khu dân cư",
    "làng/kdc": "làng/KDC",
    "thôn/kdc": "thôn/KDC",
    "thôn,#khu#dân#cư": "thôn, khu dân cư",
    "thôn,#làng": "thôn, làng",
    "hợp#tác#xã": "hợp tác xã",
    "htx": "hợp tác xã",
    "doanh#nghiệp": "doanh nghiệp",
    "học#sinh": "học sinh",
    "hs": "học sinh",
    "giáo#viên": "giáo viên",
    "cơ#sở": "cơ sở",
    "mô#hình": "mô hình",
    "sản#phẩm": "sản phẩm",
    "dự#án": "dự án",
    "công#trình": "công trình",
    "hồ#sơ": "hồ sơ",
    "trường#hợp": "trường hợp",
    "đối#tượng": "đối tượng",
    "bị#can": "bị can",
    "văn#bản": "văn bản",
    "tài#khoản": "tài khoản",
    "giao#dịch": "giao dịch",
    "tin,#bài": "tin, bài",
    "tin#bài": "tin bài",
    "hội#nghị": "hội nghị",
    "chỉ#tiêu": "chỉ tiêu",
    "tiêu#chí": "tiêu chí",
    "đồng#chí": "đồng chí",
    "đ/c": "đồng chí",
    "đc": "đồng chí",
    "công#dân": "công dân",
    "thanh#niên": "thanh niên",
    "quân#nhân": "quân nhân",
    "trẻ#em": "trẻ em",
    "bệnh#nhân": "bệnh nhân",
    "cán#bộ": "cán bộ",
    "công#chức": "công chức",
    "viên#chức": "viên chức",
    "lao#động": "lao động",
    "cơ#quan": "cơ quan",
    "đơn#vị": "đơn vị",
    "dụng#cụ": "dụng cụ",
    "dữ#liệu": "dữ liệu",
    "gia#đình": "gia đình",
    "ý#kiến": "ý kiến",
    "lớp#học": "lớp",
    "phòng#học": "phòng học",
    "cửa#hàng": "cửa hàng",
    "hội#viên": "hội viên",
    "đảng#viên": "đảng viên",
    "chi#bộ": "chi bộ",
    "tổ#chức": "tổ chức",
    "hộ#nghèo": "hộ",
    "hộ#cận#nghèo": "hộ",
    "căn#hộ": "căn hộ",
    "km#đường": "km",
    "lượt#xe": "lượt xe",
    "tin#báo": "tin",
    # compound count nouns: one word of two or three syllables, never cut to its first
    # ("148 giấy phép", "196 tân binh", "1 siêu thị", "618 bé trai"); a head noun that is
    # itself a count noun keeps only its first syllable ("12.700 thùng rác" -> "thùng")
    "giấy#chứng#nhận": "giấy chứng nhận",
    "giấy#phép": "giấy phép",
    "giấy#khai#sinh": "giấy khai sinh",
    "tân#binh": "tân binh",
    "siêu#thị": "siêu thị",
    "trung#tâm#thương#mại": "trung tâm thương mại",
    "tàu#thuyền": "tàu thuyền",
    "bác#sỹ": "bác sỹ",
    "bác#sĩ": "bác sỹ",
    "y#sỹ": "y sỹ",
    "y#sĩ": "y sỹ",
    "y#tá": "y tá",
    "dược#sỹ": "dược sỹ",
    "dược#sĩ": "dược sỹ",
    "nữ#hộ#sinh": "nữ hộ sinh",
    "điều#dưỡng": "điều dưỡng",
    "bé#trai": "bé trai",
    "bé#gái": "bé gái",
    "trẻ#sơ#sinh": "trẻ sơ sinh",
    "sinh#viên": "sinh viên",
    "học#viên": "học viên",
    "nhân#viên": "nhân viên",
    "thành#viên": "thành viên",
    "tình#nguyện#viên": "tình nguyện viên",
    "công#nhân": "công nhân",
    "nông#dân": "nông dân",
    "ngư#dân": "ngư dân",
    "thuyền#viên": "thuyền viên",
    "chiến#sỹ": "chiến sỹ",
    "chiến#sĩ": "chiến sỹ",
    "cựu#chiến#binh": "cựu chiến binh",
    "thương#binh": "thương binh",
    "liệt#sỹ": "liệt sỹ",
    "liệt#sĩ": "liệt sỹ",
    "phụ#nữ": "phụ nữ",
    "khách#sạn": "khách sạn",
    "nhà#hàng": "nhà hàng",
    "nhà#máy": "nhà máy",
    "trang#trại": "trang trại",
    "gia#trại": "gia trại",
    "thiết#bị": "thiết bị",
    "ô#tô": "ô tô",
    "gói#thầu": "gói thầu",
    "hạng#mục": "hạng mục",
    "nhân#khẩu": "nhân khẩu",
}

# Syllables that do not stand alone as a count noun: the noun they begin goes on to the
# next syllable ("196 tân binh", "3 kỹ sư", "12 thạc sỹ") even when the pair is not listed.
BOUND_HEADS = frozenset("tân siêu bác thạc tiến kỹ dược thiết ngư nông chiến cựu thương phụ nhân".split())

# Multipliers written before a unit: "49,2 triệu tấn", "29.420 triệu kWh", "1,5 tỷ m³".
SCALE_RE = re.compile(r"\s*(nghìn|ngàn|triệu|tỷ|tỉ)(?![^\W\d_])", re.IGNORECASE)

# Words after a number that are never its unit (the fallback takes the first syllable).
_NOT_UNITS = frozenset(
    """và của so với đạt tăng giảm bằng là trong đó cho tại ở từ đến trên dưới năm tháng ngày quý
    có được đã theo thì để trở không gồm các những một mới còn chiếm vượt cao thấp hơn kế dự vào về
    do nhưng hoặc hay nên khi này đây kỳ lên xuống gấp cùng chưa đều cả tất toàn như thực ước
    hoàn sau trước nội ngoài nhằm phải sẽ đang với bình đi thuộc tiếp giai thời nhiệm""".split()
)

# words that turn the number before them into a period or a duration, not a quantity
DURATION_WORDS = frozenset({"năm", "tháng", "ngày", "quý", "tuần", "giờ", "phút", "năm học"})

_UNIT_ALTERNATION = "|".join(
    re.escape(form).replace("\\#", "#").replace("#", r"\s*")
    for form in sorted(_UNIT_FORMS, key=lambda f: (-len(f), f))
)
UNIT_RE = re.compile(rf"\s*(?:{_UNIT_ALTERNATION})(?![^\W\d_])", re.IGNORECASE)
_UNIT_KEYS = {
    re.sub(r"\s+", "", form.replace("#", "")).casefold(): norm for form, norm in _UNIT_FORMS.items()
}
FALLBACK_WORD_RE = re.compile(r"\s+([^\W\d_]+)")


_SPACES_RE = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def normalise_unit(written: str) -> str:
    """The normalised spelling of a unit matched by UNIT_RE."""
    key = _SPACES_RE.sub("", written).casefold()
    return _UNIT_KEYS.get(key, written.strip())


_NOT_UNIT_ABBREVIATIONS = frozenset(
    "KH UBND HĐND TW QĐ NQ BC TT CT KL NĐ CP TTG BTC CN NN DV TM XD TS GTSX NSNN VNĐ ĐT".split()
)


def fallback_unit(word: str) -> str:
    """A bare count noun after a number ("12.700 thùng rác" -> "thùng", "15.076 NCC" -> "NCC"), or ""."""
    if word.isupper() and 2 <= len(word) <= 5:
        return "" if word in _NOT_UNIT_ABBREVIATIONS else word  # a counted group's abbreviation
    low = word.casefold()
    if low in _NOT_UNITS or len(low) > 8 or word.isupper():
        return ""
    return low


MONEY_UNITS = frozenset(
    {
        "tỷ USD",
        "nghìn tỷ đồng",
        "tỷ đồng",
        "triệu đồng",
        "nghìn đồng",
        "đồng",
        "triệu USD",
        "nghìn USD",
        "USD",
    }
)
PCT_UNITS = frozenset({"%"})
MEASURE_UNITS = (
    frozenset(
        {"ha", "nghìn ha", "m²", "km²", "m³", "m", "km", "tấn", "nghìn tấn", "tạ", "kg", "tạ/ha", "tấn/ha"}
    )
    | frozenset({"kWh", "MW"})
    | MONEY_UNITS
)

# Qualifier words directly before a number (longest first), and what they normalise to.
QUALIFIERS: dict[str, str] = {
    "ước thực hiện": "ước",
    "ước đạt": "ước",
    "ước tính": "ước",
    "ước": "ước",
    "dự kiến": "ước",
    "trên": "trên",
    "hơn": "trên",
    "ngoài": "trên",
    "trên dưới": "khoảng",
    "khoảng": "khoảng",
    "xấp xỉ": "khoảng",
    "gần": "gần",
    "dưới": "dưới",
    "chưa đến": "dưới",
    "không quá": "dưới",
    "tối đa": "dưới",
    "ít nhất": "trên",
    "tối thiểu": "trên",
    "đạt": "đạt",
}

# Abbreviations common in these reports, expanded before mapping subjects to indicators.
ABBREVIATIONS: dict[str, str] = {
    "gtsx": "giá trị sản xuất",
    "nsnn": "ngân sách nhà nước",
    "ns": "ngân sách",
    "xdcb": "xây dựng cơ bản",
    "bhyt": "bảo hiểm y tế",
    "bhxh": "bảo hiểm xã hội",
    "bhtn": "bảo hiểm thất nghiệp",
    "tthc": "thủ tục hành chính",
    "cchc": "cải cách hành chính",
    "ntm": "nông thôn mới",
    "te": "trẻ em",
    "sdd": "suy dinh dưỡng",
    "kdc": "khu dân cư",
    "ncc": "người có công",
    "ttxh": "trật tự xã hội",
    "vppl": "vi phạm pháp luật",
    "cccd": "căn cước công dân",
    "td": "tín dụng",
    "htx": "hợp tác xã",
    "pccc": "phòng cháy chữa cháy",
    "dvc": "dịch vụ công",
    "hsg": "học sinh giỏi",
    "hs": "học sinh",
    "mn": "mầm non",
    "th": "tiểu học",
    "thcs": "trung học cơ sở",
    "thpt": "trung học phổ thông",
    "gd": "giáo dục",
    "đt": "đào tạo",
    "nn": "nông nghiệp",
    "cn": "công nghiệp",
    "xd": "xây dựng",
    "dv": "dịch vụ",
    "tm": "thương mại",
    "ts": "thủy sản",
    "tb": "trung bình",
    "sx": "sản xuất",
    "kd": "kinh doanh",
    "dn": "doanh nghiệp",
    "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân",
    "btxh": "bảo trợ xã hội",
    "tgxh": "trợ giúp xã hội",
    "dqtv": "dân quân tự vệ",
    "dq": "dân quân",
    "tv": "tự vệ",
    "atgt": "an toàn giao thông",
    "ttatgt": "trật tự an toàn giao thông",
    "gpmb": "giải phóng mặt bằng",
    "vh": "văn hóa",
    "ocop": "ocop",
    "tt": "thị trấn",
    "ytế": "y tế",
    "khkt": "khoa học kỹ thuật",
    "khcn": "khoa học công nghệ",
    "bvmt": "bảo vệ môi trường",
    "qsd": "quyền sử dụng",
    "gcn": "giấy chứng nhận",
    "đc": "đồng chí",
}

_TONE_FIX = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip
_TONE_RE = re.compile("|".join(_TONE_FIX))


@lru_cache(maxsize=65536)
def norm_word(word: str) -> str:
    """NFC, lower case, modern tone placement ("Thuỷ" -> "thủy", "hoá" -> "hóa")."""
    low = unicodedata.normalize("NFC", word).casefold()
    if _TONE_RE.search(low):
        # only at the end of a syllable: "hoàng" keeps its mark where it is
        low = _TONE_RE.sub(lambda m: _TONE_FIX[m.group(0)] if m.end() == len(low) else m.group(0), low)
    return low


WORD_RE = re.compile(r"[^\W_]+(?:/[^\W_]+)*")


def words(text: str) -> list[str]:
    """Normalised syllables of ``text``, abbreviations expanded."""
    out: list[str] = []
    for raw in WORD_RE.findall(text):
        for piece in raw.split("/"):
            w = norm_word(piece)
            exp = ABBREVIATIONS.get(w)
            if exp is not None and (piece.isupper() or len(piece) > 3):
                out.extend(exp.split())
            else:
                out.append(w)
    return out
