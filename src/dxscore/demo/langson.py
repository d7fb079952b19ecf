"""Lạng Sơn demo content: units, Resolution 49-NQ/TU's targets and key tasks.

Published facts: Resolution 49-NQ/TU of the Lạng Sơn Party Committee on digital
transformation to 2025 with a vision to 2030 has five pillars (party agencies, digital
government, digital economy, digital society, digital border gate) and 30 targets, 22
of which were met; the province's districts and its departments are real names. The
wording of the individual targets, their values, the yearly observations and the tasks
are **synthetic**, written to be typical of such resolutions; the observations are
chosen so that the status computation (``dxscore.plans``) finds exactly 22 of the 30
targets met at the end of 2024. Unit codes are dxscore demo codes, not official codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dxscore.plans import Target, assess, period_end

PROVINCE = ("20", "Lạng Sơn")
DISTRICTS = [
    ("20-D01", "Thành phố Lạng Sơn"),
    ("20-D02", "Huyện Tràng Định"),
    ("20-D03", "Huyện Bình Gia"),
    ("20-D04", "Huyện Văn Lãng"),
    ("20-D05", "Huyện Cao Lộc"),
    ("20-D06", "Huyện Văn Quan"),
    ("20-D07", "Huyện Bắc Sơn"),
    ("20-D08", "Huyện Hữu Lũng"),
    ("20-D09", "Huyện Chi Lăng"),
    ("20-D10", "Huyện Lộc Bình"),
    ("20-D11", "Huyện Đình Lập"),
]
DEPARTMENTS = [
    ("20-S01", "Sở Thông tin và Truyền thông"),
    ("20-S02", "Văn phòng UBND tỉnh"),
    ("20-S03", "Sở Nội vụ"),
    ("20-S04", "Sở Kế hoạch và Đầu tư"),
    ("20-S05", "Sở Tài chính"),
    ("20-S06", "Sở Tư pháp"),
    ("20-S07", "Sở Y tế"),
    ("20-S08", "Sở Giáo dục và Đào tạo"),
    ("20-S09", "Sở Công Thương"),
    ("20-S10", "Sở Tài nguyên và Môi trường"),
    ("20-S11", "Sở Giao thông vận tải"),
    ("20-S12", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("20-S13", "Sở Lao động - Thương binh và Xã hội"),
    ("20-S14", "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng - Lạng Sơn"),
]
PILLARS = {
    "party": "Party agencies (Cơ quan Đảng)",
    "government": "Digital government (Chính quyền số)",
    "economy": "Digital economy (Kinh tế số)",
    "society": "Digital society (Xã hội số)",
    "border": "Digital border gate (Cửa khẩu số)",
}


@dataclass(frozen=True)
class DemoTarget:
    number: int
    pillar: str
    title: str
    owner: str  # unit code
    target: Target
    unit_of_measure: str = "%"
    observations: dict[str, float] = field(default_factory=dict)
    evidence_period: str | None = None  # qualitative: when its evidence was approved

    def evidence_approved(self, as_of: str) -> bool:
        return self.evidence_period is not None and period_end(self.evidence_period) <= period_end(
            as_of
        )


def _q(n, pillar, title, owner, comparison, value, baseline, obs, deadline="2025", unit="%"):
    return DemoTarget(
        n,
        pillar,
        title,
        owner,
        Target(deadline, comparison, value, baseline, "2020"),
        unit,
        dict(zip(("2021", "2022", "2023", "2024"), obs, strict=False)),
    )


def _qual(n, pillar, title, owner, approved_in, deadline="2025"):
    return DemoTarget(n, pillar, title, owner, Target(deadline), "", {}, approved_in)


TARGETS: list[DemoTarget] = [
    # party agencies
    _q(
        1,
        "party",
        "Party documents exchanged electronically (except secret ones)",
        "20-S02",
        ">=",
        100,
        70,
        [85, 94, 99, 100],
    ),
    _q(2, "party", "Party work records processed online", "20-S02", ">=", 90, 40, [55, 70, 84, 92]),
    _qual(
        3,
        "party",
        "Party agencies' shared document management system in operation",
        "20-S01",
        "2022",
    ),
    _q(
        4,
        "party",
        "Party officials trained in digital skills",
        "20-S03",
        ">=",
        80,
        20,
        [35, 50, 62, 70],
    ),  # on track: +10 a year projects 90 by 2025
    # digital government
    _q(
        5,
        "government",
        "Procedures offered fully online",
        "20-S02",
        ">=",
        100,
        25,
        [45, 70, 92, 100],
    ),
    _q(6, "government", "Dossiers filed online", "20-S02", ">=", 50, 5, [12, 28, 46, 58]),
    _q(
        7,
        "government",
        "Work records processed online at province level",
        "20-S03",
        ">=",
        90,
        50,
        [65, 80, 88, 93],
    ),
    _q(
        8,
        "government",
        "Work records processed online at district level",
        "20-D01",
        ">=",
        80,
        40,
        [52, 63, 75, 82],
    ),
    _q(
        9,
        "government",
        "Work records processed online at commune level",
        "20-S03",
        ">=",
        60,
        20,
        [30, 38, 45, 49],
    ),  # at risk: about +5 a year projects 55
    _q(
        10,
        "government",
        "Officials with a digital signature",
        "20-S01",
        ">=",
        100,
        60,
        [75, 88, 96, 100],
    ),
    _q(
        11, "government", "Dossiers and results digitised", "20-S02", ">=", 80, 10, [25, 45, 66, 81]
    ),
    _q(12, "government", "Dossiers settled on time", "20-S02", ">=", 95, 88, [90, 93, 95.5, 97]),
    _qual(13, "government", "Provincial data centre in operation", "20-S01", "2023"),
    _qual(14, "government", "Intelligent operations centre (IOC) in operation", "20-S01", "2024"),
    _q(
        15,
        "government",
        "Average processing time of dossiers",
        "20-S02",
        "<=",
        5,
        9,
        [8.2, 7.1, 5.8, 4.9],
        unit="days",
    ),
    _q(
        16, "government", "Fee-bearing dossiers paid online", "20-S05", ">=", 50, 2, [8, 19, 33, 44]
    ),  # on track: about +12 a year projects 56
    # digital economy
    _q(
        17, "economy", "Digital economy share of GRDP", "20-S04", ">=", 10, 4, [4.6, 5.2, 5.9, 6.5]
    ),  # at risk: +0.6 a year projects 7.2
    _q(
        18,
        "economy",
        "Small and medium enterprises using digital platforms",
        "20-S09",
        ">=",
        50,
        15,
        [24, 33, 44, 52],
    ),
    _q(19, "economy", "Enterprises using e-invoices", "20-S05", ">=", 100, 60, [85, 97, 100, 100]),
    _q(
        20, "economy", "Retail payments made without cash", "20-S09", ">=", 50, 10, [18, 27, 38, 47]
    ),  # on track: +10 a year projects 57
    _q(
        21,
        "economy",
        "Cooperatives selling on e-commerce platforms",
        "20-S12",
        ">=",
        30,
        3,
        [6, 11, 16, 20],
    ),  # at risk: +5 a year projects 25
    _q(
        22, "economy", "Tourist sites with digital guides", "20-S13", ">=", 70, 10, [25, 48, 66, 74]
    ),
    # digital society
    _q(23, "society", "Households with fibre broadband", "20-S01", ">=", 80, 45, [55, 66, 76, 83]),
    _q(24, "society", "Adults with a smartphone", "20-S01", ">=", 80, 55, [62, 70, 78, 84]),
    _q(
        25,
        "society",
        "Adults with an electronic payment account",
        "20-S09",
        ">=",
        70,
        30,
        [41, 52, 63, 71],
    ),
    _q(26, "society", "Communes covered by 4G", "20-S01", ">=", 100, 88, [93, 97, 100, 100]),
    _q(
        27,
        "society",
        "Citizens with an electronic health record",
        "20-S07",
        ">=",
        90,
        0,
        [10, 35, 62, 88],  # on track: +26 a year
    ),
    # digital border gate
    _qual(28, "border", "Smart border-gate platform at Hữu Nghị and Tân Thanh", "20-S14", "2024"),
    _q(
        29,
        "border",
        "Customs declarations processed electronically",
        "20-S14",
        ">=",
        95,
        80,
        [86, 91, 96, 99],
    ),
    _qual(30, "border", "Cross-border e-commerce logistics centre", "20-S14", None),
]

KEY_TASKS = [
    # (title, owner, cooperating, start, deadline, expected result, progress by date)
    (
        "Build the provincial data centre (phase 2: disaster recovery site)",
        "20-S01",
        ["20-S05"],
        "2023-03-01",
        "2025-06-30",
        "A recovery site replicating the data centre",
        [("2023-09-30", 20, "Design approved"), ("2024-06-30", 55, "Equipment installed")],
    ),
    (
        "Connect all one-stop-shop systems to the national population database",
        "20-S02",
        ["20-S01", "20-S03"],
        "2023-01-15",
        "2024-12-31",
        "Identity checks by national e-ID",
        [("2023-12-31", 60, "Province level connected"), ("2024-11-30", 100, "All levels")],
    ),
    (
        "Digitise land records of all communes",
        "20-S10",
        ["20-S01"],
        "2022-06-01",
        "2025-12-31",
        "A searchable land database covering every commune",
        [("2023-06-30", 30, "4 districts done"), ("2024-06-30", 58, "7 districts done")],
    ),
    (
        "Smart border-gate platform at Hữu Nghị and Tân Thanh",
        "20-S14",
        ["20-S01", "20-S09"],
        "2022-09-01",
        "2024-09-30",
        "Vehicle declarations and queue management online",
        [("2023-06-30", 50, "Pilot at Tân Thanh"), ("2024-09-15", 100, "Both gates live")],
    ),
    (
        "Train commune officials in digital skills",
        "20-S03",
        ["20-S01"],
        "2023-02-01",
        "2025-06-30",
        "Every commune official trained",
        [("2023-12-31", 35, "First cohort"), ("2024-12-31", 62, "Second cohort")],
    ),
    (
        "Cashless payments in hospitals and schools",
        "20-S07",
        ["20-S08", "20-S09"],
        "2023-04-01",
        "2024-06-30",
        "All public hospitals and upper-secondary schools",
        [("2023-12-31", 45, "Hospitals done"), ("2024-06-30", 80, "Schools in progress")],
    ),
    (
        "Virtual assistant for administrative-procedure documents",
        "20-S01",
        ["20-S02"],
        "2024-01-15",
        "2025-03-31",
        "Pilot in four agencies extended province-wide",
        [("2024-06-30", 40, "Pilot in four agencies"), ("2024-12-31", 70, "Evaluation done")],
    ),
    (
        "Digital inspection platform",
        "20-S01",
        ["20-S03"],
        "2024-03-01",
        "2025-12-31",
        "Inspections planned, recorded and followed up online",
        [("2024-09-30", 30, "Pilot in five agencies")],
    ),
]


def target_statuses(as_of: str = "2024") -> dict[int, str]:
    """Each target's computed status as of a period."""
    return {
        t.number: assess(t.target, t.observations, as_of, t.evidence_approved(as_of)).status
        for t in TARGETS
    }


