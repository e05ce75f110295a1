"""A realistic Vietnamese administrative corpus for ``bench/search.py``.

Items are written from the words a provincial e-portal actually uses: the agencies of a province,
the districts and communes of Nghệ An, and the phrases of each field of state management (land,
administrative reform, education, health, transport, agriculture, …). Within each list, phrases are
drawn with Zipf-like weights (the first phrases of a list are the common ones), so that a few terms
are in most items ("trên địa bàn", "Ủy ban nhân dân"), many are in some, and place names are rare —
the term frequencies a real index has. About a third of the items use the new tone-mark style
(``hoà``, ``thuỷ``, ``uỷ``) and the rest the old one, as real portals mix them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

AGENCIES = [
    "Ủy ban nhân dân tỉnh",
    "Văn phòng Ủy ban nhân dân tỉnh",
    "Sở Tài nguyên và Môi trường",
    "Sở Nội vụ",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Giao thông vận tải",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Kế hoạch và Đầu tư",
    "Sở Tài chính",
    "Sở Tư pháp",
    "Sở Công Thương",
    "Sở Xây dựng",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa và Thể thao",
    "Sở Du lịch",
    "Sở Khoa học và Công nghệ",
    "Sở Thông tin và Truyền thông",
    "Thanh tra tỉnh",
    "Ban Dân tộc",
    "Ban Quản lý Khu kinh tế Đông Nam",
    "Hội đồng nhân dân tỉnh",
    "Công an tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Ủy ban nhân dân huyện",
]

PLACES = [
    "Vinh",
    "Cửa Lò",
    "Thái Hòa",
    "Hoàng Mai",
    "Quỳnh Lưu",
    "Diễn Châu",
    "Yên Thành",
    "Nghi Lộc",
    "Hưng Nguyên",
    "Nam Đàn",
    "Thanh Chương",
    "Đô Lương",
    "Anh Sơn",
    "Con Cuông",
    "Tương Dương",
    "Kỳ Sơn",
    "Quế Phong",
    "Quỳ Châu",
    "Quỳ Hợp",
    "Nghĩa Đàn",
    "Tân Kỳ",
    "Hưng Lộc",
    "Nghi Phú",
    "Diễn Kỷ",
    "Quỳnh Bảng",
    "Mường Xén",
    "Nậm Cắn",
    "Châu Tiến",
    "Tam Quang",
    "Môn Sơn",
    "Bồng Khê",
    "Thanh Ngọc",
    "Nghĩa Thuận",
    "Hùng Tiến",
    "Xuân Lâm",
    "Kim Liên",
    "Nam Giang",
    "Vân Diên",
    "Lạc Sơn",
    "Tri Lễ",
    "Cắm Muộn",
    "Hạnh Thiết",
    "Châu Phong",
    "Tiền Phong",
    "Mường Lống",
    "Huồi Tụ",
    "Na Ngoi",
    "Bắc Lý",
    "Tà Cạ",
    "Keng Đu",
    "Hữu Kiệm",
    "Yên Hòa",
    "Lượng Minh",
    "Nga My",
    "Tam Thái",
    "Châu Khê",
    "Lục Dạ",
    "Yên Khê",
    "Thạch Ngàn",
    "Đôn Phục",
    "Phúc Sơn",
    "Hội Sơn",
    "Tường Sơn",
    "Hoa Sơn",
    "Đỉnh Sơn",
    "Tràng Sơn",
    "Lạng Sơn",
    "Thịnh Sơn",
    "Bài Sơn",
    "Đặng Sơn",
    "Thanh Chi",
    "Thanh Lâm",
    "Thanh Thủy",
    "Thanh Đức",
    "Hạnh Lâm",
    "Ngọc Lâm",
    "Xuân Tường",
    "Minh Hợp",
    "Châu Hạnh",
    "Châu Bình",
    "Diễn Hoa",
    "Diễn Thành",
    "Diễn Trung",
    "Quỳnh Thạch",
    "Quỳnh Lập",
    "Sơn Hải",
    "Nghi Thiết",
    "Nghi Yên",
    "Nghi Văn",
    "Hưng Tây",
    "Hưng Nghĩa",
    "Nam Nghĩa",
    "Khánh Sơn",
    "Kim Sơn",
]

TOPICS: dict[str, list[str]] = {
    "đất đai": [
        "thu hồi đất",
        "giải phóng mặt bằng",
        "bồi thường, hỗ trợ, tái định cư",
        "quyền sử dụng đất",
        "cấp giấy chứng nhận quyền sử dụng đất",
        "quy hoạch sử dụng đất",
        "giá đất",
        "đấu giá quyền sử dụng đất",
        "chuyển mục đích sử dụng đất",
        "kiểm kê đất đai",
        "tranh chấp đất đai",
        "đo đạc bản đồ địa chính",
        "kế hoạch sử dụng đất hằng năm",
        "giao đất, cho thuê đất",
        "đất nông nghiệp",
        "đất ở tại nông thôn",
    ],
    "cải cách hành chính": [
        "cải cách hành chính",
        "thủ tục hành chính",
        "dịch vụ công trực tuyến",
        "chuyển đổi số",
        "bộ phận tiếp nhận và trả kết quả",
        "một cửa liên thông",
        "chỉ số hài lòng của người dân",
        "chính quyền điện tử",
        "hồ sơ trực tuyến toàn trình",
        "chữ ký số",
        "thanh toán trực tuyến",
        "chỉ số cải cách hành chính",
        "văn bản điện tử",
        "cơ sở dữ liệu quốc gia về dân cư",
        "định danh điện tử",
    ],
    "giáo dục": [
        "năm học mới",
        "thi tốt nghiệp trung học phổ thông",
        "trường chuẩn quốc gia",
        "học sinh giỏi",
        "đội ngũ giáo viên",
        "cơ sở vật chất trường học",
        "phổ cập giáo dục",
        "tuyển sinh lớp 10",
        "chương trình giáo dục phổ thông mới",
        "trường phổ thông dân tộc bán trú",
        "khuyến học, khuyến tài",
        "sách giáo khoa",
        "học bổng",
        "giáo dục mầm non",
        "xóa mù chữ",
    ],
    "y tế": [
        "bảo hiểm y tế",
        "tiêm chủng mở rộng",
        "phòng chống dịch bệnh",
        "sốt xuất huyết",
        "trạm y tế xã",
        "khám chữa bệnh",
        "an toàn thực phẩm",
        "dân số và phát triển",
        "bệnh viện đa khoa",
        "y tế cơ sở",
        "chăm sóc sức khỏe ban đầu",
        "vệ sinh môi trường",
        "hiến máu tình nguyện",
        "ngộ độc thực phẩm",
    ],
    "giao thông": [
        "đường giao thông nông thôn",
        "an toàn giao thông",
        "quốc lộ 1A",
        "quốc lộ 7",
        "quốc lộ 48",
        "đường Hồ Chí Minh",
        "cầu treo dân sinh",
        "bê tông hóa đường làng",
        "duy tu bảo dưỡng",
        "tai nạn giao thông",
        "đường tỉnh",
        "nâng cấp, mở rộng",
        "đường ven biển",
        "bến xe",
        "hành lang an toàn đường bộ",
    ],
    "nông nghiệp": [
        "xây dựng nông thôn mới",
        "nông thôn mới nâng cao",
        "cây chè",
        "cam Vinh",
        "chăn nuôi",
        "dịch tả lợn châu Phi",
        "sản xuất vụ xuân",
        "vụ hè thu",
        "công trình thủy lợi",
        "kênh mương nội đồng",
        "trồng rừng",
        "bảo vệ và phát triển rừng",
        "phòng cháy chữa cháy rừng",
        "sản phẩm OCOP",
        "hợp tác xã",
        "tái cơ cấu ngành nông nghiệp",
        "giống lúa chất lượng cao",
        "cánh đồng mẫu lớn",
        "nuôi trồng thủy sản",
        "khai thác hải sản",
        "làng nghề",
    ],
    "kinh tế": [
        "thu hút đầu tư",
        "khu công nghiệp",
        "doanh nghiệp",
        "thu ngân sách nhà nước",
        "giải ngân vốn đầu tư công",
        "tăng trưởng kinh tế",
        "xúc tiến thương mại",
        "kinh tế tập thể",
        "dự án đầu tư",
        "hạ tầng kỹ thuật",
        "khu kinh tế Đông Nam",
        "chỉ số năng lực cạnh tranh cấp tỉnh",
        "thương mại điện tử",
        "chợ nông thôn",
    ],
    "xã hội": [
        "giảm nghèo bền vững",
        "hộ nghèo, hộ cận nghèo",
        "người có công với cách mạng",
        "bảo trợ xã hội",
        "giải quyết việc làm",
        "xuất khẩu lao động",
        "nhà ở cho hộ nghèo",
        "trợ cấp xã hội",
        "đồng bào dân tộc thiểu số",
        "vùng đồng bào dân tộc thiểu số và miền núi",
        "chăm sóc người cao tuổi",
        "bảo vệ trẻ em",
        "bình đẳng giới",
        "đào tạo nghề cho lao động nông thôn",
        "bảo hiểm xã hội",
    ],
    "văn hóa": [
        "lễ hội truyền thống",
        "di tích lịch sử văn hóa",
        "văn hóa văn nghệ",
        "thể dục thể thao",
        "du lịch cộng đồng",
        "gia đình văn hóa",
        "dân ca ví, giặm",
        "bảo tồn và phát huy",
        "khu di tích Kim Liên",
        "đền Cuông",
        "làng văn hóa",
        "giải bóng đá",
        "thư viện",
        "bảo tàng",
    ],
    "môi trường": [
        "bảo vệ môi trường",
        "rác thải sinh hoạt",
        "nước sạch nông thôn",
        "biến đổi khí hậu",
        "phòng chống thiên tai",
        "mưa lũ",
        "sạt lở đất",
        "ứng phó với bão",
        "cứu hộ cứu nạn",
        "tìm kiếm cứu nạn",
        "khắc phục hậu quả",
        "ô nhiễm môi trường",
        "khai thác khoáng sản",
        "tài nguyên nước",
    ],
    "nội chính": [
        "tiếp công dân",
        "giải quyết khiếu nại, tố cáo",
        "phòng, chống tham nhũng",
        "phổ biến, giáo dục pháp luật",
        "hòa giải ở cơ sở",
        "an ninh trật tự",
        "phòng cháy chữa cháy",
        "phòng chống tội phạm ma túy",
        "đăng ký hộ tịch",
        "chứng thực",
        "thanh tra",
        "trợ giúp pháp lý",
        "xử lý vi phạm hành chính",
        "quản lý cư trú",
    ],
    "xây dựng chính quyền": [
        "kỳ họp thứ",
        "Hội đồng nhân dân",
        "đại biểu Hội đồng nhân dân",
        "tiếp xúc cử tri",
        "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "công tác cán bộ",
        "bổ nhiệm",
        "tinh giản biên chế",
        "sắp xếp đơn vị hành chính",
        "chính quyền địa phương hai cấp",
        "đại hội Đảng bộ",
        "thi đua khen thưởng",
        "kỷ luật, kỷ cương hành chính",
        "văn hóa công vụ",
    ],
}

GENERAL = [
    "trên địa bàn",
    "thực hiện",
    "triển khai",
    "công tác",
    "tỉnh",
    "Ủy ban nhân dân",
    "kế hoạch",
    "tổ chức",
    "các cơ quan, đơn vị",
    "chỉ đạo",
    "nhân dân",
    "người dân",
    "cán bộ",
    "đảm bảo",
    "tăng cường",
    "nâng cao",
    "hiệu quả",
    "kết quả",
    "huyện",
    "xã",
    "năm",
    "hội nghị",
    "tổng kết",
    "sơ kết",
    "kiểm tra",
    "giám sát",
    "hướng dẫn",
    "quy định",
    "theo đó",
    "đồng thời",
    "đến nay",
    "góp phần",
    "phát triển",
    "kinh tế - xã hội",
    "quốc phòng - an ninh",
    "chính quyền",
    "địa phương",
    "nhiệm vụ",
    "giải pháp",
    "trong thời gian tới",
    "đề nghị",
    "yêu cầu",
    "phối hợp",
    "chủ động",
    "kịp thời",
    "đầy đủ",
    "nghiêm túc",
    "tuyên truyền",
    "vận động",
    "tham gia",
    "hỗ trợ",
    "đầu tư",
    "nguồn vốn",
    "ngân sách",
    "thời gian",
    "tiến độ",
    "chất lượng",
    "tập trung",
    "rà soát",
    "đánh giá",
    "báo cáo",
    "xây dựng",
    "hoàn thành",
    "đạt",
    "tỷ lệ",
    "so với cùng kỳ",
    "phát động",
    "khen thưởng",
    "biểu dương",
    "lãnh đạo",
    "đồng chí",
    "Chủ tịch",
    "Phó Chủ tịch",
    "Bí thư",
    "Thường trực",
    "Ban Thường vụ",
    "Mặt trận Tổ quốc",
    "đoàn thể",
    "thôn, bản",
    "khối, xóm",
    "hộ gia đình",
    "doanh nghiệp",
    "thanh niên",
    "phụ nữ",
    "cựu chiến binh",
    "nông dân",
    "học sinh",
    "miền núi",
    "ven biển",
    "trọng điểm",
    "cấp bách",
    "lâu dài",
    "bền vững",
    "an toàn",
    "minh bạch",
    "công khai",
    "dân chủ",
]
FILLERS = [
    "của",
    "và",
    "các",
    "cho",
    "với",
    "được",
    "đã",
    "trong",
    "để",
    "là",
    "những",
    "có",
    "về",
    "tại",
    "theo",
    "từ",
    "đến",
    "này",
    "nhằm",
    "trên",
    "cũng",
    "như",
    "khi",
    "sẽ",
    "đang",
    "nhiều",
    "một",
    "số",
]

TITLE_PATTERNS = [
    "{place}: {topic} {general}",
    "{agency} {verb} {topic}",
    "Hội nghị {general} {topic} năm {year}",
    "Đẩy mạnh {topic} tại {place}",
    "{place} hoàn thành {topic}",
    "Kiểm tra {topic} ở {place}",
    "Triển khai {topic} trên địa bàn {place}",
    "{agency}: {topic}, {topic2}",
    "Tăng cường {topic} {general} năm {year}",
    "Tổng kết {topic} giai đoạn {year0} - {year}",
]
VERBS = ["triển khai", "chỉ đạo", "hướng dẫn", "kiểm tra", "tổng kết", "phát động", "đôn đốc", "ban hành kế hoạch"]
FORMS = [
    ("quyet-dinh", "Quyết định", "QĐ"),
    ("ke-hoach", "Kế hoạch", "KH"),
    ("cong-van", "Công văn", "CV"),
    ("chi-thi", "Chỉ thị", "CT"),
    ("thong-bao", "Thông báo", "TB"),
    ("nghi-quyet", "Nghị quyết", "NQ"),
    ("bao-cao", "Báo cáo", "BC"),
    ("huong-dan", "Hướng dẫn", "HD"),
]

# Old → new tone-mark style for the words where they differ.
NEW_STYLE = {
    "hòa": "hoà",
    "Hòa": "Hoà",
    "thủy": "thuỷ",
    "Thủy": "Thuỷ",
    "Ủy": "Uỷ",
    "ủy": "uỷ",
    "khỏe": "khoẻ",
    "hóa": "hoá",
    "Hóa": "Hoá",
    "lòe": "loè",
    "xóa": "xoá",
    "thỏa": "thoả",
    "tòa": "toà",
}


def _zipf(items: Sequence[str], exponent: float = 1.0) -> tuple[list[str], list[float]]:
    return list(items), [1.0 / (rank + 1) ** exponent for rank in range(len(items))]


@dataclass(frozen=True)
class FakeItem:
    kind: str  # article, legal_document, announcement, page
    title: str
    summary: str
    body: str
    date: dt.date
    number: str = ""
    form: str = ""
    issuer: str = ""
    field: str = ""


class Corpus:
    """Deterministic from its seed: the same items and queries on every run."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.topics = list(TOPICS)
        self.topic_weights = [1.0 / (rank + 1) ** 0.6 for rank in range(len(self.topics))]
        self.phrases = {topic: _zipf(phrases, 0.9) for topic, phrases in TOPICS.items()}
        self.general = _zipf(GENERAL, 0.8)
        self.fillers = _zipf(FILLERS, 0.7)
        self.places = _zipf(PLACES, 0.9)
        self.agencies = _zipf(AGENCIES, 0.8)
        self.numbers = itertools.count(1)

    def _pick(self, pool: tuple[list[str], list[float]]) -> str:
        return self.random.choices(pool[0], weights=pool[1])[0]

    def _sentence(self, topic: str, place: str, words: int) -> str:
        parts: list[str] = []
        count = 0
        while count < words:
            roll = self.random.random()
            if roll < 0.36:
                piece = self._pick(self.general)
            elif roll < 0.62:
                piece = self._pick(self.fillers)
            elif roll < 0.88:
                piece = self._pick(self.phrases[topic])
            elif roll < 0.94:
                other = self.random.choices(self.topics, weights=self.topic_weights)[0]
                piece = self._pick(self.phrases[other])
            elif roll < 0.97:
                piece = place
            else:
                piece = f"năm {self.random.choice(range(2015, 2027))}"
            parts.append(piece)
            count += piece.count(" ") + 1
        text = " ".join(parts)
        return text[0].upper() + text[1:] + "."

    def _text(self, topic: str, place: str, words: int) -> str:
        sentences = []
        while words > 0:
            length = self.random.randint(12, 28)
            sentences.append(self._sentence(topic, place, min(length, max(words, 6))))
            words -= length
        return " ".join(sentences)

    def item_date(self) -> dt.date:
        return self._date()

    def _date(self) -> dt.date:
        # Newer items are more numerous: a portal publishes more every year.
        days = int((1.0 - self.random.random() ** 0.6) * 365 * 11)
        return dt.date(2026, 11, 1) - dt.timedelta(days=days)

    def item(self) -> FakeItem:
        topic = self.random.choices(self.topics, weights=self.topic_weights)[0]
        place = self._pick(self.places)
        date = self._date()
        roll = self.random.random()
        if roll < 0.60:
            kind = "article"
        elif roll < 0.85:
            kind = "legal_document"
        elif roll < 0.97:
            kind = "announcement"
        else:
            kind = "page"
        if kind == "legal_document":
            slug, form_label, code = self.random.choice(FORMS)
            issuer = self._pick(self.agencies)
            number = f"{self.random.randint(1, 4000)}/{date.year}/{code}-UBND"
            abstract = (
                f"Về việc {self.random.choice(VERBS)} {self._pick(self.phrases[topic])} "
                f"{self._pick(self.general)} {place}; {self._sentence(topic, place, self.random.randint(10, 30))}"
            )
            item = FakeItem(kind, f"{form_label} {number}", abstract, "", date, number, slug, issuer, topic)
        else:
            title = self.random.choice(TITLE_PATTERNS).format(
                place=place,
                topic=self._pick(self.phrases[topic]),
                topic2=self._pick(self.phrases[topic]),
                general=self._pick(self.general),
                agency=self._pick(self.agencies),
                verb=self.random.choice(VERBS),
                year=date.year,
                year0=date.year - 5,
            )
            summary = self._text(topic, place, self.random.randint(25, 45)) if kind == "article" else ""
            body = self._text(topic, place, self.random.randint(120, 220))
            item = FakeItem(kind, title[0].upper() + title[1:], summary, body, date)
        if self.random.random() < 0.33:
            item = FakeItem(
                item.kind,
                _restyle(item.title),
                _restyle(item.summary),
                _restyle(item.body),
                item.date,
                item.number,
                item.form,
                item.issuer,
                item.field,
            )
        return item