# Names of common administrative procedures, by the tier that handles them, most used
# first. The demo gives them to the synthetic procedures of each tier in order of use;
# the codes stay synthetic (1.000001, ...), so a name here says nothing about its data.
PROCEDURE_NAMES = {
    "province": [
        "Cấp đổi giấy phép lái xe",
        "Cấp phiếu lý lịch tư pháp",
        "Đăng ký thành lập doanh nghiệp",
        "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
        "Cấp giấy chứng nhận quyền sử dụng đất cho tổ chức",
        "Cấp giấy phép xây dựng công trình",
        "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
        "Cấp giấy phép lao động cho người nước ngoài",
        "Thẩm định báo cáo đánh giá tác động môi trường",
        "Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm",
        "Cấp giấy phép kinh doanh vận tải bằng xe ô tô",
        "Cấp lại giấy chứng nhận đăng ký doanh nghiệp",
    ],
    "district": [
        "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        "Đăng ký hộ kinh doanh",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Đăng ký biến động đất đai",
        "Cấp giấy phép kinh doanh bán lẻ rượu",
        "Thẩm định hồ sơ chuyển mục đích sử dụng đất",
        "Giải quyết trợ cấp xã hội hằng tháng",
        "Cấp giấy chứng nhận đủ điều kiện kinh doanh",
        "Đăng ký thay đổi hộ kinh doanh",
        "Chứng thực hợp đồng, giao dịch",
    ],
    "commune": [
        "Đăng ký khai sinh",
        "Chứng thực bản sao từ bản chính",
        "Đăng ký kết hôn",
        "Đăng ký khai tử",
        "Cấp giấy xác nhận tình trạng hôn nhân",
        "Chứng thực chữ ký",
        "Đăng ký thường trú",
        "Xác nhận hộ nghèo, hộ cận nghèo",
        "Đăng ký nhận cha, mẹ, con",
        "Trích lục hộ tịch",
    ],
}