def _restyle(text: str) -> str:
    return " ".join(NEW_STYLE.get(word, word) for word in text.split(" "))


# --- queries ------------------------------------------------------------------------------------------------


def candidate_queries(seed: int) -> dict[str, list[str]]:
    """Candidates per category; the benchmark keeps those whose measured selectivity fits the category."""
    rng = random.Random(seed)
    selective: list[str] = []
    for phrases in TOPICS.values():
        for phrase in phrases[4:]:
            selective.append(f"{phrase} {rng.choice(PLACES[20:])}")
        selective.append(f"{rng.choice(phrases)} {rng.choice(PLACES[40:])} năm {rng.randint(2016, 2025)}")
    for place in PLACES[30:]:
        selective.append(f"{place} {rng.choice(GENERAL[30:])}")
    broad = [
        *GENERAL[:30],
        *(p for phrases in TOPICS.values() for p in phrases[:2]),
        "Ủy ban nhân dân tỉnh",
        "trên địa bàn tỉnh",
        "kế hoạch thực hiện",
        "công tác chỉ đạo",
        "năm 2025",
        "nông thôn mới",
        "người dân",
    ]
    quoted = [f'"{p}"' for phrases in TOPICS.values() for p in phrases[:8] if " " in p]
    return {"selective": selective, "broad": broad, "phrase": quoted}