# --- the demo's content in other languages (stored as ``translations``, docs/languages.md)
RESOLUTION_TRANSLATIONS = {  # the title is Vietnamese, as issued
    "en": "Digital transformation of Lạng Sơn province to 2025, with orientations to 2030",
    "ar": "التحول الرقمي في مقاطعة لانغ سون حتى عام 2025 مع توجهات حتى عام 2030",
    "hi": "लांग सोन प्रांत का 2025 तक डिजिटल रूपांतरण, 2030 तक की दिशा के साथ",
}
PILLAR_TRANSLATIONS = {
    "party": {"vi": "Cơ quan Đảng", "ar": "هيئات الحزب", "hi": "पार्टी निकाय"},
    "government": {"vi": "Chính quyền số", "ar": "الحكومة الرقمية", "hi": "डिजिटल सरकार"},
    "economy": {"vi": "Kinh tế số", "ar": "الاقتصاد الرقمي", "hi": "डिजिटल अर्थव्यवस्था"},
    "society": {"vi": "Xã hội số", "ar": "المجتمع الرقمي", "hi": "डिजिटल समाज"},
    "border": {"vi": "Cửa khẩu số", "ar": "المعبر الحدودي الرقمي", "hi": "डिजिटल सीमा द्वार"},
}
TARGET_TRANSLATIONS = {  # number -> the title in Vietnamese
    1: "Văn bản của cơ quan Đảng được trao đổi dưới dạng điện tử (trừ văn bản mật)",
    2: "Hồ sơ công việc của cơ quan Đảng được xử lý trên môi trường mạng",
    3: "Hệ thống quản lý văn bản dùng chung của các cơ quan Đảng đi vào hoạt động",
    4: "Cán bộ, đảng viên được đào tạo kỹ năng số",
    5: "Thủ tục hành chính được cung cấp dịch vụ công trực tuyến toàn trình",
    6: "Hồ sơ được nộp trực tuyến",
    7: "Hồ sơ công việc được xử lý trên môi trường mạng ở cấp tỉnh",
    8: "Hồ sơ công việc được xử lý trên môi trường mạng ở cấp huyện",
    9: "Hồ sơ công việc được xử lý trên môi trường mạng ở cấp xã",
    10: "Cán bộ, công chức có chữ ký số",
    11: "Hồ sơ và kết quả giải quyết được số hóa",
    12: "Hồ sơ được giải quyết đúng hạn",
    13: "Trung tâm dữ liệu tỉnh đi vào hoạt động",
    14: "Trung tâm điều hành thông minh (IOC) đi vào hoạt động",
    15: "Thời gian giải quyết hồ sơ bình quân",
    16: "Hồ sơ có phí được thanh toán trực tuyến",
    17: "Tỷ trọng kinh tế số trong GRDP",
    18: "Doanh nghiệp nhỏ và vừa sử dụng nền tảng số",
    19: "Doanh nghiệp sử dụng hóa đơn điện tử",
    20: "Giao dịch bán lẻ thanh toán không dùng tiền mặt",
    21: "Hợp tác xã bán hàng trên sàn thương mại điện tử",
    22: "Điểm du lịch có thuyết minh số",
    23: "Hộ gia đình có cáp quang băng rộng",
    24: "Người trưởng thành có điện thoại thông minh",
    25: "Người trưởng thành có tài khoản thanh toán điện tử",
    26: "Xã được phủ sóng 4G",
    27: "Người dân có hồ sơ sức khỏe điện tử",
    28: "Nền tảng cửa khẩu thông minh tại Hữu Nghị và Tân Thanh",
    29: "Tờ khai hải quan được xử lý điện tử",
    30: "Trung tâm logistics thương mại điện tử xuyên biên giới",
}
TASK_TRANSLATIONS = {  # number (in KEY_TASKS, from 1) -> the title in Vietnamese
    1: "Xây dựng Trung tâm dữ liệu tỉnh (giai đoạn 2: trung tâm dự phòng thảm họa)",
    2: "Kết nối toàn bộ hệ thống một cửa với Cơ sở dữ liệu quốc gia về dân cư",
    3: "Số hóa hồ sơ địa chính của tất cả các xã",
    4: "Nền tảng cửa khẩu thông minh tại Hữu Nghị và Tân Thanh",
    5: "Đào tạo kỹ năng số cho cán bộ cấp xã",
    6: "Thanh toán không dùng tiền mặt tại bệnh viện và trường học",
    7: "Trợ lý ảo về hồ sơ thủ tục hành chính",
    8: "Nền tảng thanh tra số",
}
